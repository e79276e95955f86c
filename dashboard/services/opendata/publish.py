"""The open-data documents (the mission list, each mission's datapackage.json and its tables as
CSV and JSON), rendered once per data version and kept, each with an ETag from its content.

The ETag is a hash of the bytes served, so it changes exactly when what is published changes:
an approval or a published report changes it, a draft saved (which raises the data version
like every write) does not, and every app process behind a load balancer gives the same one.
A request reads only the data version (one row) while nothing has been written.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dashboard.db import get_engine, session_scope
from dashboard.services.common import data_version
from dashboard.services.exports import FORMULA_STARTS, neutralise
from dashboard.services.opendata.rows import READERS, Row
from dashboard.services.opendata.schema import TABLES, Table
from dashboard.settings import get_settings
from models import Mission

API_PATH = "/api/v1"
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
Format = Literal["csv", "json"]
LICENCES = {
    "NLOD-2.0": {
        "name": "NLOD-2.0",
        "path": "https://data.norge.no/nlod/no/2.0",
        "title": "Norsk lisens for offentlige data (NLOD) 2.0",
    },
    "CC-BY-4.0": {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0",
    },
}


class NotFound(LookupError):
    """No mission, or no table, by the name asked for (what: "mission" or "resource")."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Document:
    """One answer of the API: its bytes, media type and ETag."""

    body: bytes
    media_type: str
    etag: str


def document(body: bytes, media_type: str) -> Document:
    """A document whose ETag is the hash of its body."""
    return Document(body, media_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


def _moment(value: dt.datetime) -> str:
    """A time in UTC, ISO 8601 with Z (a naive one is taken as UTC, as SQLite returns it)."""
    moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _array(value: Any) -> str:
    return json.dumps([str(item) for item in value], ensure_ascii=False)


# How each Table Schema type is written, where Python's own str() or json would not do; codes
# (StrEnum) are str already. CSV writes None as an empty cell, JSON as null.
_JSON: dict[str, Callable[[Any], Any]] = {
    "date": dt.date.isoformat,
    "datetime": _moment,
    "array": lambda value: [str(item) for item in value],
}
_CSV: dict[str, Callable[[Any], Any]] = {
    **_JSON,
    "array": _array,
    "boolean": lambda value: "true" if value else "false",
}


def _csv_texts(values: Sequence[Any]) -> list[Any]:
    """A text column for CSV: a text a spreadsheet would run as a formula gets an apostrophe,
    as in every download (neutralise, called only for the few that start like one)."""
    return [v if v is None or not v.startswith(FORMULA_STARTS) else neutralise(v) for v in values]


def _written(table: Table, rows: list[Row], ways: dict[str, Callable[[Any], Any]]) -> list[Row]:
    """The rows with each column written the way its type is, column by column (fast)."""
    columns: list[Any] = list(zip(*rows, strict=True)) or [()] * len(table.columns)
    for place, column in enumerate(table.columns):
        if way := ways.get(column.type):
            columns[place] = [None if v is None else way(v) for v in columns[place]]
        elif column.type == "string" and ways is _CSV:
            columns[place] = _csv_texts(columns[place])
    return list(zip(*columns, strict=True))


def to_json(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(table: Table, rows: list[Row]) -> dict[Format, Document]:
    """The table as CSV (UTF-8, comma, a header row) and as JSON (an array of objects)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(table.names)
    writer.writerows(_written(table, rows, _CSV))
    names = table.names
    objects = [dict(zip(names, row, strict=True)) for row in _written(table, rows, _JSON)]
    return {
        "csv": document(text.getvalue().encode("utf-8"), FORMATS["csv"]),
        "json": document(to_json(objects), FORMATS["json"]),
    }


def package_name(key: str) -> str:
    """The mission's key as a Data Package name (lower case letters, digits, - . _)."""
    return re.sub(r"[^a-z0-9._-]+", "-", key.lower()).strip("-") or "mission"


def descriptor(mission: Mission, tables: dict[str, dict[Format, Document]]) -> dict[str, Any]:
    """The Data Package descriptor: licence, source, and per table its path, hash and schema."""
    settings = get_settings()
    licence = LICENCES[settings.open_data_licence]
    source = {"title": mission.title, "path": settings.app_base_url}
    resources = []
    for table in TABLES:
        body = tables[table.name]["csv"].body
        resources.append(
            {
                "name": table.name,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "title": table.title,
                "description": table.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "bytes": len(body),
                "hash": f"sha256:{hashlib.sha256(body).hexdigest()}",
                "licenses": [licence],
                "sources": [source],
                "schema": table.schema(),
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": package_name(mission.key),
        "title": mission.title,
        "description": mission.aim or mission.title,
        "homepage": f"{settings.app_base_url.rstrip('/')}/apne-data",
        "licenses": [licence],
        "sources": [source],
        "resources": resources,
    }


@dataclass
class Publication:
    """Everything the API serves of one mission at one data version."""

    package: Document
    tables: dict[str, dict[Format, Document]]


def publication(session: Session, mission: Mission) -> Publication:
    """Read and render every table of the mission, and its descriptor."""
    assert mission.id is not None
    tables = {t.name: render(t, READERS[t.name](session, mission.id)) for t in TABLES}
    package = to_json(descriptor(mission, tables))
    return Publication(document(package, FORMATS["json"]), tables)


def mission_list(session: Session) -> tuple[Document, frozenset[str]]:
    """The missions, each with the address of its Data Package; and their keys."""
    base = get_settings().app_base_url.rstrip("/")
    missions = session.exec(select(Mission).order_by(col(Mission.id))).all()
    listed = [
        {
            "key": m.key,
            "title": m.title,
            "short_title": m.short_title,
            "datapackage": f"{base}{API_PATH}/missions/{m.key}/datapackage.json",
        }
        for m in missions
    ]
    keys = frozenset(m.key for m in missions)
    return document(to_json({"missions": listed}), FORMATS["json"]), keys


T = TypeVar("T")


@dataclass
class _Kept:
    version: int
    value: Any


@dataclass
class Cache:
    """What has been rendered, per database and mission, with the data version it was read
    at. A value kept at the current version is served without waiting for anything; a render
    holds a lock of its own slot only, so a burst of requests after a write renders it once,
    the others getting the render before it meanwhile (the first render of all is waited for),
    and the other missions and the list are still served."""

    kept: dict[tuple[str, str], _Kept] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)  # guards locks
    locks: dict[tuple[str, str], threading.Lock] = field(default_factory=dict)

    def _lock_of(self, slot: tuple[str, str]) -> threading.Lock:
        with self.lock:
            return self.locks.setdefault(slot, threading.Lock())

    def get(self, engine: Engine, name: str, make: Callable[[Session], T]) -> T:
        """The value kept under name, made again by make(session) when the data changed."""
        slot = (str(engine.url), name)
        with session_scope(engine=engine) as session:
            version = data_version(session)
        kept = self.kept.get(slot)
        if kept is not None and kept.version == version:
            return cast(T, kept.value)
        lock = self._lock_of(slot)
        if kept is None:
            lock.acquire()
        elif not lock.acquire(blocking=False):  # another request is making it again: the one
            return cast(T, kept.value)  # before meanwhile (as a shared cache's copy would be)
        try:
            with session_scope(engine=engine) as session:
                version = data_version(session)  # before the rows: never newer than they are
                kept = self.kept.get(slot)
                if kept is None or kept.version != version:  # not made while this one waited
                    kept = _Kept(version, make(session))
                    self.kept[slot] = kept
                return cast(T, kept.value)
        finally:
            lock.release()

    def clear(self) -> None:
        """Forget everything rendered (the bench's cold runs)."""
        with self.lock:
            self.kept.clear()


CACHE = Cache()


def missions_document(*, engine: Engine | None = None) -> Document:
    """GET /api/v1/missions."""
    return CACHE.get(engine or get_engine(), "", mission_list)[0]


def _publication(key: str, engine: Engine | None) -> Publication:
    """The mission's publication; only known keys are kept, so memory stays bounded."""
    bind = engine or get_engine()
    if key not in CACHE.get(bind, "", mission_list)[1]:
        raise NotFound("mission")

    def make(session: Session) -> Publication | None:
        mission = session.exec(select(Mission).where(Mission.key == key)).first()
        return publication(session, mission) if mission else None

    found = CACHE.get(bind, f"mission:{key}", make)
    if found is None:  # removed since the list was read
        raise NotFound("mission")
    return found


def package_document(key: str, *, engine: Engine | None = None) -> Document:
    """GET /api/v1/missions/{key}/datapackage.json; NotFound for an unknown mission."""
    return _publication(key, engine).package


def table_document(key: str, filename: str, *, engine: Engine | None = None) -> Document:
    """GET /api/v1/missions/{key}/{table}.csv or .json; NotFound for an unknown mission or
    table."""
    tables = _publication(key, engine).tables
    name, _, extension = filename.rpartition(".")
    if name not in tables or extension not in FORMATS:
        raise NotFound("resource")
    return tables[name][extension]  # type: ignore[index]
