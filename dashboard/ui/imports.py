"""Import of indicator values: the template download, the upload, the dry run and the commit.

The import button commits against the dry run the person saw, not one made at the click: the
stored versions that dry run found are kept in the session (under the upload's fingerprint) and
passed to commit_import, which writes nothing when any has changed since.
"""

import hashlib

import pandas as pd
import streamlit as st

from dashboard.db import DatabaseBusy
from dashboard.i18n.formatting import local_time, number
from dashboard.i18n.validation import describe
from dashboard.services.imports.run import (
    ImportCheck,
    ImportRefused,
    ImportStale,
    RowCheck,
    Versions,
    commit_import,
    dry_run,
)
from dashboard.services.imports.upload import (
    MAX_BYTES,
    MAX_ROWS,
    UploadRefused,
    read_upload,
    template,
)
from dashboard.services.permissions import Action, Actor, PermissionDenied, allowed
from dashboard.services.reporting_views import open_periods
from dashboard.ui.context import lang, t
from dashboard.ui.data import query
from dashboard.ui.notices import no_open_period_notice
from dashboard.ui.widgets import data_table, downloads, esc

ROUND_KEY = "import_round"  # a new, empty uploader after each import
DONE_KEY = "import_done"  # what the last import did, shown on the run after it
CHECKED_KEY = "import_checked"  # (upload fingerprint, stored versions) of the dry run shown
STALE_KEY = "import_stale"  # why the last click imported nothing, shown over the new dry run


def import_section(actor: Actor, mission_id: int) -> None:
    """Template download for an open period, upload, the dry run of every row, and the import."""
    if done := st.session_state.pop(DONE_KEY, None):
        st.success(done, icon=":material/check_circle:")
    secretariat = allowed(actor, Action.IMPORT)
    if not secretariat and actor.organisation_id is None:
        st.info(t("import.no_organisation"), icon=":material/info:")
        return
    periods = dict(query(open_periods, mission_id))
    if not periods:
        no_open_period_notice(mission_id)
        return
    st.caption(t("import.intro_admin" if secretariat else "import.intro_operative"))
    period_id = st.selectbox(
        t("import.template_period"),
        list(periods),
        format_func=lambda p: periods[p],
        key="import-period",
        placeholder=t("common.choose_one"),
    )
    st.caption(t("import.template_help"))
    scope = None if secretariat else actor.organisation_id
    downloads(
        query(template, mission_id, period_id, scope),
        f"importmal-{periods[period_id]}",
        key="import-template",
    )
    round_ = st.session_state.get(ROUND_KEY, 0)
    # The type list only guides the browser's file picker; read_upload checks type, size and
    # encoding again on the server, since what a browser sends can be anything.
    upload = st.file_uploader(
        t("import.upload"),
        type=["csv", "xlsx"],
        help=t(
            "import.upload_help",
            max_mb=MAX_BYTES // 2**20,
            max_rows=number(MAX_ROWS, lang()),
        ),
        key=f"import-file-{round_}",
    )
    if upload is None:
        st.session_state.pop(CHECKED_KEY, None)
        st.session_state.pop(STALE_KEY, None)
    else:
        check_upload(actor, mission_id, upload.name, upload.getvalue())


def _fingerprint(actor: Actor, mission_id: int, filename: str, data: bytes) -> str:
    """Which upload a dry run was of: the file's bytes and name, who, and the mission."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest}:{filename}:{actor.id}:{mission_id}:{st.session_state.get(ROUND_KEY, 0)}"


def check_upload(actor: Actor, mission_id: int, filename: str, data: bytes) -> None:
    """Read and dry-run an uploaded file, show every row, and offer the import when all are
    good; the import expects what the dry run shown before the click found."""
    upload_id = _fingerprint(actor, mission_id, filename, data)
    shown = st.session_state.pop(CHECKED_KEY, None)  # the dry run the last run showed
    seen: Versions | None = shown[1] if shown and shown[0] == upload_id else None
    try:
        frame = read_upload(filename, data)
        check = dry_run(actor, mission_id, frame)
    except UploadRefused as exc:
        st.error(refusal(exc), icon=":material/block:")
        return
    except PermissionDenied:
        st.error(t("auth.not_allowed"))
        return
    st.session_state[CHECKED_KEY] = (upload_id, check.versions())  # what this run shows
    if stale := st.session_state.pop(STALE_KEY, None):
        st.error(stale, icon=":material/sync_problem:")
    show_check(check)
    if not check.ok:
        st.error(t("import.has_bad", count=len(check.bad)), icon=":material/error:")
        return
    counts = check.counts()
    writes = counts["create"] + counts["update"] + counts["correct"]
    if not writes:
        st.info(t("import.nothing_to_import"), icon=":material/info:")
        return
    if not st.button(
        t("import.commit", count=writes),
        type="primary",
        icon=":material/upload:",
        key="import-commit",
    ):
        return
    if seen is None:  # no dry run of this very file was shown before the click
        st.session_state[STALE_KEY] = t("import.check_again")
        st.rerun()
    try:
        done = commit_import(actor, mission_id, frame, source=filename, expected=seen)
    except ImportStale as exc:
        # nothing was written; the next run shows a new dry run under this message
        st.session_state[STALE_KEY] = stale_message(exc)
        st.rerun()
    except ImportRefused as exc:
        st.error(t("import.changed_since"), icon=":material/error:")
        show_check(exc.check)
        return
    except PermissionDenied:
        st.error(t("auth.not_allowed"))
        return
    except DatabaseBusy:  # nothing was written; the dry run shown and its button stay
        st.warning(t("app.database_busy"), icon=":material/hourglass_top:")
        return
    key = "import.done_submitted" if allowed(actor, Action.IMPORT) else "import.done_draft"
    st.session_state[DONE_KEY] = t(
        key, name=esc(filename), create=done["create"], update=done["update"]
    )
    if done["correct"]:
        st.session_state[DONE_KEY] += " " + t("import.done_corrections", count=done["correct"])
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.rerun()


def stale_message(exc: ImportStale) -> str:
    """Which rows were saved by someone else after the dry run, by whom and when."""
    rows = []
    for changed in exc.changed:
        where = {"row": changed.row, "code": esc(changed.indicator), "period": esc(changed.period)}
        if changed.changed_by is None:
            rows.append(t("import.stale_row_anonymous", **where))
        else:
            who, when = esc(changed.changed_by), local_time(changed.changed_at, lang())
            rows.append(t("import.stale_row", **where, who=who, when=when))
    return t("import.stale", rows="; ".join(rows))


def refusal(exc: UploadRefused) -> str:
    """Why a file was refused, in the UI language (the file's own text escaped)."""
    return t(f"import.refused.{exc.code}", **{k: esc(v) for k, v in exc.values.items()})


def problems(row: RowCheck) -> list[str]:
    """Every reason a row cannot be imported, in the UI language."""
    found = [t(f"import.problem.{p.code}", **p.values) for p in row.problems]
    return found + (describe(row.invalid, lang()) if row.invalid else [])


def _entered(cell: object) -> str:
    """A value cell as it was in the file (numbers the way of the UI language)."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return "" if pd.isna(cell) else number(float(cell), lang())
    return "" if cell is None else str(cell)


def show_check(check: ImportCheck) -> None:
    """The dry run: counts, and every row with its outcome and reasons (bad rows first)."""
    st.markdown(t("import.summary", **check.counts()))
    rows = sorted(check.rows, key=lambda row: row.outcome != "bad")
    table = pd.DataFrame(
        {
            t("import.row"): [row.row for row in rows],
            t("col.code"): [row.indicator for row in rows],
            t("col.period"): [row.period for row in rows],
            t("col.value"): [_entered(row.entered) for row in rows],
            t("import.outcome"): [t(f"import.outcome.{row.outcome}") for row in rows],
            t("import.reason"): [" ".join(problems(row)) for row in rows],
        }
    )
    data_table(table, hide_index=True, width="stretch")
