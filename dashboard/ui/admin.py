"""The Administrasjon page's parts: user accounts and their roles in the mission shown, the
audit log, periods (a mission's secretariat), and new missions (the global administrator)."""

import json
from collections.abc import Callable

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from dashboard.i18n import catalogue, sort_key
from dashboard.i18n.formatting import date, local_time
from dashboard.i18n.validation import describe
from dashboard.services.audit_view import AuditFilter, audit_facets, audit_trail
from dashboard.services.common import organisation_names
from dashboard.services.framework import FrameworkRefused, set_period_due
from dashboard.services.missions import DuplicateMission, create_mission, list_missions
from dashboard.services.periods import create_period, periods, set_period_locked
from dashboard.services.permissions import Actor, PermissionDenied
from dashboard.services.reporting import WorkflowRefused
from dashboard.services.users import (
    DuplicateEmail,
    LastAdmin,
    SharedAccount,
    create_user,
    new_password,
    reset_password,
    update_user,
    user_table,
)
from dashboard.ui.context import label, lang, t
from dashboard.ui.data import find_mission, query
from dashboard.ui.widgets import data_table, downloads, esc
from models import (
    MissionCreate,
    Period,
    PeriodCreate,
    PeriodKind,
    Role,
    UserCreate,
    UserUpdate,
)
from models.fields import YEAR_MAX, YEAR_MIN

ONCE_KEY = "admin_password_once"  # (e-mail, password) to show once, then forget
USERS_DONE_KEY = "admin_users_done"  # what the last change did, shown on the run after it
PERIODS_DONE_KEY = "admin_periods_done"
MISSIONS_DONE_KEY = "admin_missions_done"
AUDIT_LIMIT = 1000


def _errors(messages: list[str]) -> None:
    st.error("\n\n".join(f"- {esc(m)}" for m in messages))


def _show_done(key: str) -> None:
    """What the last change in this section did (it was saved before the rerun)."""
    if done := st.session_state.pop(key, None):
        st.success(done, icon=":material/check_circle:")


def _show_password_once() -> None:
    """The password just generated, shown this one time with a reminder to pass it on safely."""
    once = st.session_state.pop(ONCE_KEY, None)
    if once:
        email, password = once
        st.success(t("admin.password_once", email=esc(email)), icon=":material/key:")
        st.code(password, language=None)


def _organisation_choice(key: str, current: int | None = None) -> int | None:
    names = query(organisation_names)
    options: list[int | None] = [None, *sorted(names, key=lambda i: sort_key(names[i]))]
    return st.selectbox(
        t("col.organisation"),
        options,
        index=options.index(current) if current in options else 0,
        format_func=lambda i: t("common.none") if i is None else names[i],
        key=key,
        placeholder=t("common.choose_one"),
    )


def _mission_name() -> str:
    """The short title of the mission this tab shows (whose roles and audit rows it shows)."""
    mission = find_mission()
    return "" if mission is None else mission.short_title or mission.title


def _role_choice(key: str, current: Role = Role.PARTNER) -> Role:
    roles = list(Role)
    return st.selectbox(
        t("admin.role_in", mission=_mission_name()),
        roles,
        index=roles.index(current),
        format_func=lambda r: label(r, "Role"),
        help=t("admin.role_help", mission=_mission_name()),
        key=key,
        placeholder=t("common.choose_one"),
    )


def users_section(actor: Actor) -> None:
    """The accounts (shared by every mission) with their roles in this one, a form to create
    one, and one to change an account or its role here."""
    _show_done(USERS_DONE_KEY)
    _show_password_once()
    users = user_table(actor)
    mission = _mission_name()
    st.caption(t("admin.users_shared", mission=esc(mission)))
    shown = pd.DataFrame(
        {
            t("col.email"): users["email"],
            t("col.name"): users["name"],
            t("admin.role_in", mission=mission): [label(Role(r), "Role") for r in users["role"]],
            t("col.organisation"): users["organisation"].fillna(""),
            t("col.active"): [t("common.yes") if a else t("common.no") for a in users["active"]],
            t("col.locked_until"): [local_time(v, lang()) for v in users["locked_until"]],
            t("col.password"): [t("common.yes") if h else "" for h in users["has_password"]],
            t("col.created"): [local_time(v, lang()) for v in users["created_at"]],
            t("col.global_admin"): [t("common.yes") if g else "" for g in users["global_admin"]],
        }
    )
    data_table(shown, hide_index=True, width="stretch")
    st.caption(t("admin.users_count", count=len(users)))
    with st.expander(t("admin.new_user"), icon=":material/person_add:"):
        _create_form(actor)
    if not users.empty:
        with st.expander(t("admin.edit_user"), icon=":material/manage_accounts:", expanded=True):
            _edit_form(actor, users)


def _create_form(actor: Actor) -> None:
    with st.form("new-user"):
        email = st.text_input(t("col.email"), max_chars=254, key="new-email")
        name = st.text_input(t("col.name"), max_chars=200, key="new-name")
        role = _role_choice("new-role")
        organisation = _organisation_choice("new-organisation")
        with_password = st.checkbox(t("admin.with_password"), value=True, key="new-password")
        submitted = st.form_submit_button(t("admin.create"), type="primary", key="create-user")
    if not submitted:
        return
    password = new_password() if with_password else None
    try:
        data = UserCreate(
            email=email.strip(),
            name=name,
            role=role,
            organisation_id=organisation,
            password=password,
        )
        create_user(actor, data)
    except ValidationError as exc:
        _errors(describe(exc, lang()))
        return
    except DuplicateEmail:
        st.error(t("admin.duplicate_email", mission=esc(_mission_name())))
        return
    if password:
        st.session_state[ONCE_KEY] = (data.email.lower(), password)
    st.session_state[USERS_DONE_KEY] = t("admin.created", email=esc(data.email.lower()))
    st.rerun()


def _edit_form(actor: Actor, users: pd.DataFrame) -> None:
    ids = list(users["id"])
    emails = dict(zip(users["id"], users["email"], strict=True))
    user_id = st.selectbox(
        t("admin.choose_user"),
        ids,
        format_func=lambda i: emails[i],
        key="edit-user",
        placeholder=t("common.choose_one"),
    )
    row = users.set_index("id").loc[user_id]
    with st.form(f"edit-user-{user_id}"):
        st.caption(t("admin.account_shared", mission=esc(_mission_name())))
        name = st.text_input(
            t("col.name"), value=row["name"], max_chars=200, key=f"edit-name-{user_id}"
        )
        role = _role_choice(f"edit-role-{user_id}", Role(row["role"]))
        organisation = _organisation_choice(
            f"edit-organisation-{user_id}",
            None if pd.isna(row["organisation_id"]) else int(row["organisation_id"]),
        )
        active = st.checkbox(
            t("admin.active"), value=bool(row["active"]), key=f"edit-active-{user_id}"
        )
        reason = st.text_input(
            t("admin.reason"),
            max_chars=2000,
            help=t("admin.reason_help"),
            key=f"edit-reason-{user_id}",
        )
        left, right = st.columns(2)
        save = left.form_submit_button(t("admin.save"), type="primary", key="save-user")
        reset = right.form_submit_button(
            t("admin.reset_password"), icon=":material/key:", key="reset-password"
        )
    if not (save or reset):
        return
    if not reason.strip():
        st.error(t("admin.reason_missing"))
        return
    if reset:
        try:
            password = reset_password(actor, int(user_id), reason=reason.strip())
        except SharedAccount:
            st.error(t("admin.shared_account"))
            return
        st.session_state[ONCE_KEY] = (emails[user_id], password)
        st.rerun()
    try:
        changes = UserUpdate(name=name, role=role, organisation_id=organisation, active=active)
        update_user(actor, int(user_id), changes, reason=reason.strip())
    except ValidationError as exc:
        _errors(describe(exc, lang()))
        return
    except LastAdmin:
        st.error(t("admin.last_admin"))
        return
    except SharedAccount:
        st.error(t("admin.shared_account"))
        return
    st.session_state[USERS_DONE_KEY] = t("admin.saved", email=esc(emails[user_id]))
    st.rerun()


def _json(value: object) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def term(kind: str, value: object) -> str:
    """An audit action or entity in words, or the code itself when it has no translation."""
    key = f"audit.{kind}.{value}"
    return t(key) if key in catalogue(lang()) else str(value)


def _choice(kind: str) -> Callable[[str | None], str]:
    """A filter's format_func: 'all' for no choice, the term for the rest."""
    return lambda value: t("admin.all") if value is None else term(kind, value)


def audit_section(actor: Actor) -> None:
    """The audit log of this mission (and, for the global administrator, the installation's:
    dashboard.services.audit_view.visible_to), filtered by who, what and when, newest first,
    with downloads."""
    scope = "admin.audit_scope_global" if actor.global_admin else "admin.audit_scope"
    st.caption(t(scope, mission=esc(_mission_name())))
    facets = audit_facets(actor)
    who, what, where = st.columns(3)
    email = who.selectbox(
        t("admin.who"),
        [None, *facets["actor_email"]],
        format_func=_choice(""),
        key="audit-who",
        placeholder=t("common.choose_one"),
    )
    action = what.selectbox(
        t("admin.action"),
        [None, *facets["action"]],
        format_func=_choice("action"),
        key="audit-action",
        placeholder=t("common.choose_one"),
    )
    entity = where.selectbox(
        t("admin.entity"),
        [None, *facets["entity"]],
        format_func=_choice("entity"),
        key="audit-entity",
        placeholder=t("common.choose_one"),
    )
    start, end = st.columns(2)
    since = start.date_input(t("admin.since"), value=None, format="DD.MM.YYYY", key="audit-since")
    until = end.date_input(t("admin.until"), value=None, format="DD.MM.YYYY", key="audit-until")
    if since and until and until < since:
        st.error(t("admin.dates_reversed"))
        return
    chosen = AuditFilter(actor_email=email, action=action, entity=entity, since=since, until=until)
    log = audit_trail(actor, chosen, limit=AUDIT_LIMIT)
    shown = pd.DataFrame(
        {
            t("col.time"): [local_time(v, lang()) for v in log["at"]],
            t("admin.who"): log["actor"].fillna(t("admin.anonymous")),
            t("admin.action"): [term("action", v) for v in log["action"]],
            t("admin.entity"): [term("entity", v) for v in log["entity"]],
            t("col.id"): log["entity_id"].fillna(""),
            t("col.before"): [_json(v) for v in log["before"]],
            t("col.after"): [_json(v) for v in log["after"]],
            t("col.reason"): log["reason"].fillna(""),
        }
    )
    if shown.empty:
        st.info(t("admin.audit_empty"), icon=":material/info:")
        return
    data_table(shown, hide_index=True, width="stretch")
    limit_note = t("admin.audit_limit", limit=AUDIT_LIMIT) if len(log) == AUDIT_LIMIT else ""
    st.caption(f"{t('admin.audit_count', count=len(log))} {limit_note}")
    downloads(shown, "revisjonslogg", key="audit")


def periods_section(actor: Actor, mission_id: int) -> None:
    """The mission's reporting periods: create one, lock it, or re-open a locked one with a
    reason."""
    _show_done(PERIODS_DONE_KEY)
    rows = query(periods, mission_id)
    if rows:
        data_table(
            pd.DataFrame(
                {
                    t("col.period"): [p.label for p in rows],
                    t("col.kind"): [label(p.kind, "PeriodKind") for p in rows],
                    t("col.from"): [date(p.start, lang()) for p in rows],
                    t("col.to"): [date(p.end, lang()) for p in rows],
                    t("col.due"): [date(p.due, lang()) if p.due else "" for p in rows],
                    t("periods.locked"): [t("common.yes") if p.locked else "" for p in rows],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(t("periods.none"), icon=":material/info:")
    with st.expander(t("periods.new"), icon=":material/add:"):
        with st.form("new-period"):
            name = st.text_input(t("col.period"), max_chars=20, placeholder="2026-T1")
            kinds = list(PeriodKind)
            kind = st.selectbox(
                t("col.kind"),
                kinds,
                format_func=lambda k: label(k, "PeriodKind"),
                placeholder=t("common.choose_one"),
            )
            start, end, due = st.columns(3)
            first = start.date_input(t("col.from"), value=None, format="DD.MM.YYYY")
            last = end.date_input(t("col.to"), value=None, format="DD.MM.YYYY")
            deadline = due.date_input(t("col.due"), value=None, format="DD.MM.YYYY")
            submitted = st.form_submit_button(t("periods.create"), type="primary")
        if submitted:
            try:
                data = PeriodCreate(
                    mission_id=mission_id,
                    label=name,
                    kind=kind,
                    start=first,  # type: ignore[arg-type]
                    end=last,  # type: ignore[arg-type]
                    due=deadline,
                )
                create_period(actor, data)
            except ValidationError as exc:
                _errors(describe(exc, lang()))
                return
            except WorkflowRefused as exc:
                st.error(t(f"workflow.{exc.code}"))
                return
            st.session_state[PERIODS_DONE_KEY] = t("periods.created", label=esc(data.label))
            st.rerun()
    if rows:
        _lock_form(actor, rows)
        _due_form(actor, rows)


def _lock_form(actor: Actor, rows: list[Period]) -> None:
    with st.form("lock-period"):
        by_id = {p.id: p for p in rows}
        chosen = st.selectbox(
            t("periods.choose"),
            list(by_id),
            format_func=lambda i: f"{by_id[i].label}{' 🔒' if by_id[i].locked else ''}",
            placeholder=t("common.choose_one"),
        )
        reason = st.text_input(t("periods.reopen_reason"), max_chars=1000)
        left, right = st.columns(2)
        lock = left.form_submit_button(t("periods.lock"), icon=":material/lock:")
        reopen = right.form_submit_button(t("periods.reopen"), icon=":material/lock_open:")
    if not (lock or reopen) or chosen is None:
        return
    _set_locked(actor, by_id[chosen], lock, reason)


def _set_locked(actor: Actor, period: Period, lock: bool, reason: str) -> None:
    """Lock or re-open period; a refusal is told here, a success after the rerun."""
    try:
        set_period_locked(actor, period.id or 0, lock, reason=reason)
    except ValidationError as exc:
        _errors(describe(exc, lang()))
        return
    except (WorkflowRefused, PermissionDenied) as exc:
        code = exc.code if isinstance(exc, WorkflowRefused) else "not_allowed"
        st.error(t(f"workflow.{code}") if code != "not_allowed" else t("auth.not_allowed"))
        return
    key = "periods.locked_done" if lock else "periods.reopened"
    st.session_state[PERIODS_DONE_KEY] = t(key, label=esc(period.label))
    st.rerun()


def reopen_section(actor: Actor, mission_id: int) -> None:
    """Re-open a locked period of the mission with a reason (the steering group's way to let a
    correction in; the secretariat has the whole periods section)."""
    _show_done(PERIODS_DONE_KEY)
    locked = {p.id: p for p in query(periods, mission_id) if p.locked}
    if not locked:
        st.caption(t("periods.none_locked"))
        return
    with st.form("reopen-period"):
        chosen = st.selectbox(
            t("periods.choose"),
            list(locked),
            format_func=lambda i: locked[i].label,
            key="reopen-period-choice",
            placeholder=t("common.choose_one"),
        )
        reason = st.text_input(
            t("periods.reopen_reason"), max_chars=1000, key="reopen-period-reason"
        )
        reopen = st.form_submit_button(t("periods.reopen"), icon=":material/lock_open:")
    if reopen and chosen is not None:
        _set_locked(actor, locked[chosen], False, reason)


def _due_form(actor: Actor, rows: list[Period]) -> None:
    """Move a period's due date (audited, with an optional reason)."""
    by_id = {p.id: p for p in rows}
    with (
        st.expander(t("framework.due_change"), icon=":material/event:"),
        st.form("period-due"),
    ):
        chosen = st.selectbox(
            t("periods.choose"),
            list(by_id),
            format_func=lambda i: t(
                "framework.due_option", label=by_id[i].label, due=date(by_id[i].due, lang())
            ),
            key="due-period",
            placeholder=t("common.choose_one"),
        )
        left, right = st.columns(2)
        due = left.date_input(
            t("framework.due_new"), value=None, format="DD.MM.YYYY", key="due-date"
        )
        reason = right.text_input(t("framework.due_reason"), max_chars=1000, key="due-reason")
        submitted = st.form_submit_button(t("framework.due_change"), key="due-change")
    if not submitted or chosen is None:
        return
    if due is None:
        st.error(t("framework.due_missing"))
        return
    try:
        changed = set_period_due(actor, chosen, due, reason=reason)
    except FrameworkRefused as exc:
        st.error(t(f"framework.refused.{exc.code}"))
        return
    except PermissionDenied:
        st.error(t("auth.not_allowed"))
        return
    if not changed:
        st.info(t("framework.due_same"), icon=":material/info:")
        return
    done = t("framework.due_changed", label=esc(by_id[chosen].label), due=date(due, lang()))
    st.session_state[PERIODS_DONE_KEY] = done
    st.rerun()


def missions_section(actor: Actor) -> None:
    """The installation's missions and a form to create one (the global administrator only;
    the service refuses anyone else)."""
    _show_done(MISSIONS_DONE_KEY)
    st.caption(t("admin.missions_intro"))
    missions = query(list_missions)
    data_table(
        pd.DataFrame(
            {
                t("col.key"): [m.key for m in missions],
                t("col.title"): [m.title for m in missions],
                t("col.short_title"): [m.short_title or "" for m in missions],
                t("col.horizon_year"): [m.horizon_year for m in missions],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(t("admin.missions_count", count=len(missions)))
    with st.form("new-mission"):
        key = st.text_input(
            t("col.key"), max_chars=80, help=t("admin.mission_key_help"), key="mission-key"
        )
        title = st.text_input(t("col.title"), max_chars=300, key="mission-title")
        short = st.text_input(
            t("col.short_title"),
            max_chars=120,
            help=t("admin.mission_short_help"),
            key="mission-short-title",
        )
        aim = st.text_area(t("col.aim"), max_chars=2000, key="mission-aim")
        horizon = st.number_input(
            t("col.horizon_year"),
            min_value=YEAR_MIN,
            max_value=YEAR_MAX,
            value=None,
            step=1,
            format="%d",
            key="mission-horizon",
        )
        submitted = st.form_submit_button(
            t("admin.mission_create"), type="primary", key="create-mission"
        )
    if not submitted:
        return
    try:
        data = MissionCreate(
            key=key,
            title=title,
            short_title=short or None,
            aim=aim or None,
            horizon_year=None if horizon is None else int(horizon),
        )
        create_mission(actor, data)
    except ValidationError as exc:
        _errors(describe(exc, lang()))
        return
    except DuplicateMission:
        st.error(t("admin.mission_duplicate", name=esc(data.key)))
        return
    except PermissionDenied:
        st.error(t("auth.not_allowed"))
        return
    st.session_state[MISSIONS_DONE_KEY] = t("admin.mission_created", title=esc(data.title))
    st.rerun()
