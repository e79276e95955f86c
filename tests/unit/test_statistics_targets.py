"""Targets for a region (issue 19), on SQLite and PostgreSQL: set and removed by the roles that
edit indicators, with a reason, audited and in the indicator's history; the region code checked
against SSB's; the status of a region with a target computed with the national method from its
own approved cells (total gender, the indicator's age total), regions without one none. The
cells are fictional (made up here)."""

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError
from reporting_world import World
from sqlmodel import Session, col, select

from dashboard.services.framework import (
    ReasonRequired,
    StaleIndicator,
    editable_indicator,
    indicator_history,
    parse,
    update_indicator,
)
from dashboard.services.permissions import PermissionDenied
from dashboard.statistics.breakdowns import approve_batch, submit_batch
from dashboard.statistics.targets import (
    parse_target,
    regional_status,
    regional_targets,
    remove_regional_target,
    set_regional_target,
)
from models import AuditEvent, IndicatorUpdate, Measure, ProgressStatus, RegionalTarget

NOW = dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)
# Fictional counts of the total gender and the age total, by region and year
SERIES = {
    "03": {2020: 100.0, 2022: 110.0, 2024: 120.0},  # Oslo: up 20 of the 16 expected by 2024
    "46": {2020: 4.0, 2024: 3.0},  # Vestland: small numbers, suppressed for partners
    "0301": {2020: 50.0, 2024: 51.0},  # Oslo kommune: hardly moving
}


def frame(series: dict[str, dict[int, float]]) -> pd.DataFrame:
    rows = []
    for region, values in series.items():
        for year, value in values.items():
            rows.append((region, "0", "15-29", year, value, value, None))
            rows.append((region, "1", "15-29", year, 1000.0, 1000.0, None))  # not the total
            rows.append((region, "0", "15-19", year, 2000.0, 2000.0, None))  # nor the age
    return pd.DataFrame(
        rows, columns=["region", "gender", "age", "year", "value", "base", "symbol"]
    )


def approved(world: World, series: dict[str, dict[int, float]]) -> int:
    batch = submit_batch(
        world.actors["udir_a"],
        world.indicator,
        frame(series),
        table_id="99999",
        source="fiktiv.json",
        retrieved_at=NOW,
        age_total="15-29",
        engine=world.engine,
    )
    approve_batch(world.actors["udir_b"], batch, 1, engine=world.engine)
    return batch


def seen(world: World, code: str = "C") -> str:
    with Session(world.engine) as session:
        found = editable_indicator(session, world.mission, code)
        assert found is not None
        return found.fingerprint


def target(
    world: World, raw: dict[str, Any], *, reason: str = "Fylkets plan", who: str = "admin"
) -> bool:
    return set_regional_target(
        world.actors[who],
        world.indicator,
        parse_target(raw, Measure.COUNT),
        seen=seen(world),
        reason=reason,
        engine=world.engine,
    )


def status(world: World) -> dict[str, Any]:
    with Session(world.engine) as session:
        return regional_status(session, world.indicator)


def test_a_regions_status_comes_from_its_own_approved_series(world: World) -> None:
    approved(world, SERIES)
    assert status(world) == {}  # no regional target: no regional status
    assert target(
        world, {"region": "03", "target_value": "140", "target_year": 2030, "baseline_year": 2020}
    )
    assert target(world, {"region": "0301", "target_value": "70", "target_year": 2030})
    assert target(
        world, {"region": "46", "target_value": "10", "target_year": 2030, "baseline_year": 2020}
    )
    found = status(world)
    assert set(found) == {"03", "0301", "46"}  # the others have none
    oslo = found["03"]
    # 2024 is 4 of the 10 years: expected 100 + 40 * 0.4 = 116; measured 120 (ratio 20 / 16)
    assert oslo.status == ProgressStatus.ON_TRACK
    assert oslo.value == 120.0 and oslo.expected == pytest.approx(116.0)
    assert oslo.ratio == pytest.approx(1.25)
    # no baseline year: the first year of the region's series (50 -> 51 of the 8 expected)
    assert found["0301"].status == ProgressStatus.OFF_TRACK
    assert found["46"].status == ProgressStatus.WORSENING  # 4 -> 3, suppressed cells or not
    # a batch not yet approved changes no status, for anyone
    submit_batch(
        world.actors["udir_a"],
        world.indicator,
        frame({"03": {2025: 90.0}}),
        table_id="99999",
        source="fiktiv.json",
        retrieved_at=NOW,
        age_total="15-29",
        engine=world.engine,
    )
    assert status(world)["03"].status == ProgressStatus.ON_TRACK
    # approved, it is the latest value of the series: below the baseline
    approved(world, {"03": {2025: 90.0}})
    assert status(world)["03"].status == ProgressStatus.WORSENING


def test_without_a_cell_for_the_region_its_status_says_no_data(world: World) -> None:
    assert target(world, {"region": "11", "target_value": "5", "target_year": 2030})
    assert status(world)["11"].status == ProgressStatus.NO_DATA
    approved(world, SERIES)
    assert target(
        world, {"region": "03", "target_value": "140", "target_year": 2030, "baseline_year": 2019}
    )
    assert status(world)["03"].status == ProgressStatus.NO_BASELINE  # no cell in 2019


def test_only_the_roles_that_edit_indicators_set_a_target_with_a_reason(world: World) -> None:
    raw = {"region": "03", "target_value": "140", "target_year": 2030}
    for who in ("udir_a", "steering", "partner"):
        with pytest.raises(PermissionDenied):
            target(world, raw, who=who)
    with pytest.raises(ReasonRequired) as refused:
        target(world, raw, reason="  ")
    assert refused.value.fields == ["regional_targets"]
    with Session(world.engine) as session:
        assert session.exec(select(RegionalTarget)).all() == []
    assert target(world, raw)
    assert not target(world, raw)  # the same again: nothing changed, nothing audited
    assert target(world, raw | {"target_value": "150"}, reason="Nytt vedtak i fylket")
    with Session(world.engine) as session:
        shown = regional_targets(session, world.indicator)
        assert list(shown["region"]) == ["03"] and list(shown["target_value"]) == [150.0]
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "indicator", AuditEvent.action == "update")
            .order_by(col(AuditEvent.id))
        ).all()
        history = indicator_history(session, world.indicator, internal=True)
    assert [r.reason for r in rows] == ["Fylkets plan", "Nytt vedtak i fylket"]
    assert rows[0].before is not None and rows[0].after is not None
    assert rows[0].before["regional_targets"] == []
    assert rows[0].after["regional_targets"] == ["03: 140 (-2030)"]
    changes = history[history["field"] == "regional_targets"]
    assert list(changes["after"]) == [["03: 140 (-2030)"], ["03: 150 (-2030)"]]
    assert list(changes["reason"]) == ["Fylkets plan", "Nytt vedtak i fylket"]


def test_the_region_code_and_the_numbers_are_checked(world: World) -> None:
    for bad in ("0", "1", "0300", "99x", "040"):
        with pytest.raises(ValidationError) as refused:
            parse_target({"region": bad, "target_value": "1", "target_year": 2030})
        assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [
            (("region",), "region_code")
        ]
    with pytest.raises(ValidationError) as refused:
        parse_target(
            {"region": "", "target_value": "1,2,3", "target_year": None, "baseline_year": 2020}
        )
    assert {(e["loc"], e["type"]) for e in refused.value.errors()} == {
        (("region",), "string_too_short"),
        (("target_value",), "number_format"),
        (("target_year",), "missing"),
    }
    with pytest.raises(ValidationError) as refused:
        parse_target(
            {"region": "03", "target_value": "1", "target_year": 2020, "baseline_year": 2024}
        )
    assert [e["type"] for e in refused.value.errors()] == ["year_range"]
    with pytest.raises(ValidationError) as refused:
        parse_target({"region": "03", "target_value": "120", "target_year": 2030}, Measure.PERCENT)
    assert [e["type"] for e in refused.value.errors()] == ["percent_range"]
    # SSB's prefix and a municipality's pre-2024 code: kept as the tables place it
    assert (
        parse_target({"region": "K-3001", "target_value": "1 234,5", "target_year": 2030}).region
        == "3101"
    )
    assert parse_target({"region": "30", "target_value": "1", "target_year": 2030}).region == "30"


def test_a_target_against_a_changed_indicator_is_stale_and_removing_one_needs_a_reason(
    world: World,
) -> None:
    assert target(world, {"region": "03", "target_value": "140", "target_year": 2030})
    old = seen(world)
    admin = world.actors["admin"]
    update_indicator(
        admin,
        world.indicator,
        parse(IndicatorUpdate, {"note": "Endret"}),
        seen=old,
        engine=world.engine,
    )
    with pytest.raises(StaleIndicator):
        remove_regional_target(
            admin, world.indicator, "03", seen=old, reason="Feil", engine=world.engine
        )
    with pytest.raises(ReasonRequired):
        remove_regional_target(
            admin, world.indicator, "03", seen=seen(world), reason="", engine=world.engine
        )
    assert remove_regional_target(
        admin, world.indicator, "03", seen=seen(world), reason="Feil fylke", engine=world.engine
    )
    assert status(world) == {}
    with Session(world.engine) as session:
        history = indicator_history(session, world.indicator, internal=True)
    removed = history[history["field"] == "regional_targets"].iloc[-1]
    assert removed["after"] == [] and removed["reason"] == "Feil fylke"


def test_editing_the_indicator_keeps_its_targets_out_of_its_changes(world: World) -> None:
    """The targets are in the indicator's snapshot (its fingerprint), unchanged by an edit of
    its definition: the edit names only what it changed."""
    assert target(world, {"region": "03", "target_value": "140", "target_year": 2030})
    changed = update_indicator(
        world.actors["admin"],
        world.indicator,
        parse(IndicatorUpdate, {"note": "Endret"}),
        seen=seen(world),
        engine=world.engine,
    )
    assert changed == ["note"]
