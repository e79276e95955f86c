"""The long pickers' options (an initiative, an indicator, an organisation): their labels are
worked out once per data version and shared by every session (dashboard.ui.data.derived).

A select box keeps what it was given for as long as its session lives (a disconnected session
two more minutes): at `--synthetic 100` a picker of 3,400 initiatives made per run held about
half a megabyte per session, labels formatted anew on every run. Given the shared labels, a
session keeps only Streamlit's own index of them.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from dashboard.ui.data import derived


@dataclass(frozen=True)
class Choices:
    """The options in order and each one's label; read them, never change them."""

    options: list[Any]
    labels: dict[Any, str]

    def label(self, option: Any) -> str:
        """The label of an option (a select box's format_func)."""
        return self.labels[option]


def _labelled(pairs: Iterable[tuple[Any, str]], pattern: str) -> Choices:
    labels = {key: pattern.format(key=key, name=name) for key, name in pairs}
    return Choices(list(labels), labels)


def shared_choices(pairs: Iterable[tuple[Any, str]], pattern: str, source: Hashable) -> Choices:
    """(key, name) pairs as options labelled by pattern ("{key}. {name}"), shared; source names
    what the pairs were made from (the query and the mission)."""
    return derived(_labelled, ("choices", source, pattern), pairs, pattern)
