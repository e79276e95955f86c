"""Every table shown is safe to download with Streamlit's own toolbar («Download as CSV» writes
the cells as shown): text a spreadsheet would run is shown, and so downloaded, neutralised the
way the app's own downloads neutralise it."""

import ast
import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.services.exports import neutralise, restore, safe_frame, to_csv
from dashboard.ui import widgets

ROOT = Path(__file__).resolve().parents[2]
TABLE_CALLS = {"dataframe", "data_editor", "table"}
# The only places that may call Streamlit's table elements: the helpers that neutralise.
HELPERS = {
    ("dashboard/ui/widgets.py", name) for name in ("data_table", "data_editor", "field_table")
}
FORMULAS = ['=HYPERLINK("http://x.invalid","klikk")', "+1+1", "-2+3", "@SUM(A1)", "=1", "\tx"]
FORMULAS += ["-3+cmd|' /C calc'!A0", "+3 (x)", "-A1", "+SUM(1)", '-1 "x"']


def table_calls(path: Path) -> list[tuple[str, int]]:
    """(function, line) of each call of a table element in path (fpdf's self.table is a PDF)."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef) else function
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr in TABLE_CALLS
                and not (isinstance(child.func.value, ast.Name) and child.func.value.id == "self")
            ):
                found.append((name, child.lineno))
            visit(child, name)

    visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return found


def test_every_table_shown_goes_through_the_neutralising_helpers() -> None:
    files = [
        *ROOT.glob("dashboard/ui/**/*.py"),
        *ROOT.glob("pages/*.py"),
        ROOT / "dashboard/app.py",
    ]
    outside = [
        f"{path.relative_to(ROOT)}:{line} ({function})"
        for path in files
        for function, line in table_calls(path)
        if (str(path.relative_to(ROOT)), function) not in HELPERS
    ]
    assert outside == [], "use dashboard.ui.widgets.data_table / data_editor"
    assert len(table_calls(ROOT / "dashboard/ui/widgets.py")) == 3  # the helpers themselves


@pytest.mark.parametrize("formula", FORMULAS)
def test_formulas_are_neutralised_and_restored(formula: str) -> None:
    assert neutralise(formula) == "'" + formula
    assert restore(neutralise(formula)) == formula


FIGURES = ["-3", "+1,5 %", "-1 234,5", "+12", "-0.5", "+29 prosentpoeng", "-3 fra i fjor", "−3"]


@pytest.mark.parametrize("text", [*FIGURES, "Bærum", "'quoted", "-", "", "3-2"])
def test_figures_and_plain_text_keep_their_look(text: str) -> None:
    assert neutralise(text) == text
    assert restore(text) == text


def test_the_toolbar_download_and_the_app_download_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    notes = [*FORMULAS, *FIGURES, "Tromsø"]
    frame = pd.DataFrame({"=Merknad": notes, "Verdi": range(len(notes))})
    neutralised = ["'" + formula for formula in FORMULAS] + [*FIGURES, "Tromsø"]
    shown = safe_frame(frame)
    assert list(shown.columns) == ["'=Merknad", "Verdi"]
    assert list(shown["'=Merknad"]) == neutralised
    assert list(shown["Verdi"]) == list(range(len(notes)))
    # the tables give Streamlit (and so its toolbar) the neutralised frame
    given: list[Any] = []
    monkeypatch.setattr(widgets.st, "dataframe", lambda data, **_: given.append(data))
    monkeypatch.setattr(widgets.st, "data_editor", lambda data, **_: given.append(data) or data)
    widgets.data_table(frame, hide_index=True)
    widgets.data_editor(frame, key="grid", hide_index=True)
    pd.testing.assert_frame_equal(given[0].to_pandas(), shown)  # as an Arrow table
    assert list(given[1]["=Merknad"]) == neutralised  # the editor keeps the column names
    # the toolbar writes the cells as shown; the app's own CSV holds the same cells
    rows = list(csv.reader(io.StringIO(to_csv(frame).decode("utf-8-sig")), delimiter=";"))
    assert rows == [["'=Merknad", "Verdi"], *([n, str(i)] for i, n in enumerate(neutralised))]


def tables_script() -> None:
    import pandas as pd
    import streamlit as st

    from dashboard.ui.widgets import data_editor, data_table

    frame = pd.DataFrame({"note": ['=HYPERLINK("http://x.invalid")', "-3", "Tromsø"]})
    data_table(frame, hide_index=True)
    edited = data_editor(frame, key="grid", hide_index=True)
    st.session_state["edited"] = list(edited["note"])


def test_tables_and_editors_show_neutralised_text_and_give_back_what_is_stored() -> None:
    at = AppTest.from_function(tables_script, default_timeout=30)
    at.run()
    assert not at.exception
    assert list(at.dataframe[0].value["note"]) == [
        '\'=HYPERLINK("http://x.invalid")',
        "-3",
        "Tromsø",
    ]
    # the editor shows the same, and what nobody changed comes back as stored
    assert at.session_state["edited"] == ['=HYPERLINK("http://x.invalid")', "-3", "Tromsø"]


def test_a_categorical_text_column_is_neutralised_too() -> None:
    frame = pd.DataFrame({"kommune": pd.Categorical(["=HYPERLINK(1)", "Halden"])})
    assert list(safe_frame(frame)["kommune"]) == ["'=HYPERLINK(1)", "Halden"]
