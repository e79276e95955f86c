"""The review pack of a status report: a PDF with its charts and an Excel workbook, in the
report's language, to send to the steering group before a meeting. No Streamlit here."""

import io
from typing import Any

import pandas as pd
import vl_convert
from fpdf import FPDF
from fpdf.fonts import FontFace

from dashboard.i18n.formatting import date, local_date, local_time
from dashboard.services.exports import to_excel_sheets
from dashboard.services.snapshots.compare import Comparison
from dashboard.services.status_reports import ReportDetail
from dashboard.ui.charts import bar_chart
from dashboard.ui.report_tables import (
    Words,
    change_tables,
    completeness_table,
    decisions_table,
    funding_table,
    goals_table,
    indicators_table,
    initiatives_table,
    learning_table,
    rag_counts,
    status_counts,
)
from dashboard.ui.suppression import REPORT_VALUES, changes_hide, frame_hides, hidden_note

# The PDF's core fonts speak windows-1252: what it lacks is written with what it has.
_PDF_CHARS = str.maketrans(
    {
        "\u2192": "->",
        "\u2212": "-",
        "\u2003": "  ",
        "\u2009": " ",
        "\u202f": "\u00a0",
        "\u2011": "-",
        "\u2010": "-",
    }
)
INK = (31, 78, 121)


def pdf_text(value: Any) -> str:
    """Text the core fonts can print (characters outside windows-1252 become '?')."""
    plain = str(value).translate(_PDF_CHARS)
    return plain.encode("windows-1252", errors="replace").decode("windows-1252")


def chart_png(frame: pd.DataFrame, label: str, value: str, title: str, lang: str) -> bytes:
    """A bar chart of the report as a PNG image."""
    spec = bar_chart(frame, label=label, value=value, title=title, lang=lang).to_dict()
    spec["width"] = 520
    png: bytes = vl_convert.vegalite_to_png(spec, scale=2)
    return png


def report_title(detail: ReportDetail, w: Words) -> str:
    return w("report.title", period=detail.period)


def status_line(detail: ReportDetail, w: Words) -> str:
    """'Godkjent 5. mars 2026 av ...' or 'Utkast - ikke godkjent', for the pack's first page."""
    report = detail.report
    if detail.frozen:
        when = date(local_date(report.approved_at), w.lang)
        return w("report.approved_line", when=when, who=detail.people["approved_by"] or "–")
    return w("report.unapproved_line", status=w.enum(report.status, "ReportStatus"))


class _Pack(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(12, 12, 12)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", size=7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, pdf_text(f"{self.footer_text} · {self.page_no()}"), align="R")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: int = 13, room: float = 40) -> None:
        """A heading, on a new page when less than room (mm) is left below it."""
        if self.get_y() > self.h - room:
            self.add_page()
        self.ln(3)
        self.set_font("Helvetica", "B", size)
        self.set_text_color(*INK)
        self.multi_cell(0, size * 0.5, pdf_text(text))
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def paragraph(self, text: str, size: int = 10) -> None:
        self.set_font("Helvetica", size=size)
        self.multi_cell(0, size * 0.5, pdf_text(text))
        self.ln(1)

    def frame(self, frame: pd.DataFrame, widths: list[float] | None = None) -> None:
        """A table with a repeated header row."""
        self.set_font("Helvetica", size=7.5)
        header = FontFace(emphasis="BOLD", fill_color=(225, 233, 242))
        with self.table(
            col_widths=tuple(widths) if widths else None,
            width=sum(widths) if widths else None,
            headings_style=header,
            line_height=3.6,
            text_align="LEFT",
            align="LEFT",
            repeat_headings=1,
        ) as table:
            table.row([pdf_text(c) for c in frame.columns])
            for values in frame.itertuples(index=False, name=None):
                table.row([pdf_text(v) for v in values])
        self.ln(2)

    def counts(self, counts: pd.DataFrame, w: Words, title_key: str, total: int) -> None:
        """A bar chart of counts (label and count columns), with its text alternative."""
        if self.get_y() > self.h - 100:
            self.add_page()
        label_column, count_column = counts.columns
        png = chart_png(counts, label_column, count_column, w(title_key), w.lang)
        self.image(io.BytesIO(png), w=150, alt_text=pdf_text(w(f"{title_key}_alt", total=total)))
        self.ln(2)


def review_pdf(
    detail: ReportDetail, mission_title: str, lang: str, *, internal: bool = False
) -> bytes:
    """The report as a PDF: summary, goals, charts, indicators, initiatives, their funding
    streams and the period's learning log, completeness, decisions and what changed since the
    previous approved report. Suppressed values show as «:» unless the reader is internal
    (dashboard.ui.suppression)."""
    w = Words(lang, internal=internal)
    title = report_title(detail, w)
    pdf = _Pack(f"{mission_title} · {title}")
    pdf.set_title(pdf_text(title))
    pdf.set_lang("nb" if lang == "nb" else "en")
    pdf.add_page()
    pdf.heading(title, 18)
    pdf.paragraph(mission_title, 11)
    pdf.paragraph(status_line(detail, w), 10)
    pdf.paragraph(
        w("report.generated_line", when=local_time(detail.report.generated_at, w.lang)), 8
    )
    report = detail.report
    pdf.heading(w("report.summary"))
    pdf.paragraph(report.summary or w("report.no_summary"))
    if report.decisions_requested:
        pdf.heading(w("report.decisions_requested"))
        pdf.paragraph(report.decisions_requested)

    snapshot = detail.snapshot
    pdf.heading(w("report.goals"))
    pdf.frame(goals_table(snapshot.goals, w), [12, 70, 32, 32, 80, 20, 20])

    pdf.heading(w("report.indicators"), room=110)
    pdf.counts(status_counts(snapshot, w), w, "report.chart.statuses", len(snapshot.indicators))
    indicators = indicators_table(snapshot.indicators, w)
    pdf.frame(indicators, [42, 54, 20, 14, 26, 22, 28, 22, 18, 27])
    if frame_hides(snapshot.indicators, REPORT_VALUES):
        pdf.paragraph(hidden_note(lang, internal=internal), 8)

    pdf.heading(w("report.initiatives"), room=110)
    pdf.counts(rag_counts(snapshot, w), w, "report.chart.rag", len(snapshot.initiatives))
    pdf.frame(
        initiatives_table(snapshot.initiatives, w),
        [9, 38, 18, 15, 20, 20, 10, 30, 18, 38, 34, 23],
    )
    _funding_and_learning(pdf, detail, w)

    pdf.heading(w("report.completeness"))
    pdf.frame(completeness_table(snapshot, w), [60, 40, 40])

    pdf.heading(w("report.decisions"))
    if snapshot.decisions.empty:
        pdf.paragraph(w("report.no_decisions" if detail.frozen else "report.decisions_at_approval"))
    else:
        pdf.frame(decisions_table(snapshot.decisions, w), [60, 22, 26, 26, 22, 60, 18, 39])

    _changes(pdf, detail.changes, detail.previous_period, w)
    return bytes(pdf.output())


def _funding_and_learning(pdf: _Pack, detail: ReportDetail, w: Words) -> None:
    """The streams per initiative and the period's learning-log entries, as the page shows them."""
    snapshot = detail.snapshot
    pdf.heading(w("funding.title"))
    streams = funding_table(snapshot, w)
    if streams.empty:
        pdf.paragraph(w("funding.report_none"))
    else:
        pdf.paragraph(w("funding.report_help"))
        pdf.frame(streams, [12, 106, 155])
    pdf.heading(w("learning.title"))
    if snapshot.learning.empty:
        pdf.paragraph(w("learning.report_none", period=detail.period))
    else:
        pdf.paragraph(w("learning.report_help", period=detail.period))
        pdf.frame(learning_table(snapshot, w), [25, 70, 108, 70])


def _changes(pdf: _Pack, changes: Comparison | None, previous: str | None, w: Words) -> None:
    pdf.heading(w("report.changes"))
    if changes is None:
        pdf.paragraph(w("report.no_previous"))
        return
    pdf.paragraph(w("report.changes_since", period=previous or "–", count=changes.total))
    for key, frame in change_tables(changes, w).items():
        pdf.heading(w(key), 11)
        pdf.frame(frame)
    if changes_hide(changes):  # «:» in a change, maybe with no hidden value in the report
        pdf.paragraph(hidden_note(w.lang, internal=w.internal), 8)


def review_excel(
    detail: ReportDetail, mission_title: str, lang: str, *, internal: bool = False
) -> bytes:
    """The report as an Excel workbook, one sheet per part (suppressed values as in
    review_pdf)."""
    w = Words(lang, internal=internal)
    report = detail.report
    about = pd.DataFrame(
        {
            w("col.field"): [
                w("report.field.mission"),
                w("col.period"),
                w("col.status"),
                w("report.field.approval"),
                w("report.field.generated"),
                w("report.summary"),
                w("report.decisions_requested"),
            ],
            w("col.value"): [
                mission_title,
                detail.period,
                w.enum(report.status, "ReportStatus"),
                status_line(detail, w),
                local_time(report.generated_at, w.lang),
                report.summary or "",
                report.decisions_requested or "",
            ],
        }
    )
    snapshot = detail.snapshot
    if frame_hides(snapshot.indicators, REPORT_VALUES) or (
        detail.changes is not None and changes_hide(detail.changes)
    ):  # what «:» (or the marker) means, once for the workbook
        note = pd.DataFrame(
            {
                about.columns[0]: [w("col.note")],
                about.columns[1]: [hidden_note(lang, internal=w.internal)],
            }
        )
        about = pd.concat([about, note], ignore_index=True)
    sheets = {
        w("report.sheet.report"): about,
        w("report.goals"): goals_table(snapshot.goals, w),
        w("report.indicators"): indicators_table(snapshot.indicators, w),
        w("report.initiatives"): initiatives_table(snapshot.initiatives, w),
        w("funding.title"): funding_table(snapshot, w),
        w("learning.title"): learning_table(snapshot, w),
        w("report.completeness"): completeness_table(snapshot, w),
        w("report.decisions"): decisions_table(snapshot.decisions, w),
    }
    if detail.changes is not None:
        for key, frame in change_tables(detail.changes, w).items():
            sheets[w("report.sheet.change", what=w(key))] = frame
    return to_excel_sheets(sheets)
