"""Small-number suppression in the status report's PDF and Excel (issue 19), on SQLite and
PostgreSQL: a partner's copy holds «:» where a count is below SUPPRESS_BELOW, never the number,
nor a change that would give it back; the internal roles' copy holds the number marked."""

import io

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session
from test_status_reports import World, world  # noqa: F401  (the fixture)

from dashboard.services.status_reports import report_detail
from dashboard.ui.review_pack import review_excel, review_pdf

NB_SPACE = "\u00a0"
NOTE = "Skjult fordi tallet bygger på færre enn 5 personer"
MARKED = "3 (skjult ved publisering)"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def excel_cells(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    return [
        str(cell.value).replace(NB_SPACE, " ")
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def test_the_review_pack_hides_a_small_count_from_partners(world: World) -> None:  # noqa: F811
    world.approved_value("2024", "3")
    first = world.approve(world.draft("2024"))
    world.approved_value("2025", "40")
    second = world.approve(world.draft("2025"))
    with Session(world.engine) as session:
        small = report_detail(session, first.id or 0, include_unpublished=False)
        later = report_detail(session, second.id or 0, include_unpublished=False)
    assert small is not None and later is not None
    assert later.changes is not None and len(later.changes.indicators) == 1

    # the 2024 report: its latest value is 3
    cells = excel_cells(review_excel(small, "Oppdraget", "nb"))
    assert ":" in cells and not any(c.startswith("3 ") or c == "3" for c in cells)
    text = pdf_text(review_pdf(small, "Oppdraget", "nb")).replace(NB_SPACE, " ")
    assert NOTE in " ".join(text.split())
    assert "skjult ved publisering" not in text
    assert any(NOTE in c for c in cells)  # the workbook says what «:» means
    internal = excel_cells(review_excel(small, "Oppdraget", "nb", internal=True))
    assert MARKED in internal
    assert any("partnere og besøkende ser «:» i stedet" in c for c in internal)
    assert "skjult ved publisering" in pdf_text(review_pdf(small, "Oppdraget", "nb", internal=True))

    # the 2025 report: 40 now, 3 before; the change (+37) would give the 3 back
    cells = excel_cells(review_excel(later, "Oppdraget", "nb"))
    assert "40" in cells and "+37" not in cells
    assert ": (2024)" in cells
    # only the change hides the number: the note is there all the same, in both
    assert any(NOTE in c for c in cells)
    text = pdf_text(review_pdf(later, "Oppdraget", "nb")).replace(NB_SPACE, " ")
    assert NOTE in " ".join(text.split())
    internal = excel_cells(review_excel(later, "Oppdraget", "nb", internal=True))
    assert "+37" in internal and f"{MARKED} (2024)" in internal
