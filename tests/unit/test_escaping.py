"""Text from the database is shown literally in Streamlit markdown, whatever it contains."""

import re

import pytest

from dashboard.ui.widgets import esc

HOSTILE = [
    "Pris: $x^2$ kr",
    ":red[rød] :material/home: :smile:",
    "[klikk her](https://example.org) ![bilde](x.png)",
    "# Overskrift\n===\n    kodeblokk",
    "<script>alert(1)</script> & **fet** _kursiv_ ~~streket~~ `kode`",
    "1. liste\n- punkt\n> sitat | tabell |",
    "kari@example.no og www.example.no",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_markdown_character_is_escaped(text: str) -> None:
    escaped = esc(text)
    unescaped = re.sub(r"\\(.)", r"\1", escaped)
    assert unescaped == re.sub(r"(?m)^[ \t]+", "", text)  # nothing lost but indentation
    # only escape pairs or ordinary characters: no special character stands unescaped
    assert re.fullmatch(r"(?:\\.|[^\\`*_{}\[\]()#+\-.!|<>$:~=@])*", escaped, re.DOTALL)


def test_none_becomes_empty() -> None:
    assert esc(None) == ""
