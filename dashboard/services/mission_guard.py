"""Nothing crosses between missions: a command of one mission's actor writes no row of another.

One rule for every write, checked where SQLAlchemy writes (after each flush, and before each
bulk INSERT, UPDATE or DELETE), so no service has to remember it. A row belongs to a mission
through its mission_id or through what its foreign keys point at (a value through its
indicator and its period, a snapshot row through its report, and so on); users and
organisations belong to none and are shared.
"""

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ClauseElement
from sqlmodel import SQLModel

BOUND = "mission_id"  # the key in Session.info of the mission a command is bound to
MISSION_TABLE = "mission"
PREFETCH = 1000  # referenced rows read in one query


class OtherMission(Exception):
    """A command bound to one mission tried to write a row of another."""

    def __init__(self, table: str, missions: set[int]) -> None:
        super().__init__(f"{table} of mission {sorted(missions)}")
        self.table = table
        self.missions = missions


def bind(session: OrmSession, mission_id: int | None) -> None:
    """Hold session's writes to mission_id (None: not held to any)."""
    session.info[BOUND] = mission_id


@cache
def _scoped() -> frozenset[str]:
    """The tables whose rows belong to a mission (directly or through their foreign keys)."""
    tables = SQLModel.metadata.tables.values()
    found = {MISSION_TABLE} | {t.name for t in tables if "mission_id" in t.c}
    grew = True
    while grew:
        more = {
            t.name
            for t in tables
            if t.name not in found and any(fk.column.table.name in found for fk in t.foreign_keys)
        }
        found |= more
        grew = bool(more)
    return frozenset(found)


class _Resolver:
    """The missions of rows, each referenced row looked up once per check."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.known: dict[tuple[str, str, object], set[int]] = {}

    def of(self, table: sa.Table, values: Mapping[Any, Any]) -> set[int]:
        """The missions a row with these column values belongs to (empty: none)."""
        if table.name == MISSION_TABLE:
            return {values["id"]} if values.get("id") is not None else set()
        found: set[int] = set()
        for fk in table.foreign_keys:
            value = values.get(fk.parent.name)
            target = fk.column.table
            if value is None or target.name not in _scoped():
                continue
            if target.name == MISSION_TABLE:
                found.add(int(value))
            else:
                found |= self._referenced(target, fk.column, value)
        return found

    def prefetch(self, table: sa.Table, rows: Iterable[Mapping[Any, Any]]) -> None:
        """Look up, a thousand at a time, the rows that many rows of table point at (a bulk
        write of many rows then costs a few queries, not one per referenced row)."""
        rows = list(rows)
        for fk in table.foreign_keys:
            target, column = fk.column.table, fk.column
            if target.name not in _scoped() or target.name == MISSION_TABLE:
                continue
            wanted = {row.get(fk.parent.name) for row in rows} - {None}
            wanted = {v for v in wanted if (target.name, column.name, v) not in self.known}
            values = sorted(wanted, key=repr)
            for start in range(0, len(values), PREFETCH):
                chunk = values[start : start + PREFETCH]
                query = sa.select(target).where(column.in_(chunk))
                for row in self.connection.execute(query):
                    key = (target.name, column.name, row._mapping[column.name])
                    self.known[key] = self.of(target, row._mapping)
                for value in chunk:
                    self.known.setdefault((target.name, column.name, value), set())

    def _referenced(self, table: sa.Table, column: sa.Column[Any], value: object) -> set[int]:
        key = (table.name, column.name, value)
        if key not in self.known:
            self.known[key] = set()  # a cycle ends here
            row = self.connection.execute(sa.select(table).where(column == value)).first()
            self.known[key] = self.of(table, row._mapping) if row is not None else set()
        return self.known[key]


def _check(table: sa.Table, missions: set[int], bound: int) -> None:
    if missions - {bound}:
        raise OtherMission(table.name, missions)


def _object_values(obj: Any) -> Iterable[dict[str, Any]]:
    """The column values of an ORM object as it is now, and as it was for each changed one."""
    table: sa.Table = obj.__table__
    now = {c.name: getattr(obj, c.name, None) for c in table.columns}
    yield now
    state = sa.inspect(obj)
    before = dict(now)
    for column in table.columns:
        if column.foreign_keys and column.name in state.attrs:
            old = state.attrs[column.name].history.deleted
            if old:
                before[column.name] = old[0]
    if before != now:
        yield before


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session: OrmSession, _context: Any) -> None:
    bound = session.info.get(BOUND)
    if bound is None:
        return
    resolver = _Resolver(session.connection())
    written: dict[sa.Table, list[dict[str, Any]]] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__table__", None)
        if table is not None and table.name in _scoped():
            written.setdefault(table, []).extend(_object_values(obj))
    for table, rows in written.items():
        resolver.prefetch(table, rows)
        for values in rows:
            _check(table, resolver.of(table, values), bound)


@event.listens_for(OrmSession, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    bound = state.session.info.get(BOUND)
    statement = state.statement
    if bound is None or not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(statement, "table", None)
    if not isinstance(table, sa.Table) or table.name not in _scoped():
        return
    resolver = _Resolver(state.session.connection())
    # values the statement holds itself (insert().values(...), update().values(...))
    own = {k: v for k, v in _own_values(statement).items() if k in table.c}
    if state.is_insert:
        params = state.parameters
        rows: list[Any] = params if isinstance(params, list) else [params or {}]
        inserted = [{**own, **values} for values in rows]
        resolver.prefetch(table, inserted)
        for one in inserted:
            _check(table, resolver.of(table, one), bound)
        return
    # UPDATE and DELETE: the rows they will touch, as they are now and as an UPDATE leaves them
    # (for each set of parameters of an executemany, as its WHERE may name a row by one)
    where = getattr(statement, "whereclause", None)
    params = state.parameters
    sets: list[Any] = params if isinstance(params, list) else [params or {}]
    states: list[dict[str, Any]] = []  # each row as it is, and as the UPDATE leaves it
    for row, values in _touched(resolver.connection, table, where, sets):
        states.append(dict(row))
        changed = {name: value for name, value in {**own, **values}.items() if name in table.c}
        if changed:
            states.append({**row, **changed})
    resolver.prefetch(table, states)
    for state_of_row in states:
        _check(table, resolver.of(table, state_of_row), bound)


def _own_values(statement: Any) -> dict[str, Any]:
    """The values a Core statement holds itself (insert().values(...), update().values(...));
    an ORM-enabled one (insert(Model)) takes its values as parameters, and compiles only in an
    ORM context."""
    if not isinstance(statement, ClauseElement) or "plugin_subject" in statement._propagate_attrs:
        return {}
    return dict(statement.compile().params)


def _touched(
    connection: sa.Connection, table: sa.Table, where: Any, sets: list[Any]
) -> Iterable[tuple[Mapping[Any, Any], Mapping[str, Any]]]:
    """The rows an UPDATE or DELETE with these parameter sets touches, each with its set. A
    WHERE that names one row by a bound parameter (column = :name), or none with the primary
    key in every set (the ORM's bulk UPDATE by primary key), is read in one query."""
    key = _named_row(table, where, sets)
    if key is not None:
        column, name = key
        by_key = {values[name]: values for values in sets}
        query = sa.select(table).where(column.in_(list(by_key)))
        for row in connection.execute(query):
            yield row._mapping, by_key[row._mapping[column.name]]
        return
    query = sa.select(table) if where is None else sa.select(table).where(where)
    for values in sets:
        for row in connection.execute(query, values):
            yield row._mapping, values


def _named_row(table: sa.Table, where: Any, sets: list[Any]) -> tuple[sa.Column[Any], str] | None:
    """(the column, the parameter) when each parameter set names its one row by it."""
    if where is None:
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and sets and all(keys[0].name in values for values in sets):
            return keys[0], keys[0].name
        return None
    bind = where.right if isinstance(where, BinaryExpression) else None
    if (
        isinstance(bind, BindParameter)
        and where.operator is operators.eq
        and isinstance(where.left, sa.Column)
        and where.left.table is table
        and sets
        and all(bind.key in values for values in sets)
    ):
        return where.left, bind.key
    return None
