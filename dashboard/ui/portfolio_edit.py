"""On Satsing, for admin and the operative group: edit the initiative's contributions to goals
and its links to other initiatives."""

from typing import Any

import streamlit as st

from dashboard.services.framework import goal_options, initiative_options
from dashboard.services.permissions import Action, Actor, allowed
from dashboard.services.portfolio_edit import (
    StaleRow,
    create_contribution,
    create_link,
    delete_contribution,
    delete_link,
    editable_contributions,
    editable_links,
    update_contribution,
    update_link,
)
from dashboard.ui.context import label, t
from dashboard.ui.data import query
from dashboard.ui.method import levels_edit_section, steps_edit_section
from dashboard.ui.refusals import FAILURES, refusal
from dashboard.ui.widgets import esc
from models import (
    ContributionCreate,
    ContributionKind,
    ContributionUpdate,
    InitiativeLinkCreate,
    InitiativeLinkUpdate,
    LinkKind,
)

ROUND = "portfolio_edit_round"  # a new round of forms (fresh widgets) after each change
SEEN = "portfolio_edit_seen"  # (round, what, id) -> the fingerprint the form first showed
DONE = "portfolio_edit_done"  # what the last change did, shown on the run after it
SHOWN_FOR = "portfolio_edit_for"  # the initiative whose forms were shown last
STRENGTHS = [1, 2, 3]


def _round() -> int:
    return int(st.session_state.get(ROUND, 0))


def _seen(what: str, row_id: int, current: str) -> str:
    """The fingerprint of the row when its form first showed it (what the person saw)."""
    seen: dict[tuple[int, str, int], str] = st.session_state.setdefault(SEEN, {})
    return seen.setdefault((_round(), what, row_id), current)


def _key(*parts: object) -> str:
    return "-".join(["pe", str(_round()), *(str(p) for p in parts)])


def _attempt(change: Any, done: str, *, shown: tuple[str, int, str] | None = None) -> None:
    """Run a change; on success say done after a rerun with fresh forms, else say why not
    (what was typed stays in the form).

    shown is (what, id, fingerprint now) of the row the form edits: after a refusal because
    a colleague changed it, the form counts as having seen their change, so saving again goes
    over it, as the message says.
    """
    try:
        changed = change()
    except FAILURES as exc:
        if isinstance(exc, StaleRow) and shown:
            what, row_id, current = shown
            st.session_state[SEEN][(_round(), what, row_id)] = current
        st.error("\n\n".join(f"- {esc(m)}" for m in refusal(exc)))
        return
    if changed is False:
        st.info(t("portfolio.edit.unchanged"), icon=":material/info:")
        return
    st.session_state[DONE] = done
    st.session_state[ROUND] = _round() + 1
    st.rerun()


def _strength(value: int) -> str:
    return t(f"portfolio.strength.{value}")


def _contribution_fields(
    prefix: str, kind: str, strength: int, rationale: str | None
) -> dict[str, Any]:
    """The kind, strength and rationale inputs of a contribution form."""
    left, right = st.columns(2)
    kinds = list(ContributionKind)
    return {
        "kind": left.selectbox(
            t("col.contribution"),
            kinds,
            index=kinds.index(ContributionKind(kind)),
            format_func=lambda k: label(k, "ContributionKind"),
            key=f"{prefix}-kind",
            placeholder=t("common.choose_one"),
        ),
        "strength": right.radio(
            t("col.strength"),
            STRENGTHS,
            index=STRENGTHS.index(strength),
            format_func=_strength,
            horizontal=True,
            key=f"{prefix}-strength",
        ),
        "rationale": st.text_area(
            t("col.rationale"), value=rationale or "", max_chars=2000, key=f"{prefix}-rationale"
        ).strip()
        or None,
    }


def _contributions(actor: Actor, mission_id: int, initiative_id: int) -> None:
    rows = query(editable_contributions, initiative_id)
    for row in rows:
        seen = _seen("contribution", row.id, row.fingerprint)
        prefix = _key("c", row.id)
        with st.form(prefix):
            st.markdown(f"**{esc(row.goal_code)} {esc(row.goal_title)}**")
            if row.proposal:
                st.caption(t("portfolio.edit.proposal"))
            values = _contribution_fields(prefix, row.kind, row.strength, row.rationale)
            save, remove = st.columns(2)
            saved = save.form_submit_button(t("portfolio.edit.save"), type="primary")
            removed = remove.form_submit_button(t("portfolio.edit.remove_contribution"))
        if saved:
            _attempt(
                lambda row=row, values=values, seen=seen: update_contribution(
                    actor,
                    row.id,
                    ContributionUpdate.model_validate(values | {"proposal": False}),
                    seen=seen,
                ),
                t("portfolio.edit.saved_contribution", goal=esc(row.goal_code)),
                shown=("contribution", row.id, row.fingerprint),
            )
        if removed:
            _attempt(
                lambda row=row, seen=seen: delete_contribution(actor, row.id, seen=seen),
                t("portfolio.edit.removed_contribution", goal=esc(row.goal_code)),
                shown=("contribution", row.id, row.fingerprint),
            )
    taken = {row.goal_code for row in rows}
    free = [
        (g, code, title) for g, code, title in query(goal_options, mission_id) if code not in taken
    ]
    if not free:
        st.caption(t("portfolio.edit.every_goal"))
        return
    prefix = _key("c", "new", initiative_id)
    names = {g: f"{code} {title}" for g, code, title in free}
    with st.form(prefix):
        st.markdown(f"**{t('portfolio.edit.new_contribution')}**")
        goal = st.selectbox(
            t("col.goal"),
            list(names),
            format_func=lambda g: names[g],
            index=None,
            placeholder=t("portfolio.edit.pick_goal"),
            key=f"{prefix}-goal",
        )
        values = _contribution_fields(prefix, ContributionKind.DIRECT, 2, None)
        added = st.form_submit_button(t("portfolio.edit.add"), type="primary")
    if added:
        if goal is None:
            st.error(t("portfolio.edit.goal_missing"))
            return
        _attempt(
            lambda: create_contribution(
                actor,
                ContributionCreate.model_validate(
                    values | {"initiative_id": initiative_id, "goal_id": goal}
                ),
            ),
            t("portfolio.edit.added_contribution", goal=esc(names[goal].split(" ")[0])),
        )


def _direction(outgoing: bool, other: str) -> str:
    return t(
        "portfolio.edit.this_to_other" if outgoing else "portfolio.edit.other_to_this",
        other=esc(other),
    )


def _links(actor: Actor, mission_id: int, initiative_id: int) -> None:
    kinds = list(LinkKind)
    for row in query(editable_links, initiative_id):
        seen = _seen("link", row.id, row.fingerprint)
        prefix = _key("l", row.id)
        other = f"{row.other_number}. {row.other_name}"
        with st.form(prefix):
            st.markdown(f"**{_direction(row.outgoing, other)}**")
            kind = st.selectbox(
                t("col.link_kind"),
                kinds,
                index=kinds.index(LinkKind(row.kind)),
                format_func=lambda k: label(k, "LinkKind"),
                key=f"{prefix}-kind",
                placeholder=t("common.choose_one"),
            )
            text = st.text_area(
                t("col.note"), value=row.note or "", max_chars=1000, key=f"{prefix}-note"
            )
            save, remove = st.columns(2)
            saved = save.form_submit_button(t("portfolio.edit.save"), type="primary")
            removed = remove.form_submit_button(t("portfolio.edit.remove_link"))
        if saved:
            _attempt(
                lambda row=row, kind=kind, text=text, seen=seen: update_link(
                    actor,
                    row.id,
                    InitiativeLinkUpdate.model_validate(
                        {"kind": kind, "note": text.strip() or None}
                    ),
                    seen=seen,
                ),
                t("portfolio.edit.saved_link", other=esc(other)),
                shown=("link", row.id, row.fingerprint),
            )
        if removed:
            _attempt(
                lambda row=row, seen=seen: delete_link(actor, row.id, seen=seen),
                t("portfolio.edit.removed_link", other=esc(other)),
                shown=("link", row.id, row.fingerprint),
            )
    options = {
        i: f"{n}. {name}"
        for i, n, name in query(initiative_options, mission_id)
        if i != initiative_id
    }
    prefix = _key("l", "new", initiative_id)
    with st.form(prefix):
        st.markdown(f"**{t('portfolio.edit.new_link')}**")
        other_id = st.selectbox(
            t("portfolio.edit.other"),
            list(options),
            format_func=lambda i: options[i],
            index=None,
            placeholder=t("portfolio.edit.pick_initiative"),
            key=f"{prefix}-other",
        )
        kind = st.selectbox(
            t("col.link_kind"),
            kinds,
            format_func=lambda k: label(k, "LinkKind"),
            key=f"{prefix}-kind",
            placeholder=t("common.choose_one"),
        )
        outgoing = st.radio(
            t("portfolio.edit.direction"),
            [True, False],
            format_func=lambda o: _direction(o, t("portfolio.edit.the_other")),
            help=t("portfolio.edit.direction_help"),
            key=f"{prefix}-direction",
        )
        text = st.text_area(t("col.note"), max_chars=1000, key=f"{prefix}-note")
        added = st.form_submit_button(t("portfolio.edit.add"), type="primary")
    if added:
        if other_id is None:
            st.error(t("portfolio.edit.initiative_missing"))
            return
        ends = (initiative_id, other_id) if outgoing else (other_id, initiative_id)
        _attempt(
            lambda: create_link(
                actor,
                InitiativeLinkCreate.model_validate(
                    {
                        "from_id": ends[0],
                        "to_id": ends[1],
                        "kind": kind,
                        "note": text.strip() or None,
                    }
                ),
            ),
            t("portfolio.edit.added_link", other=esc(options[other_id])),
        )


def edit_section(actor: Actor, mission_id: int, initiative_id: int) -> None:
    """The edit forms, for those who may change the portfolio (nothing for anyone else)."""
    if not allowed(actor, Action.MANAGE_PORTFOLIO):
        return
    st.subheader(t("portfolio.edit.title"))
    st.caption(t("portfolio.edit.help"))
    if st.session_state.get(SHOWN_FOR) != initiative_id:  # another initiative: fresh forms
        st.session_state[SHOWN_FOR] = initiative_id
        st.session_state[SEEN] = {}
        st.session_state[ROUND] = _round() + 1
    if done := st.session_state.pop(DONE, None):
        st.success(done, icon=":material/check_circle:")
    with st.expander(t("portfolio.edit.contributions"), icon=":material/flag:"):
        _contributions(actor, mission_id, initiative_id)
    with st.expander(t("portfolio.edit.links"), icon=":material/link:"):
        _links(actor, mission_id, initiative_id)
    with st.expander(t("method.levels"), icon=":material/layers:"):
        levels_edit_section(actor, initiative_id, _key("levels"), DONE)
    with st.expander(t("method.staircase"), icon=":material/stairs:"):
        steps_edit_section(actor, mission_id, initiative_id, _key("steps"), DONE)
