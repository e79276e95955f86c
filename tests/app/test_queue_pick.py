"""Rapportering's approval queues (values, check-ins) when a colleague reviews meanwhile: the
click acts on the entry the person saw chosen, never on the next one that took its place in the
list when a colleague approved the first (four eyes: nobody approves what they never saw)."""

import datetime as dt

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest
from test_check_in_page import AVDIR_INITIATIVE
from test_reporting_page import actor, engine, neet_id, open_page, quarter

from dashboard.services.periods import create_period
from dashboard.services.permissions import Actor
from dashboard.services.reporting import (
    approve_check_in,
    approve_value,
    save_check_in,
    save_value,
    submit_check_in,
    submit_value,
)
from dashboard.services.users import create_user
from models import CheckIn, EntryStatus, IndicatorValue, PeriodCreate, Role, UserCreate

pytestmark = pytest.mark.usefixtures("accounts")
ENTRANT, VIEWER = "operativ@demo.invalid", "operativ2@demo.invalid"


def third_reviewer() -> Actor:
    """A third person of the operative group, who reviews while the viewer looks."""
    create_user(
        actor("sekretariat@demo.invalid"),
        UserCreate(email="operativ3@example.no", name="Demo operativ 3", role=Role.OPERATIVE),
        engine=engine(),
    )
    return actor("operativ3@example.no")


def two_periods() -> tuple[int, int]:
    admin = actor("sekretariat@demo.invalid")
    later = PeriodCreate(
        mission_id=admin.mission_id,
        label="2026-K4",
        kind="quarterly",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
    )  # type: ignore[arg-type]
    return quarter(), create_period(admin, later, engine=engine())


def two_values() -> tuple[int, int]:
    """NEET submitted for two quarters (oldest first in the queue)."""
    me, indicator = actor(ENTRANT), neet_id()
    ids = []
    for period, value in zip(two_periods(), ("90 000", "91 000"), strict=True):
        saved = save_value(me, indicator, period, {"value": value}, version=None, engine=engine())
        assert saved.id is not None
        submit_value(me, saved.id, saved.version, engine=engine())
        ids.append(saved.id)
    return ids[0], ids[1]


def two_check_ins() -> tuple[int, int]:
    """Avdir's initiative's check-in submitted for two quarters (oldest first in the queue)."""
    me = actor(ENTRANT)
    ids = []
    for period, rag in zip(two_periods(), ("red", "green"), strict=True):
        saved = save_check_in(me, AVDIR_INITIATIVE, period, {"rag": rag}, version=None)
        assert saved.id is not None
        submit_check_in(me, saved.id, saved.version)
        ids.append(saved.id)
    return ids[0], ids[1]


def statuses(model: type[IndicatorValue] | type[CheckIn], *ids: int) -> dict[int, EntryStatus]:
    with Session(engine()) as session:
        return {i: row.status for i in ids if (row := session.get(model, i)) is not None}


def reason_box(at: AppTest, prefix: str) -> object:
    [box] = [box for box in at.text_input if box.key and box.key.startswith(prefix)]
    return box


def test_a_value_approved_meanwhile_is_not_swapped_for_the_next_one() -> None:
    first, second = two_values()
    other = third_reviewer()
    at = open_page(VIEWER, "rapportering")
    assert at.selectbox(key="queue-pick").value == first
    approve_value(other, first, 2, engine=engine())  # meanwhile, in another session
    [approve] = [b for b in at.button if b.label == "Godkjenn" and b.key != "check-in-approve"]
    approve.click()
    at.run()
    assert not at.exception, at.exception
    assert statuses(IndicatorValue, first, second) == {
        first: EntryStatus.APPROVED,
        second: EntryStatus.SUBMITTED,
    }
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "operativ3" in errors[0], errors
    assert "godkjente, returnerte eller endret denne verdien" in errors[0]
    assert "Det du skrev er tatt vare på" not in errors[0]  # a review, not a value typed


def test_a_return_cannot_land_on_the_next_value_after_the_reason_was_typed() -> None:
    """The reason is typed (a rerun of its own) after the colleague's approval and before the
    click: the choice stays on the value it was written for, and the return is refused."""
    first, second = two_values()
    other = third_reviewer()
    at = open_page(VIEWER, "rapportering")
    assert at.selectbox(key="queue-pick").value == first
    approve_value(other, first, 2, engine=engine())
    reason_box(at, "queue-reason-").input("Tallet for K3 er for høyt").run()  # type: ignore[attr-defined]
    assert not at.exception, at.exception
    assert at.selectbox(key="queue-pick").value == first  # not moved to the next value
    assert any("venter ikke lenger på godkjenning" in w.value for w in at.warning)
    [back] = [b for b in at.button if b.label == "Returner" and b.key != "check-in-return"]
    back.click()
    at.run()
    assert not at.exception, at.exception
    assert statuses(IndicatorValue, first, second) == {
        first: EntryStatus.APPROVED,
        second: EntryStatus.SUBMITTED,
    }
    assert any("operativ3" in e.value for e in at.error), at.error
    at.run()  # the next run lets go of it: nothing chosen rather than the next value
    assert at.selectbox(key="queue-pick").value is None
    assert not [b for b in at.button if b.label == "Returner" and b.key != "check-in-return"]
    at.selectbox(key="queue-pick").select(second).run()
    assert reason_box(at, "queue-reason-").value == ""  # type: ignore[attr-defined]


def test_a_check_in_approved_meanwhile_is_not_swapped_for_the_next_one() -> None:
    first, second = two_check_ins()
    other = third_reviewer()
    at = open_page(VIEWER, "rapportering")
    assert at.selectbox(key="check-in-queue-pick").value == first
    approve_check_in(other, first, 2)
    at.button(key="check-in-approve").click()
    at.run()
    assert not at.exception, at.exception
    assert statuses(CheckIn, first, second) == {
        first: EntryStatus.APPROVED,
        second: EntryStatus.SUBMITTED,
    }
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "operativ3" in errors[0], errors
    assert "denne statusoppdateringen" in errors[0] and "verdien" not in errors[0]


def test_a_check_in_return_cannot_land_on_the_next_one_after_the_reason_was_typed() -> None:
    first, second = two_check_ins()
    other = third_reviewer()
    at = open_page(VIEWER, "rapportering")
    approve_check_in(other, first, 2)
    reason_box(at, "check-in-queue-reason-").input("Feil RAG").run()  # type: ignore[attr-defined]
    assert not at.exception, at.exception
    assert at.selectbox(key="check-in-queue-pick").value == first
    at.button(key="check-in-return").click()
    at.run()
    assert not at.exception, at.exception
    assert statuses(CheckIn, first, second) == {
        first: EntryStatus.APPROVED,
        second: EntryStatus.SUBMITTED,
    }
    assert any("operativ3" in e.value for e in at.error), at.error


def test_the_last_value_approved_meanwhile_is_told_not_dropped() -> None:
    """Nothing else waits: the click is still answered (who, when), not silently lost."""
    first, _ = two_values()
    other = third_reviewer()
    at = open_page(VIEWER, "rapportering")
    approve_value(other, first, 2, engine=engine())
    approve_value(other, _, 2, engine=engine())
    [approve] = [b for b in at.button if b.label == "Godkjenn" and b.key != "check-in-approve"]
    approve.click()
    at.run()
    assert not at.exception, at.exception
    assert any("operativ3" in e.value for e in at.error), at.error
    at.run()
    assert any("Ingen verdier venter på godkjenning" in c.value for c in at.caption)
    assert not [box for box in at.selectbox if box.key == "queue-pick"]  # let go of, once told
