"""Targets for a region of an indicator (issue 19): a county or municipality with its own target
value and year, and optionally its own baseline year; the status of that region's own series
is measured against it with the method of the national status (models/status.py).

The region's series: its approved cells (the newest approved batch wins, as everywhere) of the
total gender ("0") and the indicator's headline age (the batch's age_total), placed after the
county reform as the tables show them (a renumbered municipality under its 2024 code). The
latest value is the newest year with a number; the baseline value is the cell of the baseline
year: the target's own, else the indicator's, else the first year of the series. Submitted
cells never count, for any reader. A status tells no number, so partners see it also where a
cell it rests on is hidden from them by small-number suppression (the number stays hidden).

The targets belong to the indicator's definition: set and removed with MANAGE_FRAMEWORK (the
roles that edit indicators), always with a reason, against the fingerprint of the indicator
the form was shown with (the targets are in it), audited as a change of the indicator's field
regional_targets (shown in its history like any definition change).
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.framework import (
    ENTITY,
    REGIONAL_TARGETS,
    FrameworkRefused,
    ReasonRequired,
    StaleIndicator,
    _last_change,
    _snapshot,
    fingerprint,
    regional_target_rows,
    target_entries,
)
from dashboard.services.permissions import Action, Actor
from dashboard.services.progress import indicator_progress
from dashboard.statistics import regions
from dashboard.statistics.breakdowns import breakdown_source, placed_cells
from models import Indicator, RegionalTarget, RegionalTargetInput
from models.indicator import check_value_for_measure
from models.status import Progress

GENDER_TOTAL = "0"


def region_code(text: str) -> str:
    """The code a region's target is kept under: without SSB's prefix, a renumbered
    municipality under its 2024 code. Raises PydanticCustomError("region_code") for anything
    but a county or municipality code SSB uses."""
    code = regions.normal(text) or ""
    kind = regions.level(code)
    if kind not in ("county", "municipality") or not regions.known(code):
        raise PydanticCustomError(
            "region_code", "Not a county or municipality code.", {"value": text}
        )
    return regions.current_municipality(code) if kind == "municipality" else code


def parse_target(raw: Mapping[str, Any], measure: Any = None) -> RegionalTargetInput:
    """A target as typed (a Norwegian number; years as numbers or None), checked: the region
    code, the years' order, and the value against the indicator's measure. Every problem is
    raised at once as a ValidationError on its field."""
    values = {k: v for k, v in raw.items() if v is not None}
    errors: list[InitErrorDetails] = []
    result: RegionalTargetInput | None = None
    try:
        result = RegionalTargetInput.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors():
            ctx = {
                k: v
                for k, v in (error.get("ctx") or {}).items()
                if isinstance(v, int | float | str)
            }
            loc = tuple(error["loc"]) or ("target_year",)  # the years' order
            errors.append(
                {
                    "type": PydanticCustomError(error["type"], error["msg"], ctx or None),
                    "loc": loc,
                    "input": error.get("input"),
                }
            )
    region = str(raw.get("region") or "").strip()
    if region and not any(e["loc"] == ("region",) for e in errors):
        try:
            code = region_code(region)
            if result is not None:
                result.region = code
        except PydanticCustomError as exc:
            errors.append({"type": exc, "loc": ("region",), "input": region})
    if result is not None:
        try:
            check_value_for_measure(measure, result.target_value)
        except PydanticCustomError as exc:
            errors.append({"type": exc, "loc": ("target_value",), "input": result.target_value})
    if errors or result is None:
        raise ValidationError.from_exception_data(RegionalTargetInput.__name__, errors)
    return result


def regional_targets(session: Session, indicator_id: int) -> pd.DataFrame:
    """The indicator's regional targets: region, target_value, target_year, baseline_year."""
    rows = [
        (t.region, t.target_value, t.target_year, t.baseline_year)
        for t in regional_target_rows(session, indicator_id)
    ]
    return pd.DataFrame(
        rows, columns=["region", "target_value", "target_year", "baseline_year"], dtype=object
    )


def _change(
    actor: Actor,
    indicator_id: int,
    *,
    seen: str,
    reason: str | None,
    engine: Engine | None,
    apply: Any,
) -> bool:
    """Run apply(session, indicator) against the indicator as it was shown, with a reason;
    audit the targets before and after. False: nothing changed (nothing saved)."""
    with command(actor, Action.MANAGE_FRAMEWORK, engine=engine) as session:
        indicator = session.get(Indicator, indicator_id, with_for_update=True)
        if indicator is None:
            raise FrameworkRefused("no_indicator")
        before = _snapshot(session, indicator)
        if fingerprint(before) != seen:
            raise StaleIndicator(*_last_change(session, indicator_id))
        old = target_entries(session, indicator_id)
        apply(session, indicator)
        session.flush()
        new = target_entries(session, indicator_id)
        if new == old:
            return False
        reason = reason.strip() if reason and reason.strip() else None
        if not reason:
            raise ReasonRequired(
                [REGIONAL_TARGETS]
            )  # the transaction is rolled back: nothing saved
        after = _snapshot(session, indicator)
        audit.record(
            session,
            actor,
            "update",
            ENTITY,
            indicator_id,
            before=before | {REGIONAL_TARGETS: old},
            after=after | {REGIONAL_TARGETS: new},
            reason=reason,
        )
        return True


def set_regional_target(
    actor: Actor,
    indicator_id: int,
    data: RegionalTargetInput,
    *,
    seen: str,
    reason: str | None,
    engine: Engine | None = None,
) -> bool:
    """Set (or change) a region's target of the indicator; the region code is checked and kept
    as regions places it. Raises ReasonRequired, StaleIndicator, FrameworkRefused, or
    ValidationError (a bad region, a percentage over 100); nothing is saved then."""

    def apply(session: Session, indicator: Indicator) -> None:
        checked = parse_target(data.model_dump(), indicator.measure)
        stored = session.exec(
            select(RegionalTarget).where(
                RegionalTarget.indicator_id == indicator_id,
                RegionalTarget.region == checked.region,
            )
        ).first() or RegionalTarget(
            indicator_id=indicator_id,
            region=checked.region,
            target_value=checked.target_value,
            target_year=checked.target_year,
        )
        stored.target_value = checked.target_value
        stored.target_year = checked.target_year
        stored.baseline_year = checked.baseline_year
        session.add(stored)

    return _change(actor, indicator_id, seen=seen, reason=reason, engine=engine, apply=apply)


def remove_regional_target(
    actor: Actor,
    indicator_id: int,
    region: str,
    *,
    seen: str,
    reason: str | None,
    engine: Engine | None = None,
) -> bool:
    """Remove a region's target: its status is no longer shown. False: it had none."""

    def apply(session: Session, indicator: Indicator) -> None:
        for target in session.exec(
            select(RegionalTarget).where(
                RegionalTarget.indicator_id == indicator_id, col(RegionalTarget.region) == region
            )
        ).all():
            session.delete(target)

    return _change(actor, indicator_id, seen=seen, reason=reason, engine=engine, apply=apply)


# --- status ------------------------------------------------------------------------------------


def regional_status(session: Session, indicator_id: int) -> dict[str, Progress]:
    """Each region with a target (by its code as the tables place it): its status against
    that target from its own approved series (see the module's text)."""
    targets = regional_target_rows(session, indicator_id)
    if not targets:
        return {}
    indicator = session.get(Indicator, indicator_id)
    assert indicator is not None
    cells = placed_cells(session, indicator_id)
    if not cells.empty:
        source = breakdown_source(session, indicator_id) or {}
        genders = {str(g) for g in pd.unique(cells["gender"].astype(str))}
        ages = {str(a) for a in pd.unique(cells["age"].astype(str))}
        gender = GENDER_TOTAL if GENDER_TOTAL in genders else min(genders)
        age = source.get("age_total")
        if age not in ages:
            age = next(iter(ages)) if len(ages) == 1 else None
        cells = cells[
            (cells["gender"].astype(str) == gender)
            & (cells["age"].astype(str) == age)
            & cells["value"].notna()
        ]
    found: dict[str, Progress] = {}
    for target in targets:
        series: dict[int, float] = {}
        if not cells.empty:
            mine = cells[cells["place"].astype(str) == target.region]
            series = {int(y): float(v) for y, v in zip(mine["year"], mine["value"], strict=True)}
        latest = max(series, default=None)
        baseline_year = target.baseline_year or indicator.baseline_year or min(series, default=None)
        found[target.region] = indicator_progress(
            value=series.get(latest) if latest is not None else None,
            end=dt.date(latest, 12, 31) if latest is not None else None,
            baseline=series.get(baseline_year) if baseline_year is not None else None,
            baseline_year=baseline_year,
            target=target.target_value,
            target_year=target.target_year,
            direction=indicator.direction,
            tolerance=indicator.tolerance,
        )
    return found
