"""E-mail notifications on the pages: each person's choices (Konto) and the outbox as the
secretariat sees it (Administrasjon)."""

import pandas as pd
import streamlit as st

from dashboard.i18n import LANGUAGES, translate
from dashboard.i18n.formatting import local_time
from dashboard.services.notification_choices import preferences, save_preferences
from dashboard.services.outbox import outbox_counts, outbox_table, send_again, send_all_again
from dashboard.services.permissions import Actor
from dashboard.settings import get_settings
from dashboard.ui.context import label, lang, t
from dashboard.ui.widgets import data_table
from models.notifications import Delivery, OutboxStatus, Topic

OUTBOX_LIMIT = 500
AGAIN = frozenset({OutboxStatus.FAILED, OutboxStatus.UNCERTAIN})
DONE = "outbox-done"  # what the last button did, said on the run it causes


def notification_form(actor: Actor) -> None:
    """Which notifications this person gets by e-mail (not at all, at once, or a daily
    digest) and in which language."""
    chosen = preferences(actor)
    if not chosen.choices:
        return
    st.caption(t("notify.intro"))
    if chosen.missions > 1:
        st.caption(t("notify.missions"))
    languages: list[str | None] = [None, *LANGUAGES]
    with st.form("notifications"):
        language = st.selectbox(
            t("notify.language"),
            languages,
            index=languages.index(chosen.language),
            key="notify-language",
            placeholder=t("common.choose_one"),
            format_func=lambda code: (
                t("notify.language_default")
                if code is None
                else translate(code, "app.language_name")
            ),
        )
        picked: dict[Topic, Delivery] = {}
        for topic, how in chosen.choices.items():
            answer = st.radio(
                label(topic, "Topic"),
                list(Delivery),
                index=list(Delivery).index(how),
                format_func=lambda d: label(d, "Delivery"),
                horizontal=True,
                key=f"notify-{topic.value}",
            )
            picked[topic] = how if answer is None else answer
        saved = st.form_submit_button(t("notify.save"))
    if saved:
        save_preferences(actor, language, picked)
        st.success(t("notify.saved"))


def outbox_section(actor: Actor) -> None:
    """The outbox: how many mails wait, were sent or failed, and the newest with their errors;
    a failed or uncertain mail can be queued again, or every failed one at once. The buttons
    act in their callbacks, before the counts and the table are read."""
    settings = get_settings()
    if settings.smtp_login_refused:
        st.warning(t("outbox.plain_login", host=settings.smtp_host), icon=":material/warning:")
    counts = outbox_counts(actor)
    st.caption(t("outbox.intro"))
    columns = st.columns(4)
    for column, status in zip(
        columns,
        (OutboxStatus.QUEUED, OutboxStatus.RETRYING, OutboxStatus.SENT, OutboxStatus.FAILED),
        strict=True,
    ):
        column.metric(label(status, "OutboxStatus"), counts[status])
    _said()
    if counts[OutboxStatus.FAILED]:
        st.button(
            t("outbox.again_all"), key="outbox-again-all", on_click=_send_all_again, args=(actor,)
        )
    shown_statuses = st.multiselect(
        t("outbox.filter"),
        list(OutboxStatus),
        format_func=lambda s: label(s, "OutboxStatus"),
        key="outbox-status",
        placeholder=t("common.choose_many"),
    )
    rows = outbox_table(actor, statuses=shown_statuses, limit=OUTBOX_LIMIT)
    if rows.empty:
        st.info(t("outbox.empty"), icon=":material/info:")
        return
    data_table(outbox_frame(rows), hide_index=True, width="stretch")
    again = [int(i) for i, s in zip(rows["id"], rows["status"], strict=True) if s in AGAIN]
    if again:
        with st.form("outbox-again"):
            st.selectbox(
                t("outbox.again_which"),
                again,
                key="outbox-again-id",
                placeholder=t("common.choose_one"),
            )
            st.form_submit_button(t("outbox.again"), on_click=_send_again, args=(actor,))


def _said() -> None:
    """What the button of the previous run did."""
    done = st.session_state.pop(DONE, None)
    if done is None:
        return
    kind, text = done
    if kind == "success":
        st.success(text)
    else:
        st.warning(text, icon=":material/warning:")


def _send_again(actor: Actor) -> None:
    """«Send på nytt»: queue the chosen mail again (a callback: the page then reads it queued)."""
    chosen = st.session_state.get("outbox-again-id")
    if chosen is None:
        return
    try:
        send_again(actor, int(chosen))
    except LookupError:  # someone else sent it again, or the sender took it, meanwhile
        st.session_state[DONE] = ("warning", t("outbox.again_gone"))
    else:
        st.session_state[DONE] = ("success", t("outbox.again_done"))


def _send_all_again(actor: Actor) -> None:
    """«Send alle feilede på nytt»: queue every failed mail again."""
    count = send_all_again(actor)
    st.session_state[DONE] = ("success", t("outbox.again_all_done", count=count))


def outbox_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The outbox rows as the table shows them, in the reader's language."""
    return pd.DataFrame(
        {
            t("col.id"): rows["id"],
            t("outbox.created"): [local_time(v, lang()) for v in rows["created_at"]],
            t("outbox.kind"): [label(v, "NotificationKind") for v in rows["kind"]],
            t("outbox.recipient"): rows["recipient"],
            t("outbox.status"): [label(v, "OutboxStatus") for v in rows["status"]],
            t("outbox.attempts"): rows["attempts"],
            t("outbox.next"): [
                local_time(v, lang()) if s in ("queued", "retrying") else ""
                for v, s in zip(rows["due_at"], rows["status"], strict=True)
            ],
            t("outbox.sent"): [local_time(v, lang()) for v in rows["sent_at"]],
            t("outbox.error"): rows["last_error"].fillna(""),
            t("outbox.message_id"): rows["message_id"].fillna(""),
        }
    )
