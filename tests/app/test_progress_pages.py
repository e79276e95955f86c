"""Status against target and reporting completeness on Oversikt, Mål and Indikatorer, per role.

The seeded mission has no targets, so each test gives NEET-15-29 (Avdir reports it, down is
good, baseline 100 000 in 2022) a target made up for the test: 80 000 by 2030. The straight
line then asks 92 500 by the end of 2025. An operative enters and submits a 2025 value; a
partner sees none of it until a colleague approves it, the internal roles see it marked.
"""

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

import dashboard.ui.widgets
from dashboard.db import make_engine, session_scope
from dashboard.services.exports import to_csv
from dashboard.services.periods import create_period
from dashboard.services.permissions import Actor
from dashboard.services.reporting import approve_value, save_value, submit_value
from dashboard.services.users import actor_of
from models import Indicator, IndicatorValue, Mission, PeriodCreate, User

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.usefixtures("accounts")
OPERATIVE, COLLEAGUE, PARTNER = (
    "operativ@demo.invalid",
    "operativ2@demo.invalid",
    "partner@demo.invalid",
)
NB_SPACE = "\u00a0"


def engine() -> Engine:
    """The app's database (the accounts fixture points DATABASE_URL at it)."""
    return make_engine(os.environ["DATABASE_URL"])


def actor(email: str) -> Actor:
    with Session(engine()) as session:
        return actor_of(session.exec(select(User).where(User.email == email)).one())


def open_page(email: str, page: str, lang: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["actor"] = actor(email)
    if lang:
        at.session_state["lang"] = lang
    at.run()
    at.switch_page(f"../pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything written on the page (markdown, captions, headings, notices), unescaped."""
    parts = [*at.markdown, *at.caption, *at.header, *at.subheader, *at.info, *at.error]
    text = "\n".join(str(p.value) for p in parts) + "\n".join(e.label for e in at.expander)
    return text.replace("\\", "").replace(NB_SPACE, " ")


def frame_with(at: AppTest, column: str) -> list[pd.DataFrame]:
    """The tables on the page that have this column."""
    return [df.value for df in at.dataframe if column in df.value.columns]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def neet() -> Iterator[IndicatorValue]:
    """NEET-15-29 with a test target, an open 2025 period already overdue, and a 2025 value of
    92 000 submitted by the operative (on track: 8 000 down where the line asks 7 500).
    """
    with session_scope(write=True, engine=engine()) as session:
        indicator = session.exec(select(Indicator).where(Indicator.code == "NEET-15-29")).one()
        indicator.target_value, indicator.target_year = 80_000, 2030
        indicator_id = indicator.id
    assert indicator_id is not None
    yesterday = dt.date.today() - dt.timedelta(days=1)
    admin = actor("sekretariat@demo.invalid")
    period = create_period(
        admin,
        PeriodCreate(
            mission_id=admin.mission_id,
            label="2025",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
            due=yesterday,
        ),
        engine=engine(),
    )
    operative = actor(OPERATIVE)
    row = save_value(
        operative,
        indicator_id,
        period,
        {"value": "92 000", "comment": "test"},
        version=None,
        engine=engine(),
    )
    yield submit_value(operative, row.id or 0, row.version, engine=engine())


def approve(row: IndicatorValue) -> None:
    approve_value(actor(COLLEAGUE), row.id or 0, row.version, engine=engine())


def status_counts(at: AppTest) -> dict[str, Any]:
    [table] = frame_with(at, "Status mot mål")
    return dict(zip(table["Status mot mål"], table["Antall"], strict=True))


def test_the_overview_status_updates_when_a_colleague_approves(neet: IndicatorValue) -> None:
    partner = open_page(PARTNER, "oversikt")
    assert status_counts(partner)["I rute"] == 0  # the submitted value is not seen
    internal = open_page(OPERATIVE, "oversikt")
    [summary] = frame_with(internal, "Av dem foreløpige")
    row = summary.set_index("Status mot mål").loc["I rute"]
    assert (row["Antall"], row["Av dem foreløpige"]) == (1, 1)
    [key] = frame_with(internal, "Godkjenning")  # key indicators: the latest value's state
    neet_row = key.set_index("Indikator").loc[
        "Unge 15–29 år utenfor arbeid, utdanning og opplæring"
    ]
    assert neet_row["Godkjenning"] == "Sendt inn" and neet_row["Periode"] == "2025"
    assert "Godkjenning" not in partner.dataframe[0].value.columns

    approve(neet)
    partner = open_page(PARTNER, "oversikt")
    assert status_counts(partner)["I rute"] == 1
    assert "I rute" in texts(partner)  # a goal above NEET-15-29 is on track now
    # the main goal's status rests on one of its indicators, and says so
    assert re.search(r"I rute \(1 av \d+ indikatorer har mål og verdi\)", texts(partner))
    internal = open_page(OPERATIVE, "oversikt")
    [summary] = frame_with(internal, "Av dem foreløpige")
    assert summary.set_index("Status mot mål").loc["I rute", "Av dem foreløpige"] == 0


def test_the_overview_shows_what_is_missing_overdue_and_awaiting_approval(
    neet: IndicatorValue,
) -> None:
    internal = open_page(OPERATIVE, "oversikt")
    body = texts(internal)
    assert "Rapportering for 2025" in body and "har gått ut" in body
    shown = metrics(internal)
    assert shown["Venter på godkjenning"] == "1" and shown["Godkjent"] == "0"
    assert int(shown["Mangler"]) >= 1 and shown["Forfalt"] == shown["Indikatorer i perioden"]
    [outstanding] = frame_with(internal, "Forfalt")[-1:]
    row = outstanding.set_index("Kode").loc["NEET-15-29"]
    assert (row["Status"], row["Forfalt"], row["Verdi"]) == (
        "Sendt inn",
        "Ja",
        f"92{NB_SPACE}000 personer",
    )
    assert "Mangler" in set(outstanding["Status"])
    partner = open_page(PARTNER, "oversikt")
    assert metrics(partner)["Venter på godkjenning"] == "1"  # counts are for everyone
    assert not frame_with(partner, "Kode")  # which indicator is in which state is not
    assert "Hva gjenstår" not in texts(partner)


def test_the_indicator_page_explains_the_status_with_its_numbers(neet: IndicatorValue) -> None:
    at = open_page(OPERATIVE, "indikatorer", kode="NEET-15-29")
    body = texts(at)
    assert "I rute (foreløpig: sendt inn)" in body  # the badge
    assert "bygger på en verdi som ikke er godkjent ennå (sendt inn, 2025)" in body
    assert "Hvordan er status beregnet?" in body
    for line in (
        "Utgangsverdi: 100 000 personer (2022)",
        "Mål: 80 000 personer innen 2030",
        "Siste verdi: 92 000 personer (2025)",
        "Forventet verdi på den rette linjen ved periodens slutt (3 av 8 år fra utgangsverdien "
        "til målet): 92 500 personer",
        "forholdet mellom dem: 107 %",
        "i rute fra 95 % av forventet endring, noe framgang fra 50 %",
        "Forholdet gir statusen «I rute».",
    ):
        assert line in body, line
    english = open_page(OPERATIVE, "indikatorer", lang="en", kode="NEET-15-29")
    words = texts(english)
    assert "How is the status calculated?" in words
    assert "(3 of the 8 years from baseline to target): 92,500 personer" in words
    assert "On track (provisional: submitted)" in words


def test_a_partner_sees_no_draft_an_operative_sees_it_marked(neet: IndicatorValue) -> None:
    partner = open_page(PARTNER, "indikatorer", kode="NEET-15-29")
    assert "Ingen data" in texts(partner) and "92 000" not in texts(partner)
    assert not [c for c in partner.get("vega_lite_chart") if "Ikke godkjent" in str(c.proto)]
    operative = open_page(OPERATIVE, "indikatorer", kode="NEET-15-29")
    [chart] = operative.get("vega_lite_chart")
    assert "Ikke godkjent" in str(chart.proto)  # the hollow points' legend
    assert "1 av de målte verdiene er ikke godkjent ennå (sendt inn)" in texts(operative)
    [values] = frame_with(operative, "Kildemerknad")
    assert list(values["Status"]) == ["Sendt inn"]


def test_downloads_mark_the_state_for_operatives_and_hold_approved_rows_for_partners(
    neet: IndicatorValue, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: dict[str, pd.DataFrame] = {}
    real = dashboard.ui.widgets.downloads

    def record(frame: pd.DataFrame, base_name: str, key: str) -> None:
        offered[base_name] = frame
        real(frame, base_name, key)

    monkeypatch.setattr(dashboard.ui.widgets, "downloads", record)
    open_page(OPERATIVE, "indikatorer", kode="NEET-15-29")
    header = to_csv(offered["indikator-NEET-15-29"]).decode("utf-8-sig").splitlines()
    assert header[0].split(";")[:3] == ["Periode", "Verdi", "Status"]
    assert header[1].startswith("2025;92") and "Sendt inn" in header[1]
    open_page(OPERATIVE, "indikatorer")
    everything = offered["indikatorer"].set_index("Kode")
    assert everything.loc["NEET-15-29", "Godkjenning"] == "Sendt inn"
    assert everything.loc["NEET-15-29", "Status mot mål"] == "I rute (foreløpig: sendt inn)"

    offered.clear()
    open_page(PARTNER, "indikatorer", kode="NEET-15-29")
    assert "indikator-NEET-15-29" not in offered  # no approved value yet: nothing to download
    open_page(PARTNER, "indikatorer")
    everything = offered["indikatorer"].set_index("Kode")
    assert "Godkjenning" not in everything.columns
    assert everything.loc["NEET-15-29", "Siste verdi"] == "–"
    assert everything.loc["NEET-15-29", "Status mot mål"] == "Ingen data"
    approve(neet)
    open_page(PARTNER, "indikatorer", kode="NEET-15-29")
    series = offered["indikator-NEET-15-29"]
    assert list(series.columns) == ["Periode", "Verdi", "Kildemerknad"]
    assert list(series["Periode"]) == ["2025"]


def test_goals_show_their_status_and_their_indicators(neet: IndicatorValue) -> None:
    partner = open_page(PARTNER, "mal")
    rows = pd.concat(frame_with(partner, "Status mot mål")).set_index("Kode")
    assert set(rows.loc[["NEET-15-29"], "Status mot mål"]) == {"Ingen data"}
    assert "svakeste statusen" in texts(partner)  # the roll-up rule is explained
    operative = open_page(OPERATIVE, "mal")
    rows = pd.concat(frame_with(operative, "Status mot mål")).set_index("Kode")
    assert set(rows.loc[["NEET-15-29"], "Status mot mål"]) == {"I rute (foreløpig: sendt inn)"}
    labels = [e.label.replace("\\", "") for e in operative.expander]
    # a status rolled up from one of several indicators says so
    assert any(
        re.search(r"· I rute \(foreløpig\) \(1 av \d+ indikatorer har mål og verdi\)$", label)
        for label in labels
    ), labels
    assert "Foreløpig: bygger på verdier som ikke er godkjent ennå." in texts(operative)
    approve(neet)
    partner = open_page(PARTNER, "mal")
    rows = pd.concat(frame_with(partner, "Status mot mål")).set_index("Kode")
    assert set(rows.loc[["NEET-15-29"], "Status mot mål"]) == {"I rute"}
    assert "1 av 1 indikator med beregnet status er i rute" in texts(partner)


def completeness_script() -> None:
    """The completeness section as the Rapportering page will call it."""
    import streamlit as st

    from dashboard.ui.progress import completeness_section

    completeness_section(
        st.session_state["who"], st.session_state["mission"], st.session_state["period"]
    )


def section(email: str, period: int) -> AppTest:
    at = AppTest.from_function(completeness_script, default_timeout=60)
    with Session(engine()) as session:
        mission = session.exec(select(Mission.id)).first()
    at.session_state["who"], at.session_state["mission"] = actor(email), mission
    at.session_state["period"] = period
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_completeness_section_for_rapportering(neet: IndicatorValue) -> None:
    operative = section(OPERATIVE, neet.period_id)
    assert operative.header[0].value == "Rapportering for 2025"
    assert metrics(operative)["Venter på godkjenning"] == "1"
    [by_org] = frame_with(operative, "Organisasjon")[:1]
    assert by_org.set_index("Organisasjon").loc["Avdir", "Venter på godkjenning"] == 1
    assert "Sendt inn" in set(frame_with(operative, "Kode")[0]["Status"])
    assert len(operative.get("download_button")) == 2
    approve(neet)
    after = section(OPERATIVE, neet.period_id)
    assert metrics(after)["Godkjent"] == "1" and metrics(after)["Venter på godkjenning"] == "0"
    partner = section(PARTNER, neet.period_id)
    assert not frame_with(partner, "Kode") and not partner.get("download_button")
    missing = section(OPERATIVE, 9999)
    assert "Perioden finnes ikke" in missing.warning[0].value
