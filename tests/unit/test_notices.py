"""What people are told: the entries returned to them, and who locked a period, when and why.
On SQLite and PostgreSQL."""

import datetime as dt

import pandas as pd
from reporting_world import World
from test_reporting import put

from dashboard.db import session_scope
from dashboard.services.period_locks import REOPENERS, locked_periods
from dashboard.services.periods import create_period, set_period_locked
from dashboard.services.reporting import (
    approve_value,
    return_check_in,
    return_value,
    save_check_in,
    save_value,
    submit_check_in,
    submit_value,
)
from dashboard.services.reporting_views import RETURNED_COLUMNS, approval_queue, returned_to
from dashboard.services.status_reports import (
    approve_report,
    create_draft,
    submit_report,
    update_texts,
)
from models import EntryStatus, Indicator, IndicatorValue, Period, PeriodCreate, Role
from models.jumps import Jump


def test_returned_to_lists_the_values_and_check_ins_sent_back_to_the_person(
    world: World,
) -> None:
    a, b = world.actors["udir_a"], world.actors["udir_b"]
    assert a.id is not None and b.id is not None
    put(world, EntryStatus.RETURNED)  # the count value, returned by udir_b with "sjekk"
    row = save_check_in(
        a, world.initiative, world.period, {"rag": "red"}, version=None, engine=world.engine
    )
    assert row.id is not None
    row = submit_check_in(a, row.id, row.version, engine=world.engine)
    return_check_in(b, row.id or 0, row.version, "Mangler risiko", engine=world.engine)
    with session_scope(engine=world.engine) as session:
        mine = returned_to(session, world.mission, a.id)
        theirs = returned_to(session, world.mission, b.id)
    assert list(mine.columns) == RETURNED_COLUMNS
    assert theirs.empty  # the reviewer entered nothing
    assert list(mine["kind"]) == ["check_in", "value"]  # the newest return first
    check_in, value = mine.iloc[0], mine.iloc[1]
    assert (check_in["name"], check_in["return_reason"]) == ("Satsingen", "Mangler risiko")
    assert pd.isna(check_in["code"])
    assert (value["code"], value["name"], value["period"]) == ("C", "Antall", "2025")
    assert value["return_reason"] == "sjekk" and value["reviewer"] == "udir_b@example.no"
    assert isinstance(value["reviewed_at"], dt.datetime)
    assert not value["is_correction"] and not check_in["is_correction"]
    with session_scope(engine=world.engine) as session:
        assert returned_to(session, world.mission + 1, a.id).empty  # another mission's


def test_a_returned_correction_is_marked_and_the_approved_value_stands(world: World) -> None:
    a, b = world.actors["udir_a"], world.actors["udir_b"]
    assert a.id is not None
    approved = put(world, EntryStatus.APPROVED)
    row = save_value(
        a,
        world.indicator,
        world.period,
        {"value": str(approved.value + 5)},
        version=approved.version,
        reason="Ny kilde",
        engine=world.engine,
    )
    row = submit_value(a, row.id or 0, row.version, engine=world.engine)
    return_value(b, row.id or 0, row.version, "Kilden er ikke publisert", engine=world.engine)
    with session_scope(engine=world.engine) as session:
        [returned] = returned_to(session, world.mission, a.id).to_dict("records")
        kept = session.get(IndicatorValue, approved.id)
        assert kept is not None and kept.value == approved.value
    assert returned["is_correction"] and returned["return_reason"] == "Kilden er ikke publisert"


def test_a_returned_value_saved_again_is_no_longer_listed(world: World) -> None:
    a = world.actors["udir_a"]
    assert a.id is not None
    row = put(world, EntryStatus.RETURNED)
    world.save(a, {"value": "12"}, row.version)  # corrected: a draft again
    with session_scope(engine=world.engine) as session:
        assert returned_to(session, world.mission, a.id).empty


def test_a_locked_period_names_who_locked_it_when_and_why(world: World) -> None:
    admin = world.actors["admin"]
    later = create_period(
        admin,
        PeriodCreate(
            mission_id=world.mission,
            label="2026",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
        ),
        engine=world.engine,
    )
    set_period_locked(
        admin, world.period, True, reason="Årsrapporten er sendt", engine=world.engine
    )
    set_period_locked(
        world.actors["steering"], world.period, False, reason="Feil", engine=world.engine
    )
    set_period_locked(admin, world.period, True, reason="Rettet", engine=world.engine)
    with session_scope(engine=world.engine) as session:
        [locked] = locked_periods(session, world.mission)  # 2026 is open
    assert (locked.period_id, locked.label) == (world.period, "2025")
    assert (locked.locked_by, locked.reason) == ("admin@example.no", "Rettet")  # the latest lock
    assert isinstance(locked.locked_at, dt.datetime)
    set_period_locked(admin, later, True, engine=world.engine)
    with session_scope(engine=world.engine) as session:
        assert [p.label for p in locked_periods(session, world.mission)] == [
            "2026",
            "2025",
        ]  # newest first
    assert REOPENERS == (Role.STEERING, Role.ADMIN)


def test_a_period_locked_by_a_report_s_approval_names_the_report(world: World) -> None:
    op, steering = world.actors["udir_a"], world.actors["steering"]
    report = create_draft(
        op, world.mission, world.period, today=dt.date(2026, 3, 1), engine=world.engine
    )
    data = {"summary": "Oppsummering", "decisions_requested": "", "version": report.version}
    report = update_texts(op, report.id or 0, data, engine=world.engine)
    report = submit_report(op, report.id or 0, report.version, engine=world.engine)
    approve_report(steering, report.id or 0, report.version, engine=world.engine)
    with session_scope(engine=world.engine) as session:
        [locked] = locked_periods(session, world.mission)
    assert (locked.report_id, locked.locked_by) == (report.id, "steering@example.no")


def test_the_queue_shows_baseline_target_last_approved_change_and_jumps(
    world: World,
) -> None:
    a, b = world.actors["udir_a"], world.actors["udir_b"]
    with session_scope(write=True, engine=world.engine) as session:
        indicator = session.get(Indicator, world.indicator)
        assert indicator is not None
        indicator.baseline_value, indicator.baseline_year = 8, 2020
        indicator.target_value, indicator.target_year = 20, 2030
        earlier = Period(
            mission_id=world.mission,
            label="2024",
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 12, 31),
        )
        session.add(earlier)
        session.flush()
        earlier_id = earlier.id
    assert earlier_id is not None
    row = save_value(
        a, world.indicator, earlier_id, {"value": "10"}, version=None, engine=world.engine
    )
    row = submit_value(a, row.id or 0, row.version, engine=world.engine)
    approve_value(b, row.id or 0, row.version, engine=world.engine)
    row = world.save(a, {"value": "40"})
    submit_value(a, row.id or 0, row.version, engine=world.engine)
    row = world.save(a, {"value": "55 %"}, indicator=world.percent)
    submit_value(a, row.id or 0, row.version, engine=world.engine)
    with session_scope(engine=world.engine) as session:
        queue = approval_queue(session, indicator.mission_id).set_index("code")
    count, share = queue.loc["C"], queue.loc["P"]
    assert (count["baseline"], count["baseline_year"]) == (8, 2020)
    assert (count["target"], count["target_year"]) == (20, 2030)
    assert (count["previous"], count["previous_period"], count["change"]) == (10, "2024", 30)
    assert count["jumps"] == [Jump.FACTOR]  # 40 after 10: four times the last approved value
    assert pd.isna(share["previous"]) and pd.isna(share["change"]) and share["jumps"] == []
