"""Whether the database can serve the app: GET /healthz for a load balancer, the log line at
start-up, and the wording of a page that failed on the database (dashboard/ui/errors.py).

Streamlit's own /_stcore/health says ok as long as the web server runs, whatever the database.
"""

import logging
from enum import StrEnum
from functools import lru_cache

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dashboard.db import get_engine, schema_missing

LOG = logging.getLogger("dashboard")
HEALTH_PATH = "/healthz"
MIGRATE_HINT = "run `python -m dashboard.migrate` (or `make migrate`) with the same DATABASE_URL"


class DatabaseState(StrEnum):
    """What a cheap look at the database found."""

    OK = "ok"
    UNREACHABLE = "unreachable"  # no connection, or the data version cannot be read
    NOT_MIGRATED = "not_migrated"  # empty, or its schema is not this code's Alembic head


@lru_cache
def schema_head() -> str | None:
    """The Alembic revision this code's migrations end at."""
    from alembic.script import ScriptDirectory

    from dashboard.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def database_state(engine: Engine | None = None) -> DatabaseState:
    """Two one-row SELECTs: the schema revision, and the data version every page reads first.

    Not migrated: no alembic_version table, or another revision than this code's head. A
    database at head that still fails (a table gone) counts as unreachable: migrating would
    not help.
    """
    try:
        with (engine or get_engine()).connect() as conn:
            try:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except DBAPIError as error:
                if schema_missing(error):
                    return DatabaseState.NOT_MIGRATED
                raise
            if revision != schema_head():
                return DatabaseState.NOT_MIGRATED
            conn.execute(text("SELECT version FROM dataversion WHERE id = 1")).one()
    except SQLAlchemyError:
        return DatabaseState.UNREACHABLE
    return DatabaseState.OK


def log_state(state: DatabaseState) -> None:
    """Say in the server's log what is wrong with the database, if anything."""
    if state is DatabaseState.NOT_MIGRATED:
        LOG.error("The database is empty or not migrated to this version: %s.", MIGRATE_HINT)
    elif state is DatabaseState.UNREACHABLE:
        LOG.error("The database cannot be reached (DATABASE_URL); pages say so until it can.")


_last_state = DatabaseState.OK


async def healthz(_request: Request) -> JSONResponse:
    """200 {"status": "ok"} when the database answers and is migrated, else 503 with which of
    the two failed; no sign-in, and nothing about the data or the error's text."""
    global _last_state
    state = await run_in_threadpool(database_state)
    if state is not _last_state:  # once per change, not at every poll of a load balancer
        if state is DatabaseState.OK:
            LOG.warning("The database answers again.")
        log_state(state)
        _last_state = state
    healthy = state is DatabaseState.OK
    body = {"status": "ok"} if healthy else {"status": "unavailable", "database": state.value}
    return JSONResponse(
        body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"}
    )


HEALTH_ROUTE = Route(HEALTH_PATH, healthz, methods=["GET"])
