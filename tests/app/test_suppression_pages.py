"""Small-number suppression on the pages (issue 19): a whole-country count below
SUPPRESS_BELOW (5) reads «:» with a short explanation for partners and visitors, on Oversikt,
Indikatorer, their downloads and the status report; the internal roles see the number marked
«skjult ved publisering».

NEET-15-29 (a count of persons) gets an approved 2025 value of 3, made up for the test.
"""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from support.apptest import actor, engine, open_page

import dashboard.ui.widgets
from dashboard.services.exports import to_csv
from dashboard.services.framework import editable_indicator, update_indicator
from dashboard.services.periods import create_period
from dashboard.services.reporting import approve_value, save_value, submit_value
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    submit_report,
    update_texts,
)
from models import Indicator, IndicatorUpdate, Mission, PeriodCreate

pytestmark = pytest.mark.usefixtures("accounts")
OPERATIVE, COLLEAGUE, PARTNER, STEERING, ADMIN = (
    "operativ@demo.invalid",
    "operativ2@demo.invalid",
    "partner@demo.invalid",
    "styringsgruppe@demo.invalid",
    "sekretariat@demo.invalid",
)
NB_SPACE = "\u00a0"
NOTE = "Skjult fordi tallet bygger på færre enn 5 personer"
SHOWN = "3 personer"
MARKED = "3 personer (skjult ved publisering)"


def everything(at: AppTest) -> str:
    """Every text and table cell on the page, unescaped."""
    parts = [*at.markdown, *at.caption, *at.header, *at.subheader, *at.info, *at.error]
    text = "\n".join(str(p.value) for p in parts)
    text += "\n".join(e.label for e in at.expander)
    text += "\n".join(df.value.to_csv() for df in at.dataframe)
    return text.replace("\\", "").replace(NB_SPACE, " ")


def frame_with(at: AppTest, column: str) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe if column in df.value.columns]


def neet_row(frames: list[pd.DataFrame]) -> pd.Series:
    [table] = frames
    return table.set_index("Indikator").loc["Unge 15–29 år utenfor arbeid, utdanning og opplæring"]


@pytest.fixture
def small() -> Iterator[int]:
    """NEET-15-29 with an approved 2025 value of 3 persons; the 2025 period's id."""
    with Session(engine()) as session:
        indicator = session.exec(select(Indicator).where(Indicator.code == "NEET-15-29")).one()
        assert indicator.id is not None
        indicator_id = indicator.id
    admin = actor(ADMIN)
    period = create_period(
        admin,
        PeriodCreate(
            mission_id=admin.mission_id,
            label="2025",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
            due=dt.date.today() + dt.timedelta(days=30),
        ),
        engine=engine(),
    )
    operative = actor(OPERATIVE)
    row = save_value(operative, indicator_id, period, {"value": "3"}, version=None, engine=engine())
    row = submit_value(operative, row.id or 0, row.version, engine=engine())
    approve_value(actor(COLLEAGUE), row.id or 0, row.version, engine=engine())
    yield period


def test_a_partner_sees_a_colon_and_why_on_indikatorer(small: int) -> None:
    for who in (PARTNER, None):  # a partner, and a visitor who has not signed in
        at = open_page(who, "indikatorer", kode="NEET-15-29")
        text = everything(at)
        assert NOTE in text
        assert SHOWN not in text and "skjult ved publisering" not in text
        [values] = frame_with(at, "Kildemerknad")
        assert list(values["Verdi"]) == [":"]
        assert "Siste verdi: : (2025)" in text  # how the status is computed: no number
        # the chart has no point for 2025, only the baseline
        [chart] = at.get("vega_lite_chart")
        assert "2025" not in str(chart.proto) and "2022" in str(chart.proto)
        listing = open_page(who, "indikatorer")
        assert neet_row(frame_with(listing, "Siste verdi"))["Siste verdi"] == ":"
        assert NOTE in everything(listing)


def test_an_operative_sees_the_number_marked(small: int) -> None:
    at = open_page(OPERATIVE, "indikatorer", kode="NEET-15-29")
    text = everything(at)
    [values] = frame_with(at, "Kildemerknad")
    assert list(values["Verdi"]) == [MARKED]
    assert "partnere og besøkende ser «:» i stedet" in text
    assert "Siste verdi: 3 personer (skjult ved publisering) (2025)" in text
    [chart] = at.get("vega_lite_chart")
    assert "2025" in str(chart.proto)
    assert "2025, skjult ved publisering" in str(chart.proto)  # the tooltip says so
    assert "3 personer (2025, skjult ved publisering)" in text  # and the text alternative
    overview = open_page(OPERATIVE, "oversikt")
    assert neet_row(frame_with(overview, "Siste verdi"))["Siste verdi"] == MARKED


def test_oversikt_hides_the_number_from_a_partner(small: int) -> None:
    at = open_page(PARTNER, "oversikt")
    assert neet_row(frame_with(at, "Siste verdi"))["Siste verdi"] == ":"
    text = everything(at)
    assert NOTE in text and SHOWN not in text


def test_a_partners_downloads_hold_no_number(small: int, monkeypatch: pytest.MonkeyPatch) -> None:
    offered: dict[str, pd.DataFrame] = {}
    real = dashboard.ui.widgets.downloads

    def record(frame: pd.DataFrame, base_name: str, key: str) -> None:
        offered[base_name] = frame
        real(frame, base_name, key)

    monkeypatch.setattr(dashboard.ui.widgets, "downloads", record)
    open_page(PARTNER, "indikatorer", kode="NEET-15-29")
    open_page(PARTNER, "indikatorer")
    series = to_csv(offered["indikator-NEET-15-29"]).decode("utf-8-sig").splitlines()
    assert series[1].startswith("2025;:;")
    listing = to_csv(offered["indikatorer"]).decode("utf-8-sig")
    assert ";:;" in listing
    for text in (series, listing):
        assert SHOWN not in str(text).replace(NB_SPACE, " ")
    offered.clear()
    open_page(OPERATIVE, "indikatorer", kode="NEET-15-29")
    series = to_csv(offered["indikator-NEET-15-29"]).decode("utf-8-sig").replace(NB_SPACE, " ")
    assert MARKED in series


def test_the_status_report_hides_the_number_from_a_partner(small: int) -> None:
    with Session(engine()) as session:
        mission = session.exec(select(Mission.id)).one()
    operative = actor(OPERATIVE)
    report = create_draft(operative, mission, small, today=dt.date.today(), engine=engine())
    report = update_texts(
        operative,
        report.id or 0,
        {"summary": "Sammendrag", "version": report.version},
        engine=engine(),
    )
    report = submit_report(operative, report.id or 0, report.version, engine=engine())
    report = approve_report(actor(STEERING), report.id or 0, report.version, engine=engine())

    partner = open_page(PARTNER, "statusrapporter", rapport=str(report.id))
    row = frame_with(partner, "Siste verdi")[0].set_index("Kode").loc["NEET-15-29"]
    assert row["Siste verdi"] == ":"
    text = everything(partner)
    assert NOTE in text and SHOWN not in text
    steering = open_page(STEERING, "statusrapporter", rapport=str(report.id))
    row = frame_with(steering, "Siste verdi")[0].set_index("Kode").loc["NEET-15-29"]
    assert row["Siste verdi"].replace(NB_SPACE, " ") == MARKED


@pytest.fixture
def small_baseline() -> None:
    """NEET-15-29's baseline changed from 100 000 to 4 persons (made up for the test), so its
    history holds a small count."""
    with Session(engine()) as session:
        mission = session.exec(select(Mission.id)).one()
        shown = editable_indicator(session, mission, "NEET-15-29")
    assert shown is not None
    update_indicator(
        actor(ADMIN),
        shown.id,
        IndicatorUpdate(baseline_value=4, reason="Rettet etter ny kjøring"),
        seen=shown.fingerprint,
        engine=engine(),
    )


def history_row(at: AppTest) -> pd.Series:
    [history] = frame_with(at, "Begrunnelse")
    return history.set_index("Felt").loc["Utgangsverdi"]


def test_the_indicator_history_hides_a_small_baseline_from_a_partner(
    small_baseline: None,
) -> None:
    for who in (PARTNER, None):
        at = open_page(who, "indikatorer", kode="NEET-15-29")
        row = history_row(at)
        assert row["Etter"] == ":"
        assert row["Før"].replace(NB_SPACE, " ") == "100 000"
        assert NOTE in everything(at)
    at = open_page(STEERING, "indikatorer", kode="NEET-15-29")
    assert history_row(at)["Etter"] == "4 (skjult ved publisering)"


def test_the_secretariats_indicator_list_shows_the_number_marked(small: int) -> None:
    at = open_page(ADMIN, "administrasjon")
    assert neet_row(frame_with(at, "Siste verdi"))["Siste verdi"] == MARKED
    assert "partnere og besøkende ser «:» i stedet" in everything(at)
