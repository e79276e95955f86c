"""Breakdowns of official statistics (issue 19): an SSB table's cells by region, gender, age and
year, stored as one batch per import (models.breakdowns) for a colleague to approve or return
as a whole (four eyes: the person who submitted it cannot), and read back as one long frame.

Reading: per region, gender, age and year the cell of the newest approved batch of the
indicator (by import, not approval: a later import holds the cells that changed since) wins;
with include_submitted (internal roles) the submitted batches are read too, in the same order
(what partners will see once all are approved), their cells marked submitted. Returned
batches are never read. The cells are kept as the file gave them (the region codes too): the
2024 county reform is applied when they are shown (dashboard.statistics.regions).
"""

import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from dashboard.db import session_scope
from dashboard.services import audit
from dashboard.services.commands import command
from dashboard.services.permissions import Action, Actor, allowed
from dashboard.services.reporting import StaleVersion, WorkflowRefused, required_reason
from dashboard.statistics import regions
from dashboard.statistics.suppression import suppress, viewer_frame
from models import EntryStatus, Indicator, StatisticsBatch, StatisticsCell, User
from models.reporting import utcnow

CELL_COLUMNS = ["region", "gender", "age", "year", "value", "base", "symbol"]
KEY = ["region", "gender", "age", "year"]
ENTITY = "statisticsbatch"


def empty_cells() -> pd.DataFrame:
    """A frame of no cells, with the columns (and submitted)."""
    return pd.DataFrame({column: [] for column in [*CELL_COLUMNS, "submitted"]})


def _batch_fields(batch: StatisticsBatch) -> dict[str, Any]:
    return {
        "indicator_id": batch.indicator_id,
        "table_id": batch.table_id,
        "source": batch.source,
        "retrieved_at": batch.retrieved_at,
        "cells": batch.cells,
        "status": batch.status,
        "version": batch.version,
    }


def batch_note(batch: StatisticsBatch) -> str:
    """What a batch's audit rows say: the batch, the source table, the retrieval time."""
    when = batch.retrieved_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"SSB-fordeling {batch.id}: tabell {batch.table_id or '?'}, hentet {when}, {batch.source}"
    )


def submit_batch(
    actor: Actor,
    indicator_id: int,
    cells: pd.DataFrame,
    *,
    table_id: str | None,
    source: str,
    retrieved_at: dt.datetime,
    age_total: str | None,
    labels: dict[str, str] | None = None,
    engine: Engine | None = None,
) -> int:
    """Store cells (CELL_COLUMNS) as a submitted batch of the indicator, with one INSERT run
    as executemany; the secretariat may for any indicator, an operative for their
    organisation's. Returns the batch id."""
    with session_scope(engine=engine) as session:
        indicator = session.get(Indicator, indicator_id)
        if indicator is None:
            raise WorkflowRefused("no_indicator")
        owner = indicator.responsible_org_id
    if allowed(actor, Action.IMPORT):
        action, organisation_id = Action.IMPORT, None
    else:
        action, organisation_id = Action.ENTER_VALUES, owner
    with command(actor, action, organisation_id=organisation_id, engine=engine) as session:
        batch = StatisticsBatch(
            indicator_id=indicator_id,
            table_id=table_id,
            source=source[:1000],
            retrieved_at=retrieved_at,
            age_total=age_total,
            region_labels=json.dumps(
                {str(k)[:10]: str(v)[:100] for k, v in (labels or {}).items()}, ensure_ascii=False
            ),
            cells=len(cells),
            submitted_by_id=actor.id,
        )
        session.add(batch)
        session.flush()
        assert batch.id is not None
        rows = [
            {
                "batch_id": batch.id,
                "region": region,
                "gender": gender,
                "age": age,
                "year": int(year),
                "value": None if value is None or pd.isna(value) else float(value),
                "base": None if base is None or pd.isna(base) else float(base),
                "symbol": symbol if isinstance(symbol, str) else None,
            }
            for region, gender, age, year, value, base, symbol in zip(
                *(cells[c] for c in CELL_COLUMNS), strict=True
            )
        ]
        if rows:  # Core, not the ORM's bulk insert: a third of the time for 28,000 cells
            session.execute(sa.insert(StatisticsCell.__table__), rows)  # type: ignore[attr-defined]
        audit.record(
            session,
            actor,
            EntryStatus.SUBMITTED.value,
            ENTITY,
            batch.id,
            after=_batch_fields(batch),
            reason=batch_note(batch),
        )
        return batch.id


def _review(
    actor: Actor,
    batch_id: int,
    version: int,
    result: EntryStatus,
    *,
    reason: str | None = None,
    engine: Engine | None = None,
) -> StatisticsBatch:
    with command(actor, Action.APPROVE_VALUES, engine=engine) as session:
        batch = session.get(StatisticsBatch, batch_id)
        if batch is None:
            raise WorkflowRefused("no_value")
        if batch.version != version:
            who_id = batch.reviewed_by_id or batch.submitted_by_id
            who = session.get(User, who_id) if who_id else None
            raise StaleVersion(
                batch.version, who.email if who else None, batch.reviewed_at or batch.submitted_at
            )
        if batch.status != EntryStatus.SUBMITTED:
            raise WorkflowRefused("not_submitted")
        if batch.submitted_by_id is not None and batch.submitted_by_id == actor.id:
            raise WorkflowRefused("own_entry")
        before = _batch_fields(batch)
        batch.status, batch.version = result, batch.version + 1
        batch.reviewed_by_id, batch.reviewed_at, batch.return_reason = actor.id, utcnow(), reason
        session.add(batch)
        session.flush()
        audit.record(
            session,
            actor,
            result.value,
            ENTITY,
            batch.id,
            before=before,
            after=_batch_fields(batch),
            reason=f"{reason}. {batch_note(batch)}" if reason else batch_note(batch),
        )
        session.expunge(batch)
        return batch


def approve_batch(
    actor: Actor, batch_id: int, version: int, *, engine: Engine | None = None
) -> StatisticsBatch:
    """Approve somebody else's submitted batch: partners see its cells from now on, and they
    supersede older approved cells of the same region, gender, age and year."""
    return _review(actor, batch_id, version, EntryStatus.APPROVED, engine=engine)


def return_batch(
    actor: Actor, batch_id: int, version: int, reason: str, *, engine: Engine | None = None
) -> StatisticsBatch:
    """Send somebody else's submitted batch back, saying why: its cells are shown nowhere."""
    return _review(
        actor,
        batch_id,
        version,
        EntryStatus.RETURNED,
        reason=required_reason(reason),
        engine=engine,
    )


# --- reading -----------------------------------------------------------------------------------


def batch_queue(session: Session, mission_id: int) -> pd.DataFrame:
    """The mission's submitted batches, oldest first: id, version, indicator code and name,
    table, source, retrieved_at, cells, submitted_by (e-mail), submitted_by_id, submitted_at."""
    rows = session.exec(
        select(StatisticsBatch, Indicator.code, Indicator.name, User.email)
        .join(Indicator, col(Indicator.id) == StatisticsBatch.indicator_id)
        .join(User, col(User.id) == StatisticsBatch.submitted_by_id, isouter=True)
        .where(
            Indicator.mission_id == mission_id,
            StatisticsBatch.status == EntryStatus.SUBMITTED,
        )
        .order_by(col(StatisticsBatch.submitted_at), col(StatisticsBatch.id))
    ).all()
    return pd.DataFrame(
        [
            {
                "id": b.id,
                "version": b.version,
                "code": code,
                "name": name,
                "table": b.table_id or "?",
                "source": b.source,
                "retrieved_at": b.retrieved_at,
                "cells": b.cells,
                "submitted_by": email,
                "submitted_by_id": b.submitted_by_id,
                "submitted_at": b.submitted_at,
            }
            for b, code, name, email in rows
        ],
        columns=[
            "id",
            "version",
            "code",
            "name",
            "table",
            "source",
            "retrieved_at",
            "cells",
            "submitted_by",
            "submitted_by_id",
            "submitted_at",
        ],
    )


RETURNED_COLUMNS = ["id", "code", "name", "table", "cells", "reason", "reviewer", "reviewed_at"]


def returned_batches(session: Session, mission_id: int, actor_id: int) -> pd.DataFrame:
    """The batches this person imported that a colleague returned and that no later import of
    the same indicator has followed yet, newest return first (RETURNED_COLUMNS): what they
    must correct and import again, with the reviewer's reason."""
    later = aliased(StatisticsBatch)
    followed = (
        sa.select(col(later.id))
        .where(
            col(later.indicator_id) == col(StatisticsBatch.indicator_id),
            col(later.id) > col(StatisticsBatch.id),
        )
        .exists()
    )
    rows = session.exec(
        select(StatisticsBatch, Indicator.code, Indicator.name, User.email)
        .join(Indicator, col(Indicator.id) == StatisticsBatch.indicator_id)
        .join(User, col(User.id) == StatisticsBatch.reviewed_by_id, isouter=True)
        .where(
            Indicator.mission_id == mission_id,
            StatisticsBatch.status == EntryStatus.RETURNED,
            StatisticsBatch.submitted_by_id == actor_id,
            ~followed,
        )
        .order_by(col(StatisticsBatch.id).desc())
    ).all()
    return pd.DataFrame(
        [
            {
                "id": b.id,
                "code": code,
                "name": name,
                "table": b.table_id or "?",
                "cells": b.cells,
                "reason": b.return_reason or "",
                "reviewer": email,
                "reviewed_at": b.reviewed_at,
            }
            for b, code, name, email in rows
        ],
        columns=RETURNED_COLUMNS,
    )


def _batches(session: Session, indicator_id: int, include_submitted: bool) -> list[StatisticsBatch]:
    """The batches read, in the order their cells win (the last wins)."""
    states = [EntryStatus.APPROVED] + ([EntryStatus.SUBMITTED] if include_submitted else [])
    found = session.exec(
        select(StatisticsBatch).where(
            StatisticsBatch.indicator_id == indicator_id, col(StatisticsBatch.status).in_(states)
        )
    ).all()
    # in the order they were imported, not approved: a later import stores only the cells that
    # differ from those before it, so it is the newer figure whenever it is approved
    return sorted(found, key=lambda batch: batch.id or 0)


def indicator_cells(
    session: Session, indicator_id: int, *, include_submitted: bool = False
) -> pd.DataFrame:
    """The indicator's cells as one long frame (CELL_COLUMNS and submitted: whether the cell
    comes from a batch not approved yet), one row per region, gender, age and year, in no
    particular order."""
    batches = _batches(session, indicator_id, include_submitted)
    if not batches:
        return empty_cells()
    rank = {b.id: i for i, b in enumerate(batches)}
    submitted = {b.id for b in batches if b.status == EntryStatus.SUBMITTED}
    table = StatisticsCell.__table__  # type: ignore[attr-defined]
    rows = session.connection().execute(
        sa.select(table.c.batch_id, *(table.c[c] for c in CELL_COLUMNS)).where(
            table.c.batch_id.in_(list(rank))
        )
    )
    names = ["batch_id", *CELL_COLUMNS]
    found = rows.all()  # column by column: pandas is slow to read 28,000 Row objects
    columns = list(zip(*found, strict=True)) if found else [()] * len(names)
    frame = pd.DataFrame(dict(zip(names, columns, strict=True)))
    frame["value"] = frame["value"].astype(float)
    frame["base"] = frame["base"].astype(float)
    if len(batches) > 1:
        frame["rank"] = frame["batch_id"].map(rank)
        frame = frame.sort_values("rank", kind="stable").drop_duplicates(KEY, keep="last")
        frame = frame.drop(columns=["rank"])
    frame["submitted"] = frame["batch_id"].isin(submitted)
    return frame.drop(columns=["batch_id"]).reset_index(drop=True)  # unsorted: views sort


def placed_cells(
    session: Session, indicator_id: int, *, include_submitted: bool = False, dedupe: bool = True
) -> pd.DataFrame:
    """indicator_cells with where each is shown after the county reforms (regions.place;
    dedupe=False: a figure under both its old and its new code twice, for suppression)."""
    frame = indicator_cells(session, indicator_id, include_submitted=include_submitted)
    if frame.empty:
        return frame.assign(place=[], former_code=[], county=[], level=[])
    placed = regions.place(frame, dedupe=dedupe)
    # codes as categories: the cached frame is copied on every run of the page (28,000 cells)
    codes = ["region", "gender", "age", "symbol", "place", "former_code", "county", "level"]
    return placed.astype(dict.fromkeys(codes, "category"))


def breakdown_source(
    session: Session, indicator_id: int, *, include_submitted: bool = False
) -> dict[str, Any] | None:
    """The newest batch read: its table, retrieval time and headline age, the regions' names
    of every batch read, whether one is submitted (None: no batch)."""
    batches = _batches(session, indicator_id, include_submitted)
    if not batches:
        return None
    newest = batches[-1]
    labels: dict[str, str] = {}
    for batch in batches:  # the newest batch's names win
        try:
            found = json.loads(batch.region_labels or "{}")
        except ValueError:
            found = {}
        labels |= {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
    return {
        "table": newest.table_id,
        "retrieved_at": newest.retrieved_at,
        "age_total": newest.age_total,
        "batches": len(batches),
        "labels": labels,
        "submitted": any(b.status == EntryStatus.SUBMITTED for b in batches),
    }


def publishable(
    frame: pd.DataFrame, *, internal: bool, measure: str, age_total: str | None = None
) -> pd.DataFrame:
    """The cells (region, gender, age, year, value, base, symbol, ...) as the reader may see
    them, after small-number suppression (dashboard/statistics/suppression.py: a cell from
    fewer than SUPPRESS_BELOW persons, and the cells that would give it back from a total):
    partners and visitors get «:» and no number there; internal roles every number, with the
    column `suppressed` naming the cells hidden when published.

    A renumbered municipality's figure may come under its old and its new code (Halden 2022 as
    3001 and as 3101, from two files): each is suppressed in its own groups (3001 in Viken's),
    and hidden under both codes when hidden under one (twins). Only then, for cells placed
    with regions.place(dedupe=False), is the one shown chosen (regions.keep_one)."""
    if frame.empty:
        return frame.assign(suppressed=[]) if internal else frame
    same = twins(frame)
    shown = suppress(frame, measure, age_total=age_total, same=same)
    if same is not None and "former_code" in frame:
        shown = regions.keep_one(shown)
    return viewer_frame(shown, internal=internal)


def twins(frame: pd.DataFrame) -> np.ndarray | None:
    """A label per cell, the same for one figure under a renumbered municipality's old and new
    code (same gender, age and year); None when no figure comes twice."""
    if "place" in frame:
        place = frame["place"].astype(str)
    else:
        codes = {
            code: regions.current_municipality(str(code))
            if regions.level(str(code)) == "municipality"
            else str(code)
            for code in pd.unique(frame["region"])
        }
        if all(code == now for code, now in codes.items()):
            return None
        place = frame["region"].map(codes).astype(str)
    keys = pd.DataFrame(
        {
            "place": place.to_numpy(),
            "gender": frame["gender"].astype(str).to_numpy(),
            "age": frame["age"].astype(str).to_numpy(),
            "year": frame["year"].astype(int).to_numpy(),
        }
    )
    labels = keys.groupby(["place", "gender", "age", "year"], sort=False).ngroup().to_numpy()
    return labels if len(np.unique(labels)) < len(labels) else None


def published_cells(session: Session, indicator_id: int) -> pd.DataFrame:
    """The indicator's approved cells as anyone may see them (partners, visitors, the
    open-data API): a suppressed cell has no value and the symbol «:»."""
    indicator = session.get(Indicator, indicator_id)
    assert indicator is not None
    cells = indicator_cells(session, indicator_id)
    if cells.empty:
        return cells
    source = breakdown_source(session, indicator_id) or {}
    measure = str(indicator.measure)
    return publishable(cells, internal=False, measure=measure, age_total=source.get("age_total"))
