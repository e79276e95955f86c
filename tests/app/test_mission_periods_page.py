"""The pages that list or make periods show the chosen mission's only (?oppdrag=KEY): the
secretariat's periods tab, the period to report for, and the steering group's re-opening."""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from support.apptest import fill_period_form, open_page

from dashboard.db import make_engine, session_scope
from dashboard.services.missions import set_role
from models import Mission, Period, Role, User

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
ADMIN = "sekretariat@demo.invalid"
STEERING = "styringsgruppe@demo.invalid"
OPERATIVE = "operativ@demo.invalid"
pytestmark = pytest.mark.usefixtures("accounts")


def session() -> Session:
    return Session(make_engine(os.environ["DATABASE_URL"]))


def plain(elements: Any) -> str:
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture
def other() -> int:
    """A second mission «annet» with an open 2026 and a locked 2015 of its own, where the
    steering group's member and an operative have their roles too."""
    with session_scope(write=True, engine=make_engine(os.environ["DATABASE_URL"])) as s:
        mission = Mission(key="annet", title="Et annet oppdrag")
        s.add(mission)
        s.flush()
        assert mission.id is not None
        for label, locked in (("2026", False), ("2015", True)):
            first = int(label)
            s.add(
                Period(
                    mission_id=mission.id,
                    label=label,
                    start=dt.date(first, 1, 1),
                    end=dt.date(first, 12, 31),
                    locked=locked,
                )
            )
        for email, role in ((STEERING, Role.STEERING), (OPERATIVE, Role.OPERATIVE)):
            person = s.exec(select(User.id).where(User.email == email)).one()
            set_role(s, person or 0, mission.id, role)
        return mission.id


def labels(mission: int) -> set[str]:
    with session() as s:
        return set(s.exec(select(Period.label).where(Period.mission_id == mission)).all())


def test_the_periods_tab_lists_and_makes_the_chosen_missions_periods(other: int) -> None:
    with session() as s:
        real = s.exec(select(Mission.id).where(Mission.key != "annet")).one()
    assert "2017" in labels(real)  # the seed's locked years: a label the other mission lacks
    at = open_page(ADMIN, "administrasjon", oppdrag="annet")
    [table] = [d for d in at.dataframe if "Låst" in d.value.columns]
    assert sorted(table.value["Periode"]) == ["2015", "2026"]
    fill_period_form(at, "2017", "annual", dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    assert not at.exception, at.exception
    assert "Perioden 2017 er opprettet." in plain(at.success)
    assert labels(other) == {"2015", "2017", "2026"}  # the same label as the real mission's
    [due] = [w for w in at.selectbox if w.key == "due-period"]
    assert len(due.options) == 3  # the chosen mission's three, not the real one's years


def test_the_period_to_report_for_is_one_of_the_chosen_missions(other: int) -> None:
    with session_scope(write=True, engine=make_engine(os.environ["DATABASE_URL"])) as s:
        real = s.exec(select(Mission.id).where(Mission.key != "annet")).one()
        s.add(  # an open period of the real mission, with a label the other lacks
            Period(
                mission_id=real, label="2025", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
            )
        )
    at = open_page(OPERATIVE, "rapportering", oppdrag="annet")
    [choice] = [w for w in at.selectbox if w.key == "url:periode"]
    assert choice.options == ["2026"]
    at = open_page(OPERATIVE, "rapportering")  # the real mission (the default)
    [choice] = [w for w in at.selectbox if w.key == "url:periode"]
    assert choice.options == ["2025"]


def test_the_steering_group_reopens_only_the_chosen_missions_locked_periods(
    other: int,
) -> None:
    at = open_page(STEERING, "styring", oppdrag="annet")
    [choice] = [w for w in at.selectbox if w.key == "reopen-period-choice"]
    assert choice.options == ["2015"]  # the real mission's locked years are not offered
