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
    assert "Mulige overlapp" in [s.value for s in at.header]
    shared = at.dataframe[0].value
    assert any(
        "30. IPS Ung" in which and "33. Utenforfloken 3.0" in which for which in shared["Satsinger"]
    )
    coverage = at.dataframe[1].value
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


def test_the_network_with_goals_and_organisations_and_a_filter() -> None:
    at = open_page("portefolje", visning="nettverk", lag=["maal", "org"], kategori="3")
    listing = at.dataframe[0].value
    kinds = set(listing["Kobling"])
    assert "Ansvarlig" in kinds and "Direkte 3" in kinds  # organisations and goals are drawn
    assert any(name.startswith("2.1 ") for name in listing["Til"])
    assert len(at.get("graphviz_chart")) == 1


def test_the_views_speak_english() -> None:
    at = open_page("portefolje", lang="en", visning="matrise")
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert any(w.startswith("Subgoals without any initiative (2): 3.3") for w in warnings)
    timeline = open_page("portefolje", lang="en", visning="tidslinje")
    assert any("have no years in the sources" in e.label for e in timeline.expander)


def test_organisations_show_who_carries_the_portfolio_and_one_organisations_part() -> None:
    at = open_page("organisasjoner")
    load = at.dataframe[-1].value
    assert load["Organisasjon"].iloc[0] == "Hdir" and load["Ansvarlig for satsinger"].iloc[0] == 9
    assert "organisasjoner?organisasjon=Udir&oppdrag=inkludering-barn-unge" in set(load["Lenke"])
    udir = open_page("organisasjoner", organisasjon="Udir")
    assert udir.header[0].value == "Udir – Utdanningsdirektoratet"
    metrics = {m.label: m.value for m in udir.metric}
    assert (
        metrics["Ansvarlig for satsinger"] == "6" and metrics["Indikatorer den rapporterer"] == "3"
    )
    initiatives, bodies, indicators = (df.value for df in udir.dataframe)
    assert "9. 0-24-samarbeidet" in set(initiatives["Satsing"])
    assert "Operativ gruppe" in set(bodies["Organ"])
    assert "MOBBING-6-15" in set(indicators["Kode"])


def test_an_unknown_organisation_in_the_link_is_told() -> None:
    at = open_page("organisasjoner", organisasjon="Finnes-ikke")
    assert "Fant ingen organisasjon «Finnes-ikke»" in texts(at)
    assert at.header[0].value == "Hvem bærer porteføljen"


def test_organisasjoner_opened_after_portefolje_shows_the_overview() -> None:
    at = open_page("portefolje")
    at.switch_page("../pages/organisasjoner.py")
    at.run()
    assert not at.exception, at.exception
    assert at.header[0].value == "Hvem bærer porteføljen"
    assert "organisasjon" not in at.query_params
