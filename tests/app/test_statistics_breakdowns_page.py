"""SSB breakdowns through AppTest (issue 19): the operative group imports a fictional county file
on Rapportering, the importer cannot approve it, a colleague approves it on the Approval tab;
Indikatorer shows the indicator by county and by gender and age (table, chart, download) with a
region filter, partners only once approved, internal roles before, marked; the 2024 county
reform keeps a renumbered municipality's series and shows a former county under its own code.
Every file is fictional (support.fictional_ssb)."""

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from support import fictional_ssb as fictional
from support.apptest import actor, engine, open_page

from models import EntryStatus, Indicator, StatisticsBatch

pytestmark = pytest.mark.usefixtures("accounts")
OPERATIVE, COLLEAGUE = "operativ@demo.invalid", "operativ2@demo.invalid"
PARTNER = "partner@demo.invalid"
CODE = "NEET-15-29"  # Avdir's
COUNTY_FILE = fictional.REFORM_COUNTY_FILE


def batches() -> list[tuple[EntryStatus, int]]:
    with Session(engine()) as session:
        return [(b.status, b.cells) for b in session.exec(select(StatisticsBatch)).all()]


def import_county_file() -> None:
    """The operative group imports the fictional county file for its indicator."""
    with Session(engine()) as session:
        indicator = session.exec(select(Indicator).where(Indicator.code == CODE)).one()
        indicator.ssb_table = fictional.TABLE
        indicator.ssb_selection = "ContentsCode=Personer; Region=*; Kjonn=*; Alder=15-29,15-19"
        session.add(indicator)
        session.commit()
    at = open_page(OPERATIVE, "rapportering")
    at.selectbox(key="ssb-indicator").set_value(CODE)
    at.run()
    data = fictional.jsonstat_bytes(**COUNTY_FILE)
    at.file_uploader(key="ssb-file-0").set_value(("fiktiv-fylker.json", data, "application/json"))
    at.run()
    assert not at.exception, at.exception
    infos = " ".join(i.value for i in at.info)
    assert "90 celler" in infos and "fylke: 36" in infos and "kommune: 36" in infos
    at.button(key="ssb-commit").click()
    at.run()
    assert not at.exception, at.exception
    assert batches() == [(EntryStatus.SUBMITTED, 90)]


def county_table(at: AppTest) -> dict[str, list[str]]:
    [table] = [
        df.value for df in at.dataframe if "Kode" in df.value.columns and "Kjønn" not in df.value
    ]
    return {code: list(row) for code, row in zip(table["Kode"], table.values, strict=True)}


def test_a_colleague_approves_and_the_partner_then_sees_the_counties() -> None:
    import_county_file()
    # before approval: a partner sees no breakdown, the operative group sees it marked
    partner = open_page(PARTNER, "indikatorer", kode=CODE)
    assert "Fordeling etter fylke, kjønn og alder" not in [s.value for s in partner.subheader]
    internal = open_page(OPERATIVE, "indikatorer", kode=CODE)
    assert "Fordeling etter fylke, kjønn og alder" in [s.value for s in internal.subheader]
    assert any("innsendt, ikke godkjent ennå" in c.value for c in internal.caption)
    # the importer cannot approve their own batch; the colleague can, on the Approval tab
    own = open_page(OPERATIVE, "rapportering")
    assert any("har du importert selv" in c.value for c in own.caption)
    assert not any(b.key == "ssb-ok" for b in own.button)
    colleague = open_page(COLLEAGUE, "rapportering")
    assert len(colleague.selectbox(key="ssb-queue-pick").options) == 1
    colleague.button(key="ssb-ok").click()
    colleague.run()
    assert not colleague.exception, colleague.exception
    assert batches() == [(EntryStatus.APPROVED, 90)]
    assert any("Fordelingen er godkjent" in s.value for s in colleague.success)
    partner = open_page(PARTNER, "indikatorer", kode=CODE)
    assert "Fordeling etter fylke, kjønn og alder" in [s.value for s in partner.subheader]
    rows = county_table(partner)
    # the former county Viken under its own code, after Østfold's place, marked; not split
    assert list(rows) == ["30", "32"]
    assert rows["30"][0] == "Viken (2020-2023)" and "tidligere fylke" in rows["30"][2]
    assert [v.removesuffix(" personer") for v in rows["30"][3:]] == ["250", "247,5", "."]
    assert [v.removesuffix(" personer") for v in rows["32"][3:]] == [".", ".", "117,6"]
    assert not any("innsendt" in c.value for c in partner.caption)
    assert {b.label for b in partner.get("download_button")} >= {"Last ned CSV (Excel)"}
    assert partner.get("vega_lite_chart")
    # Halden by gender and age: the cells from fewer than 5 persons (and those that would give
    # them back) read «:» for the partner, with what that means; the operative group sees the
    # numbers, marked
    seen = {}
    for who in (PARTNER, OPERATIVE):
        at = open_page(who, "indikatorer", kode=CODE)
        at.selectbox(key="bd-county").set_value("31")
        at.run()
        at.selectbox(key="bd-municipality-31").set_value("3101")
        at.run()
        [table] = [df.value for df in at.dataframe if "Kjønn" in df.value.columns]
        cells = [str(v) for v in table[["2022", "2023", "2024"]].to_numpy().ravel()]
        seen[who] = (cells, " ".join(c.value for c in at.caption))
    (partner_cells, partner_notes), (own_cells, own_notes) = seen[PARTNER], seen[OPERATIVE]
    marked = [n for n, c in enumerate(own_cells) if c.endswith("(skjult ved publisering)")]
    assert marked and "skjult ved publisering" in own_notes
    assert [partner_cells[n] for n in marked] == [":"] * len(marked)
    assert not any("skjult" in c for c in partner_cells)
    assert "færre enn 5 personer" in partner_notes


def test_the_region_filter_shows_a_renumbered_municipality_as_one_series() -> None:
    import_county_file()
    at = open_page(OPERATIVE, "indikatorer", kode=CODE)
    # Halden is in Østfold (31), which the file has no county row for: it is offered anyway
    assert "Østfold" in at.selectbox(key="bd-county").options
    at.selectbox(key="bd-county").set_value("31")
    at.run()
    municipalities = at.selectbox(key="bd-municipality-31").options
    assert municipalities[1:] == ["Halden (fiktiv)"]  # 3001 and 3101: one municipality
    rows = county_table(at)
    assert list(rows) == ["3101"]
    # 2022 and 2023 from code 3001, 2024 from 3101 (its «.» cells give way to the numbers)
    assert rows["3101"][2] == "kode 3001 før 2024"
    assert rows["3101"][3] == "innsendt, ikke godkjent ennå"  # not approved yet: marked
    assert [v.removesuffix(" personer") for v in rows["3101"][4:]] == ["6", "5,9", "5,9"]
    at.selectbox(key="bd-municipality-31").set_value("3101")
    at.run()
    assert not at.exception, at.exception
    [table] = [df.value for df in at.dataframe if "Kjønn" in df.value.columns]
    assert len(table) == 6  # 3 genders x 2 ages
    women = table[(table["Kjønn"] == "Kvinner") & (table["Alder"] == "15-19")]
    assert list(women["2024"]) == [":"]  # SSB's symbol, never a number


def test_the_importer_sees_a_returned_batch_with_the_reason() -> None:
    import_county_file()
    colleague = open_page(COLLEAGUE, "rapportering")
    [reason] = [b for b in colleague.text_input if b.key.startswith("ssb-queue-reason-0-")]
    reason.set_value("Feil aldersgruppe")
    colleague.button(key="ssb-return").click()
    colleague.run()
    assert not colleague.exception, colleague.exception
    assert batches() == [(EntryStatus.RETURNED, 90)]
    own = open_page(OPERATIVE, "rapportering")
    warnings = " ".join(w.value for w in own.warning)
    assert "1 av fordelingene du har importert fra SSB, er sendt i retur" in warnings
    assert "«Feil aldersgruppe» (returnert av operativ2" in warnings
    assert "Feil aldersgruppe" not in " ".join(w.value for w in colleague.warning)


def two_batches() -> tuple[int, int]:
    """Two breakdown batches the secretariat imported in the same minute (alike in the queue)."""
    import datetime as dt

    import pandas as pd

    from dashboard.statistics.breakdowns import submit_batch

    admin = actor("sekretariat@demo.invalid")
    with Session(engine()) as session:
        indicator = session.exec(select(Indicator).where(Indicator.code == CODE)).one()
        assert indicator.id is not None
    cells = pd.DataFrame(
        {
            "region": ["32"],
            "gender": ["0"],
            "age": ["15-29"],
            "year": [2024],
            "value": [120.0],
            "base": [120.0],
            "symbol": [None],
        }
    )
    when = dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)
    first, second = (
        submit_batch(
            admin,
            indicator.id,
            cells.assign(year=year),
            table_id="99999",
            source=f"fiktiv-{year}.json",
            retrieved_at=when,
            age_total="15-29",
            engine=engine(),
        )
        for year in (2023, 2024)
    )
    return first, second


def test_a_batch_approved_meanwhile_is_not_swapped_for_the_next_one() -> None:
    """Two reviewers: the batch one approves leaves the other's queue; the other's click on
    «Godkjenn» must not approve the next batch in its place, which they never looked at."""
    from dashboard.statistics.breakdowns import approve_batch

    first, second = two_batches()
    at = open_page(COLLEAGUE, "rapportering")
    assert at.selectbox(key="ssb-queue-pick").value == first
    approve_batch(actor(OPERATIVE), first, 1, engine=engine())  # meanwhile
    at.button(key="ssb-ok").click()
    at.run()
    assert not at.exception, at.exception
    with Session(engine()) as session:
        stored = {b.id: b.status for b in session.exec(select(StatisticsBatch)).all()}
    assert stored == {first: EntryStatus.APPROVED, second: EntryStatus.SUBMITTED}
    [error] = at.error
    assert "godkjente eller returnerte denne fordelingen" in error.value
    assert "operativ" in error.value and "verdien" not in error.value


def test_a_return_typed_for_a_batch_approved_meanwhile_lands_on_no_other() -> None:
    """The reason is typed (a rerun of its own) after the colleague's approval and before the
    click on «Returner»: the batch it was written for stays chosen, and the return is refused."""
    from dashboard.statistics.breakdowns import approve_batch

    first, second = two_batches()
    at = open_page(COLLEAGUE, "rapportering")
    approve_batch(actor(OPERATIVE), first, 1, engine=engine())  # meanwhile
    [reason] = [b for b in at.text_input if b.key.startswith("ssb-queue-reason-")]
    reason.input("Feil aldersgruppe").run()
    assert at.selectbox(key="ssb-queue-pick").value == first
    at.button(key="ssb-return").click()
    at.run()
    assert not at.exception, at.exception
    with Session(engine()) as session:
        stored = {b.id: b.status for b in session.exec(select(StatisticsBatch)).all()}
    assert stored == {first: EntryStatus.APPROVED, second: EntryStatus.SUBMITTED}
    [error] = at.error
    assert "godkjente eller returnerte denne fordelingen" in error.value
