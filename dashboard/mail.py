"""One person's notifications as one e-mail: plain text and HTML, in their language, each
item with a link to the exact page of its mission, under the name of that mission (no
Streamlit, no database)."""

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from html import escape
from typing import Any
from urllib.parse import urlencode

from dashboard.i18n import translate
from dashboard.i18n.formatting import date, measured
from models.notifications import NotificationKind

K = NotificationKind
ENTRY_KINDS = frozenset({K.ENTRY_SUBMITTED, K.CORRECTION_WAITING, K.ENTRY_RETURNED})
REPORT_KINDS = frozenset({K.REPORT_SUBMITTED, K.REPORT_RETURNED, K.REPORT_APPROVED})
REMINDER_KINDS = frozenset({K.REMINDER_DUE, K.REMINDER_OVERDUE})


MISSION_PARAM = "oppdrag"  # as dashboard.ui.missions reads it


@dataclass(frozen=True)
class Notice:
    """One outbox row as the mail tells it: its kind and what it says; the mission it happened
    in (its key for the link, its name for the reader); admin: told to that mission's
    secretariat."""

    kind: NotificationKind
    payload: dict[str, Any]
    mission_key: str | None = None
    mission: str | None = None
    admin: bool = False


@dataclass(frozen=True)
class Told:
    """A notice in words: a title, lines under it, and the link to where it is done."""

    title: str
    lines: list[str]
    link: str


def link(base_url: str, notice: Notice) -> str:
    """The page a notice is about, in its mission: Rapportering for the period, the status
    report, Styring; for the secretariat a returned value (one it imported) is corrected on
    Administrasjon."""
    base, p = base_url.rstrip("/"), notice.payload
    mission = {MISSION_PARAM: notice.mission_key} if notice.mission_key else {}
    if notice.admin and notice.kind == K.ENTRY_RETURNED:
        page, query = "administrasjon", mission
    elif notice.kind in REPORT_KINDS:
        page, query = "statusrapporter", {"rapport": p["report_id"]} | mission
    elif notice.kind in ENTRY_KINDS | REMINDER_KINDS:
        page, query = "rapportering", {"periode": p["period_id"]} | mission
    else:
        page, query = "styring", mission
    return f"{base}/{page}?{urlencode(query)}" if query else f"{base}/{page}"


def _day(text: str | None, lang: str) -> str:
    return date(dt.date.fromisoformat(text), lang) if text else "–"


def _entry_line(entry: dict[str, Any], lang: str) -> str:
    name = f"{entry.get('code', '')} {entry.get('name', '')}".strip()
    if entry.get("entity") == "indicator_value" and entry.get("value") is not None:
        return f"{name}: {measured(entry['value'], entry.get('measure', 'count'), None, lang)}"
    return name


def told(notice: Notice, lang: str, base_url: str) -> Told:
    """What a notice says in lang."""
    p, kind = notice.payload, notice.kind

    def tr(key: str, **values: Any) -> str:
        return translate(lang, f"mail.{key}", **values)

    lines: list[str] = []
    if kind in ENTRY_KINDS:
        count = int(p.get("count", 1))
        title = tr(f"{kind.value}.title", count=count, period=p["period"])
        lines = [_entry_line(e, lang) for e in p.get("entries", [])]
        if count > len(lines):
            lines.append(tr("more", count=count - len(lines)))
        for entry in p.get("entries", []):
            if kind == K.CORRECTION_WAITING and entry.get("reason"):
                lines.append(
                    tr("correction_reason", name=entry.get("code"), reason=entry["reason"])
                )
    elif kind in REPORT_KINDS:
        title = tr(f"{kind.value}.title", period=p["period"])
    elif kind in REMINDER_KINDS:
        title = tr(f"{kind.value}.title", period=p["period"], due=_day(p.get("due"), lang))
        if p.get("indicators"):
            lines.append(tr("missing_indicators", names=", ".join(p["indicators"])))
        if p.get("check_ins"):
            lines.append(tr("missing_check_ins", names=", ".join(p["check_ins"])))
    else:
        title = tr(f"{kind.value}.title", title=p["title"], due=_day(p.get("due"), lang))
    if p.get("reason") and kind in (K.ENTRY_RETURNED, K.REPORT_RETURNED):
        lines.append(tr("reason", reason=p["reason"]))
    if p.get("by") and kind in ENTRY_KINDS | REPORT_KINDS - {K.REPORT_APPROVED}:
        lines.append(tr(f"by.{kind.value}", name=p["by"]))
    if notice.admin and kind == K.ENTRY_RETURNED:
        lines.append(tr("returned_import"))
    return Told(title, lines, link(base_url, notice))


def by_mission(notices: list[Notice]) -> list[tuple[str | None, list[Notice]]]:
    """The notices in sections, one per mission (in the order each first comes), so someone
    in two missions reads which each is about."""
    sections: dict[str | None, list[Notice]] = {}
    for notice in notices:
        sections.setdefault(notice.mission, []).append(notice)
    return list(sections.items())


def compose(
    notices: list[Notice],
    *,
    to: str,
    name: str,
    lang: str,
    sender: str,
    base_url: str,
    message_id: str,
) -> EmailMessage:
    """One mail to one person telling every notice, under the name of its mission, as plain
    text with an HTML alternative."""
    sections = [
        (mission, [told(notice, lang, base_url) for notice in told_there])
        for mission, told_there in by_mission(notices)
    ]
    items = [item for _, section in sections for item in section]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = message_id
    message["Subject"] = (
        items[0].title
        if len(items) == 1
        else translate(lang, "mail.subject_many", count=len(items))
    )
    account = f"{base_url.rstrip('/')}/konto"
    greeting = translate(lang, "mail.greeting", name=name)
    footer = translate(lang, "mail.footer", link=account)
    text = [greeting, ""]
    html = [f"<p>{escape(greeting)}</p>"]
    for mission, section in sections:
        if mission is not None:
            named = translate(lang, "mail.mission", name=mission)
            text += [named, "=" * len(named), ""]
            html.append(f"<h2>{escape(named)}</h2>")
        for item in section:
            text += [item.title, *(f"  {line}" for line in item.lines), f"  {item.link}", ""]
            html.append(f"<h3>{escape(item.title)}</h3>")
            if item.lines:
                items_html = "".join(f"<li>{escape(x)}</li>" for x in item.lines)
                html.append(f"<ul>{items_html}</ul>")
            html.append(f'<p><a href="{escape(item.link)}">{escape(item.link)}</a></p>')
    message.set_content("\n".join([*text, "-- ", footer]) + "\n")
    html.append(f"<p><small>{escape(footer)}</small></p>")
    message.add_alternative(
        f'<!DOCTYPE html><html lang="{lang}"><body>{"".join(html)}</body></html>', subtype="html"
    )
    message["Content-Language"] = lang  # after the content, which clears Content-* headers
    return message
