"""Keyboard use (issue 15): the focus ring's colour and CSS on every page, and grids whose
read-only cells look read-only. tests/browser/test_keyboard.py drives the same in Chromium."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.contrast import contrast, over

from dashboard.ui.style import FOCUS_COLOUR
from dashboard.ui.widgets import READ_ONLY_BACKGROUND

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def test_the_focus_ring_stands_out_from_the_page_the_sidebar_and_the_current_page() -> None:
    """3:1 (WCAG 2.2's focus appearance) against the page, the sidebar (#f8f8f7, as Chromium
    computes it), the current page's link (#a9a9a2 at 25 % over the sidebar) and a hovered one
    (15 %), and a field's box (#f0f2f6)."""
    sidebar = "#f8f8f7"
    for background in (
        "#ffffff",
        sidebar,
        over("#a9a9a2", sidebar, 0.25),
        over("#a9a9a2", sidebar, 0.15),
        "#f0f2f6",
    ):
        assert contrast(FOCUS_COLOUR, background) >= 3, background
    assert contrast("#111111", READ_ONLY_BACKGROUND) >= 4.5  # text on a read-only cell


@pytest.mark.usefixtures("accounts")
def test_every_page_run_adds_the_focus_ring_for_keyboard_focus_only() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    styles = [element.proto.body for element in at.get("html") if "<style>" in element.proto.body]
    assert len(styles) == 1
    assert f"outline: 3px solid {FOCUS_COLOUR}" in styles[0]
    assert ":focus-visible" in styles[0] and ":focus {" not in styles[0]


def _grid() -> None:
    import pandas as pd
    import streamlit as st

    from dashboard.ui.widgets import data_editor

    data_editor(
        pd.DataFrame({"code": ["A", "B"], "value": ["1", ""], "comment": ["", ""]}),
        key="grid",
        read_only=["code"],
        column_config={
            "code": st.column_config.TextColumn("Kode"),
            "value": st.column_config.TextColumn("Verdi", help="Tall"),
            "comment": "Kommentar",
        },
    )


def test_a_grids_read_only_columns_are_grey_say_so_and_the_caption_names_the_others() -> None:
    at = AppTest.from_function(_grid).run()
    assert not at.exception, at.exception
    assert [c.value for c in at.caption] == [
        "Du skriver i disse kolonnene: Verdi, Kommentar (merket med en blyant i overskriften). "
        "De grå kolonnene kan ikke endres."
    ]
    (grid,) = at.get("dataframe")
    columns = json.loads(grid.proto.columns)
    assert columns["code"]["disabled"] is True and columns["code"]["help"] == "Kan ikke endres."
    assert columns["value"]["help"] == "Tall" and not columns["value"].get("disabled")
    styles = grid.proto.arrow_data.styler.styles
    assert f"background-color: {READ_ONLY_BACKGROUND}" in styles
    assert "col0" in styles and "col1" not in styles and "col2" not in styles
