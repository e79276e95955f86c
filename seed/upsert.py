"""Insert-or-update by natural key, so loading twice changes nothing."""

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

T = TypeVar("T", bound=SQLModel)


def upsert(session: Session, model: type[T], keys: dict[str, Any], values: dict[str, Any]) -> T:
    """The row of model with these key values, created or updated to hold values."""
    query = select(model)
    for name, value in keys.items():
        query = query.where(getattr(model, name) == value)
    row = session.exec(query).first()
    if row is None:
        row = model(**keys, **values)
        session.add(row)
    else:
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    session.flush()
    return row


def replace_children(session: Session, model: type[T], keys: dict[str, Any], rows: list[T]) -> None:
    """Make the child rows of model matching keys exactly rows (delete the rest)."""
    query = select(model)
    for name, value in keys.items():
        query = query.where(getattr(model, name) == value)
    wanted = {_identity(r) for r in rows}
    existing = {_identity(r): r for r in session.exec(query)}
    for identity, row in existing.items():
        if identity not in wanted:
            session.delete(row)
    for row in rows:
        if _identity(row) not in existing:
            session.add(row)
        else:
            current = existing[_identity(row)]
            for name, value in row.model_dump().items():
                setattr(current, name, value)
    session.flush()


def _identity(row: SQLModel) -> tuple[Any, ...]:
    """The primary-key values of a link-table row."""
    table = row.__table__  # type: ignore[attr-defined]
    return tuple(getattr(row, c.name) for c in table.primary_key.columns)
