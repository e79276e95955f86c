"""A deterministic synthetic portfolio, N times the real one, for scale tests and benchmarks.

Everything it adds is named "Syntetisk ..." and described as test data, so it can never be
mistaken for the real mission.
"""

import datetime as dt
import random
from collections.abc import Sequence

from sqlalchemy import Engine, insert
from sqlmodel import Session, col, select

from dashboard.db import session_scope
from models import (
    AuditEvent,
    Contribution,
    EntryStatus,
    Indicator,
    IndicatorGoal,
    IndicatorValue,
    Initiative,
    InitiativeOrganisation,
    Measure,
    Mission,
    Organisation,
    OrganisationRole,
    Period,
    PeriodKind,
)
from seed.upsert import upsert

SYNTHETIC_PREFIX = "Syntetisk"
SYNTHETIC_NOTE = "Syntetiske testdata for skalatester. Ikke en ekte satsing eller indikator."
QUARTERS = 60
FIRST_YEAR = 2011


def add_synthetic(engine: Engine | None, factor: int) -> int:
    """Add factor copies of the portfolio with 60 quarterly values per indicator; returns copies."""
    rng = random.Random(20240101)
    with session_scope(write=True, engine=engine) as session:
        mission = session.exec(select(Mission).order_by(col(Mission.id))).first()
        if mission is None or mission.id is None:
            raise RuntimeError("Load the real mission first (python -m seed).")
        periods = quarterly_periods(session, mission.id)
        real = session.exec(
            select(Initiative).where(
                Initiative.mission_id == mission.id, col(Initiative.number) < 100
            )
        ).all()
        indicators = session.exec(
            select(Indicator).where(
                Indicator.mission_id == mission.id, ~col(Indicator.code).startswith("SYN-")
            )
        ).all()
        org_ids = list(session.exec(select(Organisation.id)).all())
        existing = set(
            session.exec(select(Initiative.number).where(Initiative.mission_id == mission.id)).all()
        )
        added = 0
        for copy in range(1, factor + 1):
            if copy * 100 + 1 in existing:
                continue
            _copy_portfolio(session, mission.id, copy, real, org_ids, rng)
            _copy_indicators(session, mission.id, copy, indicators, periods, rng)
            added += 1
        if added:
            session.add(
                AuditEvent(action="seed_synthetic", entity="mission", after={"copies": added})
            )
        return added


def quarterly_periods(session: Session, mission_id: int) -> list[int]:
    """The mission's 60 quarterly periods 2011-K1 .. 2025-K4, created when missing."""
    ids = []
    for index in range(QUARTERS):
        year, quarter = FIRST_YEAR + index // 4, index % 4 + 1
        start = dt.date(year, 3 * quarter - 2, 1)
        end = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - dt.timedelta(days=1)
        values = {"kind": PeriodKind.QUARTERLY, "start": start, "end": end, "locked": True}
        keys = {"mission_id": mission_id, "label": f"{year}-K{quarter}"}
        period = upsert(session, Period, keys, values)
        assert period.id is not None
        ids.append(period.id)
    return ids


def _copy_portfolio(
    session: Session,
    mission_id: int,
    copy: int,
    real: Sequence[Initiative],
    org_ids: list[int | None],
    rng: random.Random,
) -> None:
    for source in real:
        data = source.model_dump(
            exclude={"id", "mission_id", "number", "name", "description"}, warnings=False
        )
        initiative = Initiative(
            **data,
            mission_id=mission_id,
            number=copy * 100 + source.number,
            name=f"{SYNTHETIC_PREFIX} satsing {copy}.{source.number}",
            description=SYNTHETIC_NOTE,
        )
        session.add(initiative)
        session.flush()
        chosen = rng.sample(org_ids, k=rng.randint(1, 5))
        for position, org_id in enumerate(chosen):
            role = OrganisationRole.RESPONSIBLE if position == 0 else OrganisationRole.INVOLVED
            assert org_id is not None and initiative.id is not None
            session.add(
                InitiativeOrganisation(
                    initiative_id=initiative.id, organisation_id=org_id, role=role
                )
            )
        for contribution in session.exec(
            select(Contribution).where(Contribution.initiative_id == source.id)
        ):
            data = contribution.model_dump(exclude={"id", "initiative_id"}, warnings=False)
            assert initiative.id is not None
            session.add(Contribution(**data, initiative_id=initiative.id))
    session.flush()


def _copy_indicators(
    session: Session,
    mission_id: int,
    copy: int,
    indicators: Sequence[Indicator],
    periods: list[int],
    rng: random.Random,
) -> None:
    for position, source in enumerate(indicators, start=1):
        data = source.model_dump(
            exclude={"id", "mission_id", "code", "name", "note", "initiative_id"}, warnings=False
        )
        indicator = Indicator(
            **data,
            mission_id=mission_id,
            code=f"SYN-{copy}-{position:03d}",
            name=f"{SYNTHETIC_PREFIX}: {source.name}",
            note=SYNTHETIC_NOTE,
        )
        session.add(indicator)
        session.flush()
        assert indicator.id is not None
        for goal_id in session.exec(
            select(IndicatorGoal.goal_id).where(IndicatorGoal.indicator_id == source.id)
        ):
            session.add(IndicatorGoal(indicator_id=indicator.id, goal_id=goal_id))
        rows = []
        level = source.baseline_value if source.baseline_value is not None else 50.0
        for index, period_id in enumerate(periods):
            level = max(0.0, level * (1 + rng.uniform(-0.04, 0.035)))
            if source.measure == Measure.PERCENT:
                level = min(level, 100.0)
            recent = index >= len(periods) - 2
            status = (
                EntryStatus.SUBMITTED if recent and rng.random() < 0.3 else EntryStatus.APPROVED
            )
            rows.append(
                {
                    "indicator_id": indicator.id,
                    "period_id": period_id,
                    "value": round(level, 1),
                    "status": status,
                    "source_note": SYNTHETIC_NOTE,
                }
            )
        session.execute(insert(IndicatorValue), rows)
