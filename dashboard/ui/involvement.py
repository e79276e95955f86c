"""Children's and young people's involvement in the UI: on Satsing, an initiative's involvement
and (for the operative group and the secretariat) its form; on Portefølje (visning=medvirkning),
the portfolio on Roger Hart's ladder of participation (Hart 1992) and the initiatives not
assessed."""

import pandas as pd
import streamlit as st

from dashboard.services.involvement import (
    NONE,
    NOT_ASSESSED,
    involvement,
    portfolio_by_rung,
    portfolio_involvement,
    save_involvement,
)
from dashboard.services.permissions import Action, Actor, allowed
from dashboard.services.portfolio_edit import StaleRow
from dashboard.ui.charts import bar_chart
from dashboard.ui.context import label, lang, t
from dashboard.ui.data import query
from dashboard.ui.refusals import FAILURES, refusal
from dashboard.ui.widgets import (
    chart_spec,
    chart_with_table,
    downloads,
    empty_state,
    esc,
    field_table,
    link_table,
    page_href,
)
from models import (
    FIRST_PARTICIPATING_RUNG,
    RUNGS,
    InitiativeInvolvement,
    Involvement,
    InvolvementPhase,
    NoInvolvement,
    ParticipantBand,
)

DONE = "involvement_done"  # what the last save did, shown on the run after it
SEEN = "involvement_seen"  # initiative id -> the fingerprint its form first showed
CHOICES = (NOT_ASSESSED, NONE, "involved")


def level_text(level: object) -> str:
    """A level as '6. Voksne tar initiativ, beslutninger deles med barn og unge', «Ingen
    medvirkning» or «Ikke vurdert»."""
    if isinstance(level, int) and level in RUNGS:
        return f"{level}. {t(f'involvement.rung.{level}')}"
    if level == NONE:
        return t("involvement.none")
    return t("involvement.not_assessed")


def _phases_text(phases: list[str]) -> str:
    return ", ".join(label(p, "InvolvementPhase") for p in phases) or t("involvement.not_given")


def _participants_text(band: object) -> str:
    """A band in words, «Ikke kjent» for none (None, or NaN in a portfolio frame)."""
    return (
        label(band, "ParticipantBand")
        if isinstance(band, str) and band
        else t("involvement.not_known")
    )


# --- Satsing -----------------------------------------------------------------------------------


def involvement_section(actor: Actor, initiative_id: int) -> None:
    """The initiative's involvement of children and young people, and its form for those who
    may change it."""
    st.subheader(t("involvement.title"))
    st.caption(t("involvement.ladder_help"))
    if done := st.session_state.pop(DONE, None):
        st.success(done, icon=":material/check_circle:")
    now = query(involvement, initiative_id)
    row = now.row
    fields: dict[str, object] = {t("involvement.level"): level_text(now.level)}
    if row is not None and row.involved:
        fields |= {
            t("col.method"): row.method or "–",
            t("col.phases"): _phases_text([str(p) for p in row.phases]),
            t("col.participants"): _participants_text(row.participants),
        }
    field_table(fields)
    if allowed(actor, Action.MANAGE_PORTFOLIO):
        with st.expander(t("involvement.edit"), icon=":material/groups:"):
            _form(actor, initiative_id, now.row, now.seen)


def _form(
    actor: Actor, initiative_id: int, stored: InitiativeInvolvement | None, current: str
) -> None:
    shown: dict[int, str] = st.session_state.setdefault(SEEN, {})
    seen = shown.setdefault(initiative_id, current)
    choice_now = NOT_ASSESSED if stored is None else ("involved" if stored.involved else NONE)
    key = f"involvement-{initiative_id}"
    with st.form(key):
        choice = st.radio(
            t("involvement.choice"),
            CHOICES,
            index=CHOICES.index(choice_now),
            format_func=lambda c: t(f"involvement.choice.{c}"),
            key=f"{key}-choice",
        )
        st.caption(t("involvement.details_help"))
        method = st.text_input(
            t("col.method"),
            value=(stored.method if stored else None) or "",
            max_chars=300,
            key=f"{key}-method",
            help=t("involvement.method_help"),
        )
        rung_now = stored.rung if stored else None
        rung = st.selectbox(
            t("col.rung"),
            list(RUNGS),
            index=RUNGS.index(rung_now) if rung_now in RUNGS else None,
            format_func=level_text,
            key=f"{key}-rung",
            placeholder=t("common.choose_one"),
            help=t("involvement.rung_help"),
        )
        phases = st.multiselect(
            t("col.phases"),
            [p.value for p in InvolvementPhase],
            default=[str(p) for p in stored.phases] if stored else [],
            format_func=lambda p: label(p, "InvolvementPhase"),
            key=f"{key}-phases",
            placeholder=t("involvement.not_given"),
        )
        bands = [b.value for b in ParticipantBand]
        band_now = stored.participants if stored else None
        band = st.selectbox(
            t("col.participants"),
            bands,
            index=bands.index(str(band_now)) if band_now else None,
            format_func=lambda b: label(b, "ParticipantBand"),
            key=f"{key}-participants",
            placeholder=t("involvement.not_known"),
            help=t("involvement.participants_help"),
        )
        saved = st.form_submit_button(t("involvement.save"), icon=":material/save:")
    if not saved:
        return
    try:
        data: Involvement | NoInvolvement | None = None
        if choice == NONE:
            data = NoInvolvement()
        elif choice == "involved":
            typed = {"method": method, "phases": phases, "participants": band}
            # no rung chosen is a missing field (not a wrong type), worded as such
            data = Involvement.model_validate(typed | ({} if rung is None else {"rung": rung}))
        changed = save_involvement(actor, initiative_id, data, seen=seen)
    except FAILURES as exc:
        if isinstance(exc, StaleRow):
            shown[initiative_id] = current  # a retry saves over it, knowingly
        st.error("\n\n".join(f"- {esc(m)}" for m in refusal(exc)))
        return
    shown.pop(initiative_id, None)
    if not changed:
        st.info(t("method.unchanged"), icon=":material/info:")
        return
    st.session_state[DONE] = t("involvement.saved")
    st.rerun()


# --- Portefølje --------------------------------------------------------------------------------


def by_rung_view(selected: pd.DataFrame, mission_id: int) -> None:
    """The chosen initiatives on Hart's ladder: how many on each rung, with no involvement and
    not assessed (a chart and its table), those involved, and those not assessed by name."""
    st.header(t("involvement.by_rung"))
    st.caption(t("involvement.by_rung_help"))
    if selected.empty:  # no initiative matches the filters: no ladder to draw
        empty_state("empty.no_match", "empty.who_filters")
        return
    numbers = tuple(int(n) for n in selected["number"])
    frame = query(portfolio_involvement, mission_id, numbers)
    counts = portfolio_by_rung(frame)
    bars = pd.DataFrame(
        {
            t("involvement.level"): [level_text(v) for v in counts["level"]],
            t("involvement.initiatives"): counts["initiatives"],
        }
    )
    level_column, count_column = bars.columns
    spec = chart_spec(
        bar_chart,
        frame=bars,
        label=level_column,
        value=count_column,
        title=t("involvement.initiatives"),
        lang=lang(),
        in_order=True,
    )
    assessed = int(counts.loc[counts["level"] != NOT_ASSESSED, "initiatives"].sum())
    participating = [rung for rung in RUNGS if rung >= FIRST_PARTICIPATING_RUNG]
    involved = int(counts.loc[counts["level"].isin(participating), "initiatives"].sum())
    alt_text = t("involvement.chart_alt", total=len(frame), assessed=assessed, involved=involved)
    chart_with_table(spec, alt_text, bars)
    downloads(bars, "medvirkning", key="by-rung")

    shown = frame[frame["level"] != NOT_ASSESSED]
    st.subheader(t("involvement.assessed"))
    if shown.empty:
        st.caption(t("involvement.none_assessed"))
    else:
        table = pd.DataFrame(
            {
                t("col.number"): shown["number"],
                t("col.initiative"): shown["name"],
                t("involvement.level"): [level_text(v) for v in shown["level"]],
                t("col.phases"): [
                    _phases_text(p) if lv != NONE else "–"
                    for p, lv in zip(shown["phases"], shown["level"], strict=True)
                ],
                t("col.participants"): [
                    _participants_text(b) if lv != NONE else "–"
                    for b, lv in zip(shown["participants"], shown["level"], strict=True)
                ],
                t("col.method"): [m if isinstance(m, str) and m else "–" for m in shown["method"]],
                t("col.open"): [page_href("satsing", nr=n) for n in shown["number"]],
            }
        )
        link_table(table, t("col.open"))

    missing = frame[frame["level"] == NOT_ASSESSED]
    st.subheader(t("involvement.not_assessed_title"))
    if missing.empty:
        st.caption(t("involvement.all_assessed"))
        return
    st.caption(t("involvement.not_assessed_help", count=len(missing)))
    st.markdown(
        "\n".join(
            f"- [{n}. {esc(name)}]({page_href('satsing', nr=n)})"
            for n, name in zip(missing["number"], missing["name"], strict=True)
        )
    )
