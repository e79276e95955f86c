"""Portefølje's analysis views and the Organisasjoner page, as a steering-group member reads
them: which subgoals have no initiative, which initiatives overlap, which agencies carry most."""

import pytest
from test_pages import open_page, texts

pytestmark = pytest.mark.usefixtures("app_env")


def test_coverage_names_the_subgoals_without_initiatives_and_splits_by_arena() -> None:
    at = open_page("portefolje", visning="matrise")
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert any(
        w.startswith("Delmål uten noen satsing (2): 3.3 Prosess, 3.4 Relasjoner") for w in warnings
    ), warnings
    assert any(
        w.startswith("Delmål med bare indirekte bidrag (2): 3.1 Innovasjon") for w in warnings
    )
    coverage = at.dataframe[0].value
    row = coverage[coverage["Mål"].str.endswith("3.3 Prosess")].iloc[0]
    assert row["Satsinger"] == 0 and "Ingen satsing" in row["Hull"]
    assert len(at.get("vega_lite_chart")) == 1  # the heatmap
    split = at.dataframe[-1].value
    assert {"Utdanning", "Arbeid", "Samfunnsliv", "Ikke oppgitt i kildene"} <= set(split.columns)
    whole = split.iloc[0]
    assert whole["Mål"] == "Hele utvalget" and whole["Ikke oppgitt i kildene"] == 18


def test_network_shows_groups_and_lists_the_same_links() -> None:
    at = open_page("portefolje", visning="nettverk")
    text = texts(at)
    assert "grupper med til sammen" in text
    assert len(at.get("graphviz_chart")) == 1
    listing = at.dataframe[0].value
    assert any(name.startswith("14. Pilot for programfinansiering") for name in listing["Fra"])
    assert "Del av" in set(listing["Kobling"])


def test_timeline_shows_dated_initiatives_and_says_which_have_no_years() -> None:
    at = open_page("portefolje", visning="tidslinje")
    assert len(at.get("vega_lite_chart")) == 1
    assert any("har ingen år i kildene" in e.label for e in at.expander)
