"""Every page, run through Streamlit's AppTest on the seeded mission, shows real content."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")

pytestmark = pytest.mark.usefixtures("app_env")


def open_page(page: str | None = None, lang: str | None = None, **params: str) -> AppTest:
    """Run the app as a partner and open a page with query parameters."""
    at = AppTest.from_file(APP, default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(f"../pages/{page}.py")
        at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """All markdown, captions, headers and notices of a run, joined."""
    parts = [*at.markdown, *at.caption, *at.header, *at.subheader, *at.info, *at.error]
    return "\n".join(str(p.value) for p in parts).replace("\\", "")


def test_overview_shows_the_mission_at_a_glance() -> None:
    at = open_page()
    assert at.title[0].value == "Oversikt"
    assert at.header[0].value.startswith("Målrettet samfunnsoppdrag")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Satsinger"] == "34" and metrics["Tidshorisont"] == "2033"
    indicators = at.dataframe[0].value
    assert "Unge 15–29 år utenfor arbeid, utdanning og opplæring" in set(indicators["Indikator"])
    assert "100\u00a0000 personer" in set(indicators["Utgangsverdi"])
    assert list(indicators.columns) == [
        "Indikator",
        "Utgangsverdi",
        "År",
        "Siste verdi",
        "Periode",
        "Mål",
    ]
    assert "–" in set(indicators["År"])  # a baseline without a year says so, not "None"
    assert "Ingen statusrapport er godkjent ennå" in texts(at)


def test_goals_page_shows_the_tree_with_indicators_and_initiatives() -> None:
    at = open_page("mal")
    labels = [e.label.replace("\\", "") for e in at.expander]
    assert labels[0].startswith("0 ")
    assert any(label.startswith("1.1 Skole og kvalifisering") for label in labels)
    assert len(labels) == 15
    assert "Forslag" in texts(at)
    initiatives = {
        name for df in at.dataframe if "Satsing" in df.value for name in df.value["Satsing"]
    }
    assert "IPS Ung" in initiatives


def test_portfolio_table_and_filters_from_the_url() -> None:
    everything = open_page("portefolje")
    assert len(everything.dataframe[0].value) == 34
    assert "Viser 34 av 34 satsinger." in texts(everything)
    filtered = open_page("portefolje", kategori="3", fokus="research")
    table = filtered.dataframe[0].value
    assert sorted(table["Nr."]) == [6, 7, 10]
    assert set(table["Lenke"]) == {
        f"satsing?nr={n}&oppdrag=inkludering-barn-unge" for n in (6, 7, 10)
    }
    assert "Viser 3 av 34 satsinger." in texts(filtered)
    ignored = open_page("portefolje", kategori="99")
    assert len(ignored.dataframe[0].value) == 34


def test_initiative_deep_link() -> None:
    at = open_page("satsing", nr="9")
    assert at.header[0].value.replace("\\", "") == "9. 0-24-samarbeidet"
    body = texts(at)
    assert "Udir" in body and "Konfliktrådet" in body
    assert "2015–2020" in body  # the other source's dates, shown as a note


def test_unknown_initiative_number_says_so() -> None:
    at = open_page("satsing", nr="999")
    assert "Fant ingen satsing med nummer 999" in texts(at)
    assert not at.header


def test_indicator_page_shows_chart_metadata_and_downloads() -> None:
    at = open_page("indikatorer", kode="LAVINNTEKT-BARN-ANDEL")
    assert at.header[0].value == "Andel barn i familier med vedvarende lavinntekt"
    body = texts(at)
    assert "Utgangsverdien er 4\u00a0% (2000)" in body  # text alternative of the chart
    assert "Ingen målverdi er fastsatt" in body
    assert len(at.get("vega_lite_chart")) == 1
    values = at.dataframe[1].value
    assert list(values["Periode"]) == ["2017"] and list(values["Verdi"]) == ["11\u00a0%"]
    assert len(at.get("download_button")) == 2
    metadata = at.table[-1].value
    assert "Epland & Normann 2019 (SSB)" in {v.replace("\\", "") for v in metadata.iloc[:, 1]}


def test_indicator_list_links_to_each_indicator() -> None:
    at = open_page("indikatorer")
    table = at.dataframe[0].value
    assert len(table) == 11
    assert "indikatorer?kode=NEET-15-29&oppdrag=inkludering-barn-unge" in set(table["Lenke"])
    row = table.set_index("Kode").loc["VGO-IKKE-FULLFORT"]
    assert row["Utgangsverdi"] == "24,7\u00a0%" and row["Mål"] == "Ikke fastsatt"
    assert len(at.get("download_button")) == 2
    unknown = open_page("indikatorer", kode="FINNES-IKKE")
    assert "Fant ikke indikatoren" in texts(unknown)


def test_governance_page_shows_bodies_members_and_deliverables() -> None:
    at = open_page("styring")
    names = [s.value for s in at.subheader]
    assert "Operativ gruppe" in names and "Styringsgruppe" in names
    operative = next(
        df.value
        for df in at.dataframe
        if "Forskningsrådet" in set(df.value.get("Organisasjon", []))
    )
    assert operative.set_index("Organisasjon").loc["Forskningsrådet", "Leder"] == "Ja"
    assert len(operative) == 9
    deliverables = next(df.value for df in at.dataframe if "Levert" in df.value.columns)
    assert len(deliverables) == 7 and "juni 2023" in set(deliverables["Levert"])


def test_knowledge_page_lists_findings_a_to_w() -> None:
    at = open_page("kunnskapsgrunnlag")
    assert len(at.header) == 5
    letters = [m.value[2] for m in at.markdown if m.value.startswith("**") and m.value[3:5] == "**"]
    assert "".join(letters) == "ABCDEFGHIJKLMNOPQRSTUVW"
    framework = open_page("kunnskapsgrunnlag", tema="framework")
    assert "1 hovedfunn og 4 delfunn." in texts(framework)


def test_english_is_selectable() -> None:
    at = open_page("portefolje", lang="en")
    assert at.title[0].value == "Portfolio"
    assert "Showing 34 of 34 initiatives." in texts(at)
    assert at.dataframe[0].value["Status"].iloc[0] == "Ongoing"


def test_portfolio_views_from_the_url() -> None:
    matrix = open_page("portefolje", visning="matrise", kategori="9")
    coverage = next(df.value for df in matrix.dataframe if "Hull" in df.value.columns)
    counts = dict(zip(coverage["Mål"].str.strip(), coverage["Satsinger"], strict=True))
    assert (
        counts["1.1 Skole og kvalifisering"] == 7
        and counts["2.1 Samarbeid på tvers av sektorer, forvaltningsnivåer og aktører"] == 0
    )
    heatmap = next(df.value for df in matrix.dataframe if "Styrke (1–3)" in df.value.columns)
    assert len(heatmap) == 14 and set(heatmap[heatmap["Mål"] == "1.1"]["Styrke (1–3)"]) == {3}
    links = open_page("portefolje", visning="koblinger")
    kinds = set(links.dataframe[0].value["Kobling"])
    assert "Del av" in kinds
    assert any(
        "14. Pilot for programfinansiering" in row for row in links.dataframe[0].value["Fra"]
    )


def test_a_link_that_changes_the_url_updates_the_page() -> None:
    at = open_page("indikatorer", kode="NEET-15-29")
    assert at.header[0].value.startswith("Unge 15")
    at.button[0].click()  # «Tilbake til alle indikatorer»
    at.run()
    assert at.header[0].value == "Alle indikatorer"
    assert "kode" not in at.query_params
    at.query_params["kode"] = "NEET-15-29"  # a link that changes the URL
    at.run()
    assert at.header[0].value.startswith("Unge 15")
    del at.query_params["kode"]
    at.run()
    assert at.header[0].value == "Alle indikatorer"
    at.query_params["kode"] = "VGO-IKKE-FULLFORT"
    at.run()
    assert "videregående" in at.header[0].value


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_accessibility_statement_names_conformance_exceptions_and_where_to_report(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.i18n import translate
    from dashboard.settings import get_settings

    at = open_page("tilgjengelighet", lang=lang)
    shown = texts(at)
    assert at.title[0].value == translate(lang, "page.accessibility")
    assert [h.value for h in at.header] == [
        translate(lang, f"accessibility.{key}")
        for key in ("conformance", "testing", "exceptions", "report")
    ]
    assert "WCAG 2.1" in shown and "uutilsynet.no" in shown
    assert "Skip to main content" in shown  # the framework's English, named
    assert translate(lang, "accessibility.report_secretariat") in shown
    monkeypatch.setenv("ACCESSIBILITY_CONTACT", "uu@example.invalid")
    get_settings.cache_clear()
    try:
        shown = texts(open_page("tilgjengelighet", lang=lang))
    finally:
        monkeypatch.delenv("ACCESSIBILITY_CONTACT")
        get_settings.cache_clear()
    assert "[uu@example.invalid](mailto:uu@example.invalid)" in shown


def test_the_accessibility_statement_is_open_where_only_signing_in_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dashboard.settings import get_settings

    monkeypatch.setenv("PUBLIC_READ", "false")
    get_settings.cache_clear()
    try:
        at = open_page("tilgjengelighet")
        assert at.title[0].value == "Tilgjengelighet"
    finally:
        monkeypatch.delenv("PUBLIC_READ")
        get_settings.cache_clear()
