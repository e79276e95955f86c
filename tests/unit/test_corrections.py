"""Corrections (issue 13, section 1): an approved figure never disappears without four eyes.

A change to an approved value or check-in is a correction beside it. Partners, charts,
downloads and status-report drafts keep the approved figure until somebody else approves the
correction; then the history shows both, with who and why. On SQLite and PostgreSQL.
"""

import datetime as dt

import pytest
from pydantic import ValidationError
from reporting_world import World
from sqlmodel import Session, col, select
from test_permissions import rows
from test_reporting import put

from dashboard.i18n.validation import describe
from dashboard.services.corrections import history
from dashboard.services.indicators import indicator_series, latest_values
from dashboard.services.permissions import PermissionDenied
from dashboard.services.portfolio import initiative_detail
from dashboard.services.progress import completeness
from dashboard.services.reporting import (
    StaleVersion,
    WorkflowRefused,
    approve_check_in,
    approve_value,
    discard_correction,
    return_value,
    save_check_in,
    save_value,
    submit_check_in,
    submit_value,
)
from dashboard.services.reporting_views import (
    approval_queue,
    check_in_list,
    check_in_queue,
    entry_grid,
)
from dashboard.services.snapshots.take import take
from models import AuditEvent, CheckIn, EntryStatus, IndicatorValue, Initiative, Period

E = EntryStatus
REASON = "SSB rettet tallet"


def values(world: World) -> list[tuple[float, EntryStatus, bool]]:
    """Every stored value: (value, status, is_correction), the approved one first."""
    with Session(world.engine) as session:
        found = session.exec(select(IndicatorValue).order_by(col(IndicatorValue.is_correction)))
        return [(v.value, v.status, v.is_correction) for v in found]


def mission_of(world: World) -> int:
    with Session(world.engine) as session:
        return session.exec(select(Initiative.mission_id)).one()


def partner_view(world: World) -> dict[str, object]:
    """What partners read of the count indicator: its series, its latest value, the status
    report draft's row."""
    with Session(world.engine) as session:
        series = indicator_series(session, world.indicator)
        mission = mission_of(world)
        latest = latest_values(session, mission, False, [world.indicator])
        period = session.get(Period, world.period)
        report = take(session, mission, period, today=dt.date(2026, 3, 1)).indicators
    return {
        "series": list(series["value"]),
        "latest": latest[world.indicator].value,
        "report": list(report.loc[report["code"] == "C", "value"]),
    }


def corrected(world: World, reason: str | None = REASON) -> IndicatorValue:
    """The count value approved at 10 (udir_a entered, udir_b approved), then udir_a's
    correction to 14 saved as a draft."""
    approved = put(world, E.APPROVED)
    return world_save(world, "14", approved.version, reason)


def world_save(
    world: World, value: str, version: int | None, reason: str | None, who: str = "udir_a"
) -> IndicatorValue:
    return save_value(
        world.actors[who],
        world.indicator,
        world.period,
        {"value": value},
        version=version,
        reason=reason,
        engine=world.engine,
    )


def test_saving_over_an_approved_value_needs_a_reason_and_loses_nothing(world: World) -> None:
    approved = put(world, E.APPROVED)
    audits = rows(world.engine, AuditEvent)
    for reason in (None, "", "   "):
        with pytest.raises(WorkflowRefused, match="correction_reason_required"):
            world_save(world, "14", approved.version, reason)
    assert values(world) == [(10, E.APPROVED, False)]
    assert rows(world.engine, AuditEvent) == audits


def test_a_reason_longer_than_the_column_is_refused_with_a_message(world: World) -> None:
    approved = put(world, E.APPROVED)
    with pytest.raises(ValidationError) as refused:
        world_save(world, "14", approved.version, "x" * 1001)
    assert describe(refused.value, "nb") == ["«Begrunnelse»: Teksten er for lang; høyst 1000 tegn."]
    assert values(world) == [(10, E.APPROVED, False)]
    assert world_save(world, "14", approved.version, "x" * 1000).is_correction


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("\u202eevil", "bidi_characters"),
        ("SSB\x00rettet", "control_characters"),
        ("SSB\x01\x1b[31m", "control_characters"),
        ("\u200fSSB", "bidi_characters"),
    ],
)
def test_a_correction_reason_is_checked_like_every_other_text(
    world: World, reason: str, error: str
) -> None:
    # the reason was only stripped and measured: NUL was stored on SQLite and raised
    # psycopg's DataError on PostgreSQL; a bidirectional override was stored as typed
    approved = put(world, E.APPROVED)
    check_in = put(world, E.APPROVED, "check_in")
    audits = rows(world.engine, AuditEvent)
    with pytest.raises(ValidationError) as refused:
        world_save(world, "14", approved.version, reason)
    assert [e["type"] for e in refused.value.errors()] == [error]
    with pytest.raises(ValidationError):  # a check-in's correction the same
        save_check_in(
            world.actors["udir_a"], world.initiative, world.period, {"rag": "red"},
            version=check_in.version, reason=reason, engine=world.engine,
        )  # fmt: skip
    assert values(world) == [(10, E.APPROVED, False)]
    assert rows(world.engine, AuditEvent) == audits
    kept = world_save(world, "14", approved.version, "\u200bSSB rettet tallet ")
    assert kept.correction_reason == "SSB rettet tallet"  # zero-width removed, stripped


def test_a_withdrawn_correction_s_version_is_never_reused(world: World) -> None:
    a = world.actors["udir_a"]
    first = corrected(world)
    discard_correction(a, IndicatorValue, first.id or 0, first.version, engine=world.engine)
    with Session(world.engine) as session:
        approved = session.exec(select(IndicatorValue)).one()
    second = world_save(world, "15", approved.version, REASON)
    assert second.version > first.version
    with pytest.raises(StaleVersion):  # a screen still showing the withdrawn correction
        world_save(world, "16", first.version, REASON)


def test_saving_the_approved_figure_again_changes_nothing(world: World) -> None:
    approved = put(world, E.APPROVED)
    audits = rows(world.engine, AuditEvent)
    same = world_save(world, "10", approved.version, None)
    assert (same.id, same.version, same.status) == (approved.id, approved.version, E.APPROVED)
    assert rows(world.engine, AuditEvent) == audits and values(world) == [(10, E.APPROVED, False)]


def test_a_correction_waits_beside_the_approved_value_which_partners_keep_seeing(
    world: World,
) -> None:
    approved = put(world, E.APPROVED)
    seen_by_partners = partner_view(world)
    assert seen_by_partners == {"series": [10], "latest": 10, "report": [10]}
    correction = world_save(world, "14", approved.version, REASON)
    assert (correction.is_correction, correction.status, correction.value) == (True, E.DRAFT, 14)
    assert correction.correction_reason == REASON and correction.version > approved.version
    assert values(world) == [(10, E.APPROVED, False), (14, E.DRAFT, True)]
    submitted = submit_value(world.actors["udir_a"], correction.id or 0, correction.version,
                             engine=world.engine)  # fmt: skip
    assert partner_view(world) == seen_by_partners
    with Session(world.engine) as session:
        # the operative group's views: one row per indicator and period, the approved one
        unapproved = indicator_series(session, world.indicator, include_unapproved=True)
        assert list(unapproved["value"]) == [10]
        done = completeness(session, mission_of(world), world.period, dt.date(2025, 6, 1))
        assert done.loc[done["code"] == "C", ["value", "state"]].values.tolist() == [
            [10, "approved"]
        ]
        # the grid shows the correction to work on, beside the approved figure
        grid = entry_grid(
            session, mission_of(world), world.period, world.actors["udir_a"].organisation_id or 0
        )
        row = grid.set_index("code").loc["C"]
        assert (row["value"], row["status"], row["approved"]) == (14, "submitted", 10)
        assert (row["value_id"], row["version"]) == (submitted.id, submitted.version)
        assert row["correction_reason"] == REASON
        # the queue shows it as a correction: approved and proposed figure, reason, who
        queue = approval_queue(session, 1).set_index("code").loc["C"]
        assert (queue["value"], queue["approved"], queue["correction_reason"]) == (14, 10, REASON)
        assert queue["entered_by"] == "udir_a@example.no"


def test_approving_a_correction_takes_someone_else_and_keeps_both_in_the_history(
    world: World,
) -> None:
    a, b = world.actors["udir_a"], world.actors["udir_b"]
    correction = corrected(world)
    correction = submit_value(a, correction.id or 0, correction.version, engine=world.engine)
    with pytest.raises(WorkflowRefused, match="own_entry"):
        approve_value(a, correction.id or 0, correction.version, engine=world.engine)
    assert partner_view(world)["latest"] == 10
    approved = approve_value(b, correction.id or 0, correction.version, engine=world.engine)
    assert (approved.is_correction, approved.status, approved.value) == (False, E.APPROVED, 14)
    assert (approved.entered_by_id, approved.reviewed_by_id) == (a.id, b.id)
    assert approved.version > correction.version
    assert values(world) == [(14, E.APPROVED, False)]  # the correction is merged, not kept
    assert partner_view(world) == {"series": [14], "latest": 14, "report": [14]}
    with Session(world.engine) as session:
        past = history(session, "indicator_value", world.period)
    assert len(past) == 1
    entry = past.iloc[0]
    assert (entry["before"]["value"], entry["after"]["value"]) == (10, 14)
    assert (entry["proposed_by"], entry["approved_by"], entry["reason"]) == (
        "udir_a@example.no",
        "udir_b@example.no",
        REASON,
    )
    # a second correction starts from the new approved figure, with its own version
    again = world_save(world, "15", approved.version, "ny opptelling")
    assert again.is_correction and again.version > approved.version


def test_returning_a_correction_leaves_the_approved_figure_and_it_can_be_discarded(
    world: World,
) -> None:
    a, b = world.actors["udir_a"], world.actors["udir_b"]
    correction = corrected(world)
    correction = submit_value(a, correction.id or 0, correction.version, engine=world.engine)
    returned = return_value(
        b, correction.id or 0, correction.version, "kilde?", engine=world.engine
    )
    assert (returned.status, returned.return_reason) == (E.RETURNED, "kilde?")
    assert values(world) == [(10, E.APPROVED, False), (14, E.RETURNED, True)]
    assert partner_view(world)["latest"] == 10
    # its author fixes it (the reason stays unless a new one is given) and sends it again
    fixed = world_save(world, "13", returned.version, None)
    assert (fixed.value, fixed.status, fixed.correction_reason) == (13, E.DRAFT, REASON)
    with pytest.raises(WorkflowRefused, match="correction_same_as_approved"):
        world_save(world, "10", fixed.version, None)
    # or withdraws it: only the organisation may, from the version seen, and it is audited
    with pytest.raises(StaleVersion):
        discard_correction(a, IndicatorValue, fixed.id or 0, returned.version, engine=world.engine)
    with pytest.raises(PermissionDenied):
        discard_correction(
            world.actors["nav"], IndicatorValue, fixed.id or 0, fixed.version, engine=world.engine
        )
    discard_correction(a, IndicatorValue, fixed.id or 0, fixed.version, engine=world.engine)
    assert values(world) == [(10, E.APPROVED, False)]
    assert rows(world.engine, AuditEvent, action="discard") == 1
    with pytest.raises(WorkflowRefused, match="no_correction"):
        discard_correction(a, IndicatorValue, fixed.id or 0, fixed.version, engine=world.engine)


def test_a_correction_made_meanwhile_is_never_overwritten_unseen(world: World) -> None:
    approved = put(world, E.APPROVED)  # udir_a and nav both look at version approved.version
    theirs = world_save(world, "14", approved.version, REASON, who="udir_b")
    with pytest.raises(StaleVersion) as stale:
        world_save(world, "15", approved.version, "min grunn")
    assert stale.value.changed_by == "udir_b@example.no"
    assert values(world) == [(10, E.APPROVED, False), (14, E.DRAFT, True)]
    # once approved, a save from the version seen before the correction is stale too
    theirs = submit_value(
        world.actors["udir_b"], theirs.id or 0, theirs.version, engine=world.engine
    )
    merged = approve_value(world.actors["udir_a"], theirs.id or 0, theirs.version,
                           engine=world.engine)  # fmt: skip
    with pytest.raises(StaleVersion):
        world_save(world, "15", approved.version, "min grunn")
    with pytest.raises(WorkflowRefused, match="no_value"):  # approving it twice: it is gone
        approve_value(world.actors["nav"], theirs.id or 0, theirs.version, engine=world.engine)
    assert values(world) == [(merged.value, E.APPROVED, False)]


def test_a_check_in_correction_follows_the_same_rule(world: World) -> None:
    a, b = world.actors["udir_a"], world.actors["udir_b"]
    approved = put(world, E.APPROVED, "check_in")
    changed = {"rag": "red", "progress": "Forsinket"}
    with pytest.raises(WorkflowRefused, match="correction_reason_required"):
        world.check_in(a, changed, approved.version)

    def check_in(data: dict[str, str], version: int, reason: str | None) -> CheckIn:
        return save_check_in(
            a, world.initiative, world.period, data, version=version, reason=reason,
            engine=world.engine,
        )  # fmt: skip

    same = check_in({"rag": "amber", "progress": "10"}, approved.version, None)
    assert (same.id, same.version) == (approved.id, approved.version)  # nothing changed
    correction = check_in(changed, approved.version, "feil status")
    assert (correction.is_correction, correction.rag) == (True, "red")
    correction = submit_check_in(a, correction.id or 0, correction.version, engine=world.engine)
    with Session(world.engine) as session:
        detail = initiative_detail(session, mission_of(world), 1)
        shown = initiative_detail(session, mission_of(world), 1, include_unapproved=True)
        queue = check_in_queue(session, 1).iloc[0]
        listed = check_in_list(
            session, mission_of(world), world.period, a.organisation_id or 0
        ).iloc[0]
    assert detail is not None and shown is not None
    assert list(detail.check_ins["rag"]) == ["amber"] == list(shown.check_ins["rag"])
    assert (queue["rag"], queue["approved"], queue["correction_reason"]) == (
        "red",
        "amber",
        "feil status",
    )
    assert (listed["rag"], listed["approved"], listed["status"]) == ("red", "amber", "submitted")
    merged = approve_check_in(b, correction.id or 0, correction.version, engine=world.engine)
    assert (merged.is_correction, merged.rag, merged.progress) == (False, "red", "Forsinket")
    with Session(world.engine) as session:
        detail = initiative_detail(session, mission_of(world), 1)
        past = history(session, "check_in", world.period)
        kept = session.exec(select(CheckIn)).all()
    assert [(c.id, c.rag, c.status) for c in kept] == [(merged.id, "red", E.APPROVED)]
    assert detail is not None and list(detail.check_ins["rag"]) == ["red"]
    assert (past.iloc[0]["before"]["rag"], past.iloc[0]["after"]["rag"]) == ("amber", "red")
    assert past.iloc[0]["reason"] == "feil status"
