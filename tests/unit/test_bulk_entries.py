"""The two ways an entry is written give the same rows and the same audit rows: one at a time
(reporting.store_entry: the grid and the check-in form) and in bulk (plan_entry then
store_entries: the import), through create, update, submit, approve, correction and a change
of the correction; on SQLite and PostgreSQL."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from reporting_world import World, make_world
from support.tables import rows_of

from dashboard.db import get_engine, session_scope
from dashboard.migrate import upgrade
from dashboard.services import corrections, reporting
from dashboard.services.permissions import Actor
from models import CheckIn, EntryStatus, IndicatorValue
from models.reporting import CheckInBase


@dataclass(frozen=True)
class Kind:
    """An entry model, its key in the world, its steps and the figures of each save."""

    model: type[IndicatorValue] | type[CheckIn]
    key: Callable[[World], tuple[int, int]]
    submit: Callable[..., Any]
    approve: Callable[..., Any]
    figures: list[dict[str, Any]]  # create, update, correction, change of the correction


def check_in(rag: str, progress: str) -> dict[str, Any]:
    figures = {"rag": rag, "progress": progress}
    return dict(CheckInBase.model_validate(figures).model_dump())


KINDS = {
    "value": Kind(
        IndicatorValue,
        lambda world: (world.indicator, world.period),
        reporting.submit_value,
        reporting.approve_value,
        [{"value": 5.0, "comment": "x"}, {"value": 6.0}, {"value": 7.0}, {"value": 8.0}],
    ),
    "check_in": Kind(
        CheckIn,
        lambda world: (world.initiative, world.period),
        reporting.submit_check_in,
        reporting.approve_check_in,
        [
            check_in("green", "a"),
            check_in("amber", "b"),
            check_in("red", "c"),
            check_in("red", "d"),
        ],
    ),
}


def store(world: World, kind: Kind, bulk: bool, figures: dict[str, Any], **how: Any) -> None:
    """Save figures as udir_a, in one write transaction, by one path or the other."""
    actor: Actor = world.actors["udir_a"]
    key = kind.key(world)
    with session_scope(write=True, engine=world.engine) as session:
        if not bulk:
            reporting.store_entry(
                session, actor, kind.model, key, figures, status=EntryStatus.DRAFT, **how
            )
            return
        stored = corrections.entries(session, kind.model, *key)
        write = reporting.plan_entry(
            session, actor, kind.model, key, figures, stored, status=EntryStatus.DRAFT, **how
        )
        assert write is not None
        reporting.store_entries(session, actor, kind.model, [write])


def entry(world: World, kind: Kind, correction: bool) -> Any:
    with session_scope(engine=world.engine) as session:
        return session.exec(
            sa.select(kind.model).where(kind.model.is_correction == correction)  # type: ignore[arg-type]
        ).scalar_one()


def run(world: World, kind: Kind, bulk: bool) -> dict[str, list[dict[str, object]]]:
    """Every step, then the entries and audit rows without their times."""
    create, update, correct, change = kind.figures
    store(world, kind, bulk, create, version=None)
    store(world, kind, bulk, update, version=1)
    main = entry(world, kind, correction=False)
    kind.submit(world.actors["udir_a"], main.id, main.version, engine=world.engine)
    kind.approve(world.actors["udir_b"], main.id, main.version + 1, engine=world.engine)
    store(world, kind, bulk, correct, version=main.version + 2, reason="Feil i kilden")
    pending = entry(world, kind, correction=True)
    store(world, kind, bulk, change, version=pending.version)
    tables = rows_of(world.engine)
    return {name: untimed(tables[name]) for name in (kind.model.__tablename__, "auditevent")}


def untimed(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """rows without the times they were written (columns and audit fields named *_at, at)."""

    def keep(name: str) -> bool:
        return name != "at" and not name.endswith("_at")

    return [
        {
            name: {k: v for k, v in value.items() if keep(k)} if isinstance(value, dict) else value
            for name, value in row.items()
            if keep(name)
        }
        for row in rows
    ]


@pytest.mark.parametrize("name", KINDS)
def test_a_save_and_an_import_write_the_same_rows_and_audit(
    world: World, empty_url: str, name: str
) -> None:
    kind = KINDS[name]
    upgrade(empty_url)
    other = make_world(get_engine(empty_url))  # the same ids in a database of its own
    one_at_a_time, in_bulk = run(world, kind, bulk=False), run(other, kind, bulk=True)
    audit = one_at_a_time["auditevent"]
    assert [row["action"] for row in audit] == [
        "create", "update", "submitted", "approved", "create", "update"
    ]  # fmt: skip
    assert len(one_at_a_time[kind.model.__tablename__]) == 2  # the entry and its correction
    assert in_bulk == one_at_a_time
