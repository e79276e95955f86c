"""What a person sees when a page fails: a message in their language, never Streamlit's
exception box (st.App's on_script_error, dashboard/server.py)."""

import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.db import DatabaseBusy, busy, read_only, schema_missing
from dashboard.health import DatabaseState, database_state, log_state
from dashboard.ui.context import t

LOG = logging.getLogger("dashboard")


def script_error(exc: Exception) -> bool:
    """Word an uncaught failure of a page run (the full error goes to the server's log);
    True: Streamlit shows nothing of its own."""
    LOG.error("A page run failed", exc_info=exc)
    if isinstance(exc, DatabaseBusy) or busy(exc):
        st.warning(t("app.database_busy"), icon=":material/hourglass_top:")
    elif read_only(exc):
        st.warning(t("app.database_read_only"), icon=":material/lock:")
    elif schema_missing(exc) and database_state() is DatabaseState.NOT_MIGRATED:
        log_state(DatabaseState.NOT_MIGRATED)
        st.error(t("app.database_not_migrated"), icon=":material/database:")
    elif isinstance(exc, SQLAlchemyError):
        st.error(t("app.database_unavailable"), icon=":material/cloud_off:")
    else:
        st.error(t("app.unexpected_error"), icon=":material/error:")
    return True
