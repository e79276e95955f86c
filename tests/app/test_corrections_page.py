"""Corrections on Rapportering (issue 13, section 1), driven through AppTest: the grid names the
approved rows and asks why before a change to one is saved; the colleague's queue shows the
approved figure beside the proposed one; after approval the history shows both. The check-in
form does the same. The grid's cells are saved through save_rows, as the page does (AppTest
cannot type into st.data_editor)."""

from typing import Any

import pandas as pd
import pytest
from sqlmodel import Session, col, select
from test_check_in_page import AVDIR_INITIATIVE, form, press
from test_reporting_page import actor, engine, grid_frames, neet_id, open_page, quarter

from dashboard.services.reporting import (
    approve_check_in,
    approve_value,
    save_check_in,
    save_value,
    submit_check_in,
    submit_value,
)
from dashboard.ui.reporting import grid_frame, save_rows
from models import CheckIn, EntryStatus, IndicatorValue

pytestmark = pytest.mark.usefixtures("accounts")
ME, COLLEAGUE = "operativ@demo.invalid", "operativ2@demo.invalid"


def neet_values() -> list[tuple[float, EntryStatus, bool]]:
    with Session(engine()) as session:
        found = session.exec(
            select(IndicatorValue)
            .where(IndicatorValue.indicator_id == neet_id())
            .order_by(col(IndicatorValue.is_correction))
        )
        return [(v.value, v.status, v.is_correction) for v in found]


def approved_neet(period: int) -> None:
    """NEET-15-29 in the period: 90 000 entered by operativ, approved by operativ2."""
    row = save_value(actor(ME), neet_id(), period, {"value": "90 000"}, version=None)
    row = submit_value(actor(ME), row.id or 0, row.version)
    approve_value(actor(COLLEAGUE), row.id or 0, row.version)


def table_with(at: Any, *columns: str) -> pd.DataFrame:
    """The one table on at (a page or part of one) that has these columns."""
    [table] = [f.value for f in at.dataframe if set(columns) <= set(f.value.columns)]
    return table


def test_the_grid_says_saving_starts_a_correction_and_refuses_one_without_a_reason() -> None:
    period = quarter()
    approved_neet(period)
    at = open_page(ME, "rapportering")
    notice = [i.value for i in at.info if "starter du en korreksjon" in i.value]
    assert len(notice) == 1 and "NEET-15-29" in notice[0].replace("\\", "")
    assert [ti.label for ti in at.text_input if ti.label == "Begrunnelse for korreksjon"]

    grid, _ = grid_frames(period, ME)
    row = list(grid["code"]).index("NEET-15-29")
    frame = grid_frame(grid, {})
    assert frame.iloc[row]["approved"].replace("\u00a0", " ") == "90 000"
    edited = frame[["value", "comment"]].copy()
    edited.loc[row, "value"] = "91 500"
    messages, pending = save_rows(actor(ME), grid, edited, period, submit=False, reason="  ")
    assert [kind for kind, _ in messages] == ["error"]
    assert "korreksjon" in messages[0][1] and "begrunnelse" in messages[0][1]
    assert pending[int(grid.iloc[row]["indicator_id"])][0] == "91 500"  # kept for a retry
    assert neet_values() == [(90_000, EntryStatus.APPROVED, False)]  # nothing lost

    reason = "SSB publiserte rettede tall"
    messages, pending = save_rows(actor(ME), grid, edited, period, submit=True, reason=reason)
    assert messages[0][0] == "success" and pending == {}
    assert neet_values() == [
        (90_000, EntryStatus.APPROVED, False),
        (91_500, EntryStatus.SUBMITTED, True),
    ]
    fresh, _ = grid_frames(period, ME)
    shown_now = grid_frame(fresh, {}).iloc[row]
    assert shown_now["status"] == "Korreksjon: Sendt inn"
    assert shown_now["value"].replace("\u00a0", " ") == "91 500"
    assert shown_now["correction_reason"] == reason

    colleague = open_page(COLLEAGUE, "rapportering")
    queue = table_with(colleague, "Godkjent nå", "Kode")
    entry = queue[queue["Kode"] == "NEET-15-29"].iloc[0]
    assert entry["Godkjent nå"].replace("\u00a0", " ") == "90 000"
    assert entry["Verdi"].replace("\u00a0", " ") == "91 500"
    assert entry["Begrunnelse for korreksjon"] == reason
    [approve] = [b for b in colleague.button if b.label == "Godkjenn"]
    approve.click()
    colleague.run()
    assert not colleague.exception and any("godkjent" in s.value for s in colleague.success)
    assert neet_values() == [(91_500, EntryStatus.APPROVED, False)]

    again = open_page(ME, "rapportering")
    [history] = [e for e in again.expander if "Godkjente korreksjoner" in e.label]
    past = table_with(history, "Før")
    assert [v.replace("\u00a0", " ") for v in (past.iloc[0]["Før"], past.iloc[0]["Etter"])] == [
        "90 000",
        "91 500",
    ]
    assert (past.iloc[0]["Foreslått av"], past.iloc[0]["Godkjent av"]) == (ME, COLLEAGUE)
    assert past.iloc[0]["Begrunnelse for korreksjon"] == reason


def test_the_check_in_form_asks_why_before_correcting_an_approved_check_in() -> None:
    period = quarter()
    data = {"rag": "amber", "progress": "I rute"}
    row = save_check_in(actor(ME), AVDIR_INITIATIVE, period, data, version=None)
    row = submit_check_in(actor(ME), row.id or 0, row.version)
    approve_check_in(actor(COLLEAGUE), row.id or 0, row.version)
    at = open_page(ME, "rapportering")
    assert any("starter du en korreksjon" in i.value for i in at.info)
    form(at, period, "progress").input("Forsinket tre måneder")
    press(at, period, "Lagre som utkast")
    assert any("trenger en begrunnelse" in e.value for e in at.error), [e.value for e in at.error]
    assert form(at, period, "progress").value == "Forsinket tre måneder"  # nothing lost
    with Session(engine()) as session:
        assert [(c.progress, c.is_correction) for c in session.exec(select(CheckIn))] == [
            ("I rute", False)
        ]
    [reason] = [ti for ti in at.text_input if ti.label == "Begrunnelse for korreksjon"]
    reason.input("Leverandøren meldte forsinkelse")
    press(at, period, "Lagre som utkast")
    assert any("lagret som utkast" in s.value for s in at.success), at.error
    with Session(engine()) as session:
        found = session.exec(select(CheckIn).order_by(col(CheckIn.is_correction))).all()
    assert [(c.progress, c.status, c.is_correction) for c in found] == [
        ("I rute", EntryStatus.APPROVED, False),
        ("Forsinket tre måneder", EntryStatus.DRAFT, True),
    ]
    assert found[1].correction_reason == "Leverandøren meldte forsinkelse"
    pending = open_page(ME, "rapportering")
    assert any("En korreksjon venter" in i.value for i in pending.info)
    [discard] = [b for b in pending.button if b.label == "Forkast korreksjonen"]
    discard.click()
    pending.run()
    assert any("forkastet" in s.value for s in pending.success)
    with Session(engine()) as session:
        assert [c.progress for c in session.exec(select(CheckIn))] == ["I rute"]
