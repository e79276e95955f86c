"""Children's and young people's involvement through AppTest, by role: the operative group
records it for its own initiative on Satsing (a missing method is caught and nothing saved), the
secretariat for any, a visitor, a partner and the steering group read it with no form; Portefølje
(visning=medvirkning) counts the portfolio per rung of Hart's ladder and names, with links, the
initiatives not assessed."""

from typing import Any

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from test_check_in_page import AVDIR_INITIATIVE
from test_portfolio_edit_page import initiative_id, satsing
from test_reporting_page import engine, open_page

from models import Initiative, InitiativeInvolvement

pytestmark = pytest.mark.usefixtures("accounts")
TITLE = "Medvirkning fra barn og unge"


def form_key(number: int) -> str:
    return f"involvement-{initiative_id(number)}"


def widget(at: AppTest, key: str) -> Any:
    for found in [*at.radio, *at.selectbox, *at.text_input, *at.multiselect]:
        if found.key == key:
            return found
    raise AssertionError(f"no widget {key}")


def save(at: AppTest, key: str) -> None:
    [button] = [b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:{key}")]
    button.click()
    at.run()
    assert not at.exception, at.exception


def profile(at: AppTest) -> str:
    """The profile tables' text as read (st.table renders markdown: escapes dropped)."""
    return " ".join(str(t.value.to_dict()) for t in at.table).replace("\\", "")


def stored() -> list[InitiativeInvolvement]:
    with Session(engine()) as session:
        return list(session.exec(select(InitiativeInvolvement)).all())


def test_the_operative_group_records_involvement_and_others_read_it() -> None:
    at = satsing("operativ@demo.invalid", AVDIR_INITIATIVE)
    assert TITLE in [s.value for s in at.subheader]
    assert "Ikke vurdert" in profile(at)
    key = form_key(AVDIR_INITIATIVE)
    widget(at, f"{key}-choice").set_value("involved")
    widget(at, f"{key}-rung").set_value(6)
    save(at, key)  # no method
    assert any("Metode" in e.value for e in at.error), [e.value for e in at.error]
    assert stored() == []
    widget(at, f"{key}-method").input("Ungdomsråd som er med og bestemmer")
    widget(at, f"{key}-phases").set_value(["design", "evaluation"])
    widget(at, f"{key}-participants").set_value("tens")
    save(at, key)
    assert [s.value for s in at.success] == ["Medvirkningen er lagret."]
    [row] = stored()
    assert (row.involved, row.rung, row.phases, row.participants) == (
        True,
        6,
        ["design", "evaluation"],
        "tens",
    )

    for email in (None, "partner@demo.invalid", "styringsgruppe@demo.invalid"):
        page = satsing(email, AVDIR_INITIATIVE)
        shown = profile(page)
        assert "6. Voksne tar initiativ, beslutningene deles med barn og unge" in shown
        assert "Ungdomsråd som er med og bestemmer" in shown
        assert "Idé og utforming, Evaluering" in shown and "10–99" in shown
        assert not [r for r in page.radio if r.key and r.key.startswith("involvement-")]

    english = satsing("partner@demo.invalid", AVDIR_INITIATIVE, lang="en")
    assert "Involvement of children and young people" in [s.value for s in english.subheader]
    assert "6. Adult-initiated, decisions shared with children and young people" in profile(english)


def test_the_secretariat_records_no_involvement_for_any_initiative() -> None:
    at = satsing("sekretariat@demo.invalid", 9)
    key = form_key(9)
    widget(at, f"{key}-choice").set_value("none")
    save(at, key)
    assert [s.value for s in at.success] == ["Medvirkningen er lagret."]
    assert "Ingen medvirkning" in profile(at)
    [row] = stored()
    assert (row.involved, row.rung, row.method) == (False, None, None)


def test_the_portfolio_by_rung_counts_each_level_and_names_those_not_assessed() -> None:
    at = satsing("sekretariat@demo.invalid", 9)
    key = form_key(9)
    widget(at, f"{key}-choice").set_value("involved")
    widget(at, f"{key}-method").input("Intervjuer med elever")
    widget(at, f"{key}-rung").set_value(5)
    save(at, key)
    with Session(engine()) as session:
        initiatives = session.exec(select(Initiative).order_by(Initiative.number)).all()

    for email in ("partner@demo.invalid", "operativ@demo.invalid"):
        page = open_page(email, "portefolje")
        page.query_params["visning"] = "medvirkning"
        page.run()
        assert not page.exception, page.exception
        assert "Porteføljen på deltakelsesstigen" in [h.value for h in page.header]
        [counts] = [f.value for f in page.dataframe if "Medvirkning" in f.value.columns][:1]
        levels = dict(zip(counts["Medvirkning"], counts["Satsinger"], strict=True))
        assert levels["5. Rådspurt og informert"] == 1
        assert levels["Ikke vurdert"] == len(initiatives) - 1
        assert levels["Ingen medvirkning"] == 0 and len(levels) == 10
        links = " ".join(m.value for m in page.markdown)
        assert (
            "(satsing?nr=9&oppdrag=inkludering-barn-unge)" not in links
        )  # assessed: not among those named
        for item in initiatives:
            if item.number != 9:
                assert f"(satsing?nr={item.number}&oppdrag=inkludering-barn-unge)" in links
        assessed = [f.value for f in page.dataframe if "Lenke" in f.value.columns]
        assert [t["Nr."].tolist() for t in assessed] == [[9]]
        assert len(page.get("vega_lite_chart")) == 1


def test_no_initiative_matching_the_filters_says_so_and_nothing_contradicts_it() -> None:
    """Filters that match no initiative: the view says none match (as Satsinger does), not
    «none assessed» beside «all assessed» over an empty chart."""
    page = open_page("partner@demo.invalid", "portefolje")
    page.query_params["visning"] = "medvirkning"
    page.query_params["kategori"] = "1"
    page.query_params["status"] = "unknown"
    page.query_params["omfang"] = "national"
    page.query_params["fokus"] = "system"
    page.run()
    assert not page.exception, page.exception
    shown = [c.value for c in page.caption]
    assert "Viser 0 av 34 satsinger." in shown, shown
    assert [i.value for i in page.info] == [
        "Ingen satsinger passer filtrene. Fjern ett eller flere filtre for å se flere."
    ]
    assert "Alle satsingene som er valgt, er vurdert." not in shown
    assert not page.get("vega_lite_chart")


def test_the_assessed_table_words_unknown_and_not_applicable_cells() -> None:
    """An involved initiative whose numbers are not known reads «Ikke kjent», and one with no
    involvement has no method («–»): never a catalogue key (enum.ParticipantBand.nan) nor
    pandas' NaN or Python's None."""
    for number, choice, band in (
        (2, "involved", "tens"),
        (9, "involved", None),
        (13, "none", None),
    ):
        at = satsing("sekretariat@demo.invalid", number)
        key = form_key(number)
        widget(at, f"{key}-choice").set_value(choice)
        if choice == "involved":
            widget(at, f"{key}-method").input("Spørreundersøkelse")
            widget(at, f"{key}-rung").set_value(3)
            widget(at, f"{key}-participants").set_value(band)
        save(at, key)
    page = open_page("operativ@demo.invalid", "portefolje")
    page.query_params["visning"] = "medvirkning"
    page.run()
    assert not page.exception, page.exception
    [table] = [f.value for f in page.dataframe if "Lenke" in f.value.columns]
    rows = {r["Nr."]: r for r in table.to_dict("records")}
    assert (rows[9]["Omtrent hvor mange"], rows[9]["Faser"]) == ("Ikke kjent", "Ikke oppgitt")
    assert rows[9]["Metode"] == "Spørreundersøkelse"
    assert (rows[13]["Omtrent hvor mange"], rows[13]["Metode"]) == ("–", "–")
    assert rows[2]["Omtrent hvor mange"] == "10–99"
