"""Framework administration on Administrasjon (indicators), and an indicator's change history."""

from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from dashboard.db import DatabaseBusy
from dashboard.i18n import sort_key
from dashboard.i18n.formatting import local_time, number
from dashboard.i18n.validation import describe
from dashboard.services.common import organisation_names
from dashboard.services.framework import (
    EditableIndicator,
    FrameworkRefused,
    Links,
    ReasonRequired,
    StaleIndicator,
    create_indicator,
    editable_indicator,
    goal_options,
    indicator_history,
    initiative_options,
    parse,
    update_indicator,
)
from dashboard.services.indicators import indicator_choices, indicator_table
from dashboard.services.permissions import Actor, PermissionDenied
from dashboard.statistics.suppression import SYMBOL, hidden_count
from dashboard.statistics.targets import (
    parse_target,
    regional_targets,
    remove_regional_target,
    set_regional_target,
)
from dashboard.ui.admin import _errors, _show_done
from dashboard.ui.context import label, lang, sees_suppressed, sees_unapproved, t
from dashboard.ui.data import query
from dashboard.ui.suppression import frame_hides
from dashboard.ui.tables import INDICATOR_VALUES, indicator_display
from dashboard.ui.widgets import data_table, esc, suppression_caption
from models import Direction, Frequency, IndicatorCreate, IndicatorLevel, IndicatorUpdate, Measure
from models.fields import YEAR_MAX, YEAR_MIN

DONE_KEY = "framework_done"  # what the last change did, shown on the run after it
# A new round of a form (new widget keys: fresh widgets) after a save, a reload or a new choice.
NEW_ROUND = "framework_new_round"
EDIT_ROUND = "framework_edit_round"
# (round, code) -> the indicator as the edit form first showed it, kept while its widgets live
SEEN_KEY = "framework_seen"

# The label of each field (and of the links), in forms, messages and the history.
FIELD_LABELS = {
    "code": "col.code",
    "name": "col.name",
    "definition": "col.definition",
    "unit": "col.unit",
    "measure": "col.measure",
    "direction": "col.direction",
    "source": "col.source",
    "source_table": "col.source_table",
    "ssb_table": "col.ssb_table",
    "ssb_selection": "col.ssb_selection",
    "frequency": "col.frequency",
    "level": "col.level",
    "baseline_value": "col.baseline_value",
    "baseline_year": "framework.baseline_year",
    "baseline_note": "col.baseline_note",
    "target_value": "col.target_value",
    "target_year": "col.target_year",
    "tolerance": "col.tolerance",
    "note": "col.note",
    "responsible": "col.responsible",
    "goals": "col.goals",
    "initiative": "col.initiative",
    "regional_targets": "framework.regional_targets",
}
ENUMS: dict[str, type[StrEnum]] = {
    "measure": Measure,
    "direction": Direction,
    "frequency": Frequency,
    "level": IndicatorLevel,
}
YEARS = frozenset({"baseline_year", "target_year"})
Option = TypeVar("Option")
R = TypeVar("R")


def field_name(field: str) -> str:
    """The label of an indicator field in the UI language."""
    return t(FIELD_LABELS[field]) if field in FIELD_LABELS else field


def _decimals(value: float) -> int:
    """How many decimals a number has (12.25 -> 2, 100000.0 -> 0)."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def typed(value: float | None) -> str:
    """A stored number as it would be typed, the Norwegian way, with every decimal it has."""
    return "" if value is None else number(value, "nb", _decimals(value))


def _pick(
    text: str,
    options: Sequence[Option],
    current: Option,
    format_func: Callable[[Any], str],
    key: str,
    **kwargs: Any,
) -> Option:
    """A selectbox starting at current (the first option when current is not one of them)."""
    index = options.index(current) if current in options else 0
    kwargs.setdefault("placeholder", t("common.choose_one"))
    chosen: Option = st.selectbox(
        text, options, index=index, format_func=format_func, key=key, **kwargs
    )
    return chosen


def _round(which: str) -> int:
    return int(st.session_state.get(which, 0))


def _new_round(which: str) -> None:
    """A fresh form on the next run: the stored state, nothing typed."""
    st.session_state[which] = _round(which) + 1


# --- the tab on Administrasjon ---------------------------------------------------------------


def indicators_section(actor: Actor, mission_id: int) -> None:
    """The mission's indicators, a form for a new one and one to change an indicator."""
    _show_done(DONE_KEY)
    indicators = query(indicator_table, mission_id, include_unapproved=True)
    if indicators.empty:
        st.info(t("framework.none"), icon=":material/info:")
    else:
        shown = indicator_display(indicators, shows_hidden=sees_suppressed())
        years = [str(y) if pd.notna(y) else "–" for y in indicators["target_year"]]
        shown.insert(list(shown.columns).index(t("col.target")) + 1, t("col.target_year"), years)
        shown[t("col.goals")] = [", ".join(codes) for codes in indicators["goals"]]
        data_table(shown, hide_index=True, width="stretch")
        suppression_caption(frame_hides(indicators, INDICATOR_VALUES))
        st.caption(t("framework.count", count=len(indicators)))
    with st.expander(t("framework.new"), icon=":material/add:"):
        _create_form(actor, mission_id)
    if not indicators.empty:
        with st.expander(t("framework.edit"), icon=":material/edit:", expanded=True):
            _edit_form(actor, mission_id)
        with st.expander(t("regional_target.header"), icon=":material/map:"):
            _regional_targets(actor, mission_id)


def _fields(
    prefix: str, mission_id: int, current: dict[str, Any], links: Links
) -> tuple[dict[str, Any], Links]:
    """The indicator's fields as inputs (keys start with prefix): what was typed, and links."""
    values: dict[str, Any] = {}

    def key(name: str) -> str:
        return prefix + name

    values["name"] = st.text_input(
        field_name("name"), value=current.get("name") or "", max_chars=300, key=key("name")
    )
    values["definition"] = st.text_area(
        field_name("definition"),
        value=current.get("definition") or "",
        max_chars=2000,
        help=t("framework.definition_help"),
        key=key("definition"),
    )
    left, middle, right, last = st.columns(4)
    with left:
        values["measure"] = _pick(
            field_name("measure"),
            list(Measure),
            current.get("measure"),
            lambda m: label(m, "Measure"),
            key("measure"),
        )
    with middle:
        values["unit"] = st.text_input(
            field_name("unit"), value=current.get("unit") or "", max_chars=40, key=key("unit")
        )
    with right:
        values["direction"] = _pick(
            field_name("direction"),
            list(Direction),
            current.get("direction"),
            lambda d: label(d, "Direction"),
            key("direction"),
        )
    with last:
        values["level"] = _pick(
            field_name("level"),
            list(IndicatorLevel),
            current.get("level"),
            lambda v: label(v, "IndicatorLevel"),
            key("level"),
        )
    left, middle, right = st.columns([2, 1, 1])
    values["source"] = left.text_input(
        field_name("source"), value=current.get("source") or "", max_chars=300, key=key("source")
    )
    values["source_table"] = middle.text_input(
        field_name("source_table"),
        value=current.get("source_table") or "",
        max_chars=120,
        key=key("source_table"),
    )
    with right:
        values["frequency"] = _pick(
            field_name("frequency"),
            list(Frequency),
            current.get("frequency"),
            lambda f: label(f, "Frequency"),
            key("frequency"),
        )
    left, right = st.columns([1, 3])
    values["ssb_table"] = left.text_input(
        field_name("ssb_table"),
        value=current.get("ssb_table") or "",
        max_chars=5,
        help=t("framework.ssb_table_help"),
        key=key("ssb_table"),
    )
    values["ssb_selection"] = right.text_input(
        field_name("ssb_selection"),
        value=current.get("ssb_selection") or "",
        max_chars=500,
        help=t("framework.ssb_selection_help"),
        key=key("ssb_selection"),
    )
    for part in ("baseline", "target"):
        left, middle, right = st.columns([1, 1, 2])
        values[f"{part}_value"] = left.text_input(
            field_name(f"{part}_value"),
            value=typed(current.get(f"{part}_value")),
            max_chars=40,
            help=t("framework.number_help"),
            key=key(f"{part}_value"),
        )
        values[f"{part}_year"] = middle.number_input(
            field_name(f"{part}_year"),
            min_value=YEAR_MIN,
            max_value=YEAR_MAX,
            value=current.get(f"{part}_year"),
            step=1,
            format="%d",
            key=key(f"{part}_year"),
        )
        if part == "baseline":
            values["baseline_note"] = right.text_input(
                field_name("baseline_note"),
                value=current.get("baseline_note") or "",
                max_chars=500,
                key=key("baseline_note"),
            )
        else:
            values["tolerance"] = right.text_input(
                field_name("tolerance"),
                value=typed(current.get("tolerance")),
                max_chars=40,
                help=t("framework.tolerance_help"),
                key=key("tolerance"),
            )
    names = query(organisation_names)
    orgs: list[int | None] = [None, *sorted(names, key=lambda i: sort_key(names[i]))]
    values["responsible_org_id"] = _pick(
        field_name("responsible"),
        orgs,
        current.get("responsible_org_id"),
        lambda i: t("common.none") if i is None else names[i],
        key("responsible"),
        help=t("framework.responsible_help"),
    )
    goals = {goal_id: f"{code} {title}" for goal_id, code, title in query(goal_options, mission_id)}
    goal_ids = st.multiselect(
        field_name("goals"),
        list(goals),
        default=[g for g in links.goal_ids if g in goals],
        format_func=lambda g: goals[g],
        key=key("goals"),
        placeholder=t("common.choose_many"),
    )
    initiatives = {i: f"{n}. {name}" for i, n, name in query(initiative_options, mission_id)}
    initiative = _pick(
        field_name("initiative"),
        [None, *initiatives],
        links.initiative_id,
        lambda i: t("common.none") if i is None else initiatives[i],
        key("initiative"),
        help=t("framework.initiative_help"),
    )
    values["note"] = st.text_area(
        field_name("note"), value=current.get("note") or "", max_chars=2000, key=key("note")
    )
    return values, Links(tuple(goal_ids), initiative)


def _refusal(exc: Exception) -> list[str]:
    """What went wrong with a save, in the UI language; nothing was saved."""
    if isinstance(exc, ValidationError):
        return describe(exc, lang())
    if isinstance(exc, ReasonRequired):
        fields = ", ".join(field_name(f) for f in exc.fields)
        return [t("framework.refused.reason_required", fields=fields)]
    if isinstance(exc, FrameworkRefused):
        return [t(f"framework.refused.{exc.code}", **exc.details)]
    if isinstance(exc, StaleIndicator):
        who = exc.changed_by or t("workflow.someone")
        return [t("framework.stale", who=who, when=local_time(exc.changed_at, lang()))]
    if isinstance(exc, DatabaseBusy):
        return [t("app.database_busy")]
    return [t("auth.not_allowed")]


def _create_form(actor: Actor, mission_id: int) -> None:
    prefix = f"fw-new-{_round(NEW_ROUND)}-"
    with st.form("framework-new"):
        code = st.text_input(
            field_name("code"), max_chars=40, help=t("framework.code_help"), key=f"{prefix}code"
        )
        values, links = _fields(prefix, mission_id, {}, Links())
        submitted = st.form_submit_button(
            t("framework.create"), type="primary", key="framework-create"
        )
    if not submitted:
        return
    try:
        raw = {"mission_id": mission_id, "code": code, "initiative_id": links.initiative_id}
        data = parse(IndicatorCreate, raw | values)
        create_indicator(actor, data, links.goal_ids)
    except (ValidationError, FrameworkRefused, PermissionDenied, DatabaseBusy) as exc:
        _errors(_refusal(exc))
        return
    st.session_state[DONE_KEY] = t("framework.created", code=esc(data.code))
    _new_round(NEW_ROUND)
    st.rerun()


def _edit_prefix(indicator_id: int) -> str:
    """The start of the keys of the edit form's widgets for an indicator, this round."""
    return f"fw-edit-{indicator_id}-{_round(EDIT_ROUND)}-"


def _shown_indicator(mission_id: int, code: str) -> EditableIndicator | None:
    """The indicator as this round of the edit form first showed it: kept while the form's
    widgets live (until a new round), and read again when the form is built afresh, as on
    coming back to the page, so an earlier visit's copy never passes for what is stored."""
    seen: dict[tuple[int, str], EditableIndicator] = st.session_state.setdefault(SEEN_KEY, {})
    where = (_round(EDIT_ROUND), code)
    kept = seen.get(where)
    if kept is None or f"{_edit_prefix(kept.id)}name" not in st.session_state:
        seen.clear()  # only the form being shown is kept
        found = query(editable_indicator, mission_id, code)
        if found is None:
            return None
        seen[where] = found
    return seen[where]


def _edit_form(actor: Actor, mission_id: int) -> None:
    names = dict(query(indicator_choices, mission_id))
    code = st.selectbox(
        t("framework.choose"),
        list(names),
        format_func=lambda c: f"{c} – {names[c]}",
        key="framework-edit-code",
        on_change=_new_round,
        args=(EDIT_ROUND,),
        placeholder=t("common.choose_one"),
    )
    shown = _shown_indicator(mission_id, code) if code else None
    if shown is None:
        st.error(t("framework.refused.no_indicator"))
        return
    prefix = _edit_prefix(shown.id)
    with st.form(f"framework-edit-{shown.id}"):
        values, links = _fields(prefix, mission_id, shown.fields, shown.links)
        reason = st.text_area(
            t("framework.reason"),
            max_chars=1000,
            help=t("framework.reason_help"),
            key=f"{prefix}reason",
        )
        submitted = st.form_submit_button(t("framework.save"), type="primary", key="framework-save")
    if not submitted:
        return
    changed = _tried(
        lambda: update_indicator(
            actor,
            shown.id,
            parse(IndicatorUpdate, values | {"reason": reason}),
            seen=shown.fingerprint,
            links=links,
        ),
        "framework-reload",
    )
    if changed is None:
        return
    if not changed:
        st.info(t("framework.no_change"), icon=":material/info:")
        return
    fields = ", ".join(field_name(f) for f in changed)
    st.session_state[DONE_KEY] = t("framework.saved", code=esc(shown.code), fields=esc(fields))
    _new_round(EDIT_ROUND)
    st.rerun()


# --- targets for regions ------------------------------------------------------------------


def _regional_targets(actor: Actor, mission_id: int) -> None:
    """The chosen indicator's targets for counties and municipalities: the list, a form to set
    one (or change it: the same region again) and one to remove one, each with a reason."""
    code = st.session_state.get("framework-edit-code")
    shown = _shown_indicator(mission_id, code) if code else None
    if shown is None:
        return
    st.caption(t("regional_target.intro", code=esc(shown.code)))
    targets = query(regional_targets, shown.id)
    if targets.empty:
        st.caption(t("regional_target.none"))
    else:
        data_table(
            pd.DataFrame(
                {
                    t("col.region"): list(targets["region"]),
                    field_name("target_value"): [typed(v) for v in targets["target_value"]],
                    field_name("target_year"): [str(y) for y in targets["target_year"]],
                    field_name("baseline_year"): [
                        "–" if y is None else str(y) for y in targets["baseline_year"]
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    prefix = f"rt-{shown.id}-{_round(EDIT_ROUND)}-"
    with st.form(f"regional-target-{shown.id}"):
        region_col, value_col, target_col, baseline_col = st.columns(4)
        region = region_col.text_input(
            t("regional_target.region"),
            max_chars=10,
            help=t("regional_target.region_help"),
            key=f"{prefix}region",
        )
        value = value_col.text_input(
            field_name("target_value"),
            max_chars=40,
            help=t("framework.number_help"),
            key=f"{prefix}value",
        )
        target_year = target_col.number_input(
            field_name("target_year"),
            min_value=YEAR_MIN,
            max_value=YEAR_MAX,
            value=None,
            step=1,
            format="%d",
            key=f"{prefix}target_year",
        )
        baseline_year = baseline_col.number_input(
            field_name("baseline_year"),
            min_value=YEAR_MIN,
            max_value=YEAR_MAX,
            value=None,
            step=1,
            format="%d",
            help=t("regional_target.baseline_help"),
            key=f"{prefix}baseline_year",
        )
        reason = st.text_area(t("framework.reason"), max_chars=1000, key=f"{prefix}reason")
        save = st.form_submit_button(t("regional_target.save"), key="regional-target-save")
    if save:
        raw = {
            "region": region,
            "target_value": value,
            "target_year": target_year,
            "baseline_year": baseline_year,
        }
        _change_target(
            lambda: set_regional_target(
                actor,
                shown.id,
                parse_target(raw, shown.fields.get("measure")),
                seen=shown.fingerprint,
                reason=reason,
            ),
            shown.code,
        )
    if targets.empty:
        return
    with st.form(f"regional-target-remove-{shown.id}"):
        chosen = st.selectbox(
            t("regional_target.remove_which"),
            list(targets["region"]),
            key=f"{prefix}remove_region",
            placeholder=t("common.choose_one"),
        )
        why = st.text_input(t("framework.reason"), max_chars=1000, key=f"{prefix}remove_reason")
        remove = st.form_submit_button(t("regional_target.remove"), key="regional-target-remove")
    if remove and chosen:
        _change_target(
            lambda: remove_regional_target(
                actor, shown.id, chosen, seen=shown.fingerprint, reason=why
            ),
            shown.code,
        )


def _tried(change: Callable[[], R], reload_key: str) -> R | None:
    """What change() gives, or None when it was refused: the refusal worded, what was typed
    kept, and when the indicator changed meanwhile a button that shows it as it is now."""
    try:
        return change()
    except StaleIndicator as exc:
        _errors(_refusal(exc))
        st.button(
            t("framework.reload"),
            icon=":material/refresh:",
            on_click=_new_round,
            args=(EDIT_ROUND,),
            key=reload_key,
        )
    except (ValidationError, FrameworkRefused, PermissionDenied, DatabaseBusy) as exc:
        _errors(_refusal(exc))
    return None


def _change_target(change: Callable[[], bool], code: str) -> None:
    """Save a change of a regional target, or say why not (what was typed stays)."""
    changed = _tried(change, "regional-target-reload")
    if changed is None:
        return
    if not changed:
        st.info(t("framework.no_change"), icon=":material/info:")
        return
    st.session_state[DONE_KEY] = t("regional_target.saved", code=esc(code))
    _new_round(EDIT_ROUND)
    st.rerun()


# --- history, on Indikatorer -----------------------------------------------------------------


# The fields of the history that hold a measured value (suppressed where a small count)
MEASURED_FIELDS = frozenset({"baseline_value"})


def _hidden(field: str | None, value: Any, measure: Any) -> bool:
    """Whether a value of the history is a small count hidden from publication."""
    return (
        field in MEASURED_FIELDS and isinstance(value, int | float) and hidden_count(value, measure)
    )


def _value(field: str | None, value: Any, measure: Any = None, *, internal: bool = True) -> str:
    """A value from the history as a reader sees it: a baseline that is a small count (of the
    indicator's measure) reads «:» unless internal, who see it marked."""
    if _hidden(field, value, measure):
        if not internal:
            return SYMBOL
        shown = number(value, lang(), _decimals(value))
        return f"{shown} ({t('suppression.marker')})"
    if field is None or value is None or value == []:
        return "–" if field else ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field in ENUMS:
        return label(str(value), ENUMS[field].__name__)
    if field in YEARS or isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return number(value, lang(), _decimals(value))
    return str(value)


def _who(email: str | None, role: str | None, org: str | None) -> str:
    """An e-mail for internal readers; otherwise the account's role and organisation."""
    if email:
        return email
    if role is None:
        return "–"
    who = label(role, "Role")
    return f"{who[:1].upper()}{who[1:]}" + (f" ({org})" if org else "")


def indicator_history_section(indicator_id: int, measure: Any = None) -> None:
    """The indicator's recorded changes, newest first: when, who, what from what to what, why
    (a baseline that is a small count of persons, measure the indicator's, as
    dashboard.ui.suppression shows it)."""
    st.subheader(t("framework.history"))
    history = query(indicator_history, indicator_id, internal=sees_unapproved())
    if history.empty:
        st.caption(t("framework.history_none"))
        return
    history = history.iloc[::-1]
    internal = sees_suppressed()
    shown = pd.DataFrame(
        {
            t("col.time"): [local_time(v, lang()) for v in history["at"]],
            t("admin.who"): [
                _who(e, r, o)
                for e, r, o in zip(history["who"], history["role"], history["org"], strict=True)
            ],
            t("col.field"): [
                field_name(f) if f else t("framework.created_event") for f in history["field"]
            ],
            t("col.before"): [
                _value(f, v, measure, internal=internal)
                for f, v in zip(history["field"], history["before"], strict=True)
            ],
            t("col.after"): [
                _value(f, v, measure, internal=internal)
                for f, v in zip(history["field"], history["after"], strict=True)
            ],
            t("col.reason"): history["reason"].fillna(""),
        }
    )
    data_table(shown, hide_index=True, width="stretch")
    suppression_caption(
        any(
            _hidden(f, v, measure)
            for f, before, after in zip(
                history["field"], history["before"], history["after"], strict=True
            )
            for v in (before, after)
        )
    )
    st.caption(t("framework.history_caption"))
