"""Breakdowns of SSB tables (issue 19), on SQLite and PostgreSQL: the cells by region, gender,
age and year stored as one submitted batch, approved or returned as a whole by a colleague
(never the importer), a newer approved batch superseding an older one, SSB's symbols kept,
base (the persons a value is computed from), the dry run's counts and unknown codes, the
audit naming batch, table and retrieval time, the command. All files are fictional
(support.fictional_ssb)."""

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from reporting_world import World
from sqlmodel import Session, col, select
from support import fictional_ssb as fictional

from dashboard.services.permissions import PermissionDenied
from dashboard.services.reporting import WorkflowRefused
from dashboard.statistics import __main__ as cli
from dashboard.statistics.breakdowns import (
    approve_batch,
    batch_queue,
    indicator_cells,
    return_batch,
    returned_batches,
)
from dashboard.statistics.importing import check_table, commit_table
from dashboard.statistics.ssb import read_table
from models import AuditEvent, EntryStatus, Indicator, StatisticsBatch, StatisticsCell

NOW = dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)
SELECTION = "ContentsCode=Personer; Region=*; Kjonn=*; Alder=15-29,15-19; Tid=*"
COUNTY_FILE = dict(
    years=("2022", "2023", "2024"),
    regions=("03", "0301", "32"),
    genders=("0", "1", "2"),
    ages=("15-29", "15-19"),
    statuses={("0301", "2", "15-19", "2023"): ":"},
)


@pytest.fixture
def ssb(world: World) -> World:
    with Session(world.engine) as session:
        for indicator_id in (world.indicator, world.percent):
            indicator = session.get(Indicator, indicator_id)
            assert indicator is not None
            indicator.ssb_table, indicator.ssb_selection = fictional.TABLE, SELECTION
            session.add(indicator)
        session.commit()
    return world


def check(world: World, data: bytes, *, code: str = "C", who: str = "udir_a") -> Any:
    return check_table(
        world.actors[who],
        world.mission,
        code,
        read_table("fiktiv-99999.json", data),
        source="fiktiv-99999.json",
        retrieved_at=NOW,
        engine=world.engine,
    )


def imported(world: World, data: bytes, *, code: str = "C", who: str = "udir_a") -> int:
    result = check(world, data, code=code, who=who)
    assert result.ok, result.problems
    expected = result.check.versions() if result.check is not None else None
    done = commit_table(
        world.actors[who], world.mission, result, expected=expected, engine=world.engine
    )
    assert done["cells"] == len(result.cells) > 0
    return int(done["batch"])


def cells(world: World, *, internal: bool = False, indicator: int = 0) -> Any:
    with Session(world.engine) as session:
        return indicator_cells(
            session, indicator or world.indicator, include_submitted=internal
        ).set_index(["region", "gender", "age", "year"])


def approved_regions(world: World, rows: list[tuple[str, float]]) -> None:
    """A batch of 2022 counts (both genders, 15-29), one per (region, value), submitted by the
    secretariat and approved by a colleague."""
    from dashboard.statistics.breakdowns import submit_batch

    frame = pd.DataFrame(
        {
            "region": [r for r, _ in rows],
            "gender": ["0"] * len(rows),
            "age": ["15-29"] * len(rows),
            "year": [2022] * len(rows),
            "value": [v for _, v in rows],
            "base": [v for _, v in rows],
            "symbol": [None] * len(rows),
        }
    )
    batch = submit_batch(
        world.actors["admin"],
        world.indicator,
        frame,
        table_id="99999",
        source="fiktiv.json",
        retrieved_at=NOW,
        age_total="15-29",
        engine=world.engine,
    )
    approve_batch(world.actors["udir_b"], batch, 1, engine=world.engine)


def version(world: World, batch_id: int) -> int:
    with Session(world.engine) as session:
        batch = session.get(StatisticsBatch, batch_id)
        assert batch is not None
        return batch.version


def test_the_dry_run_counts_cells_by_level_gender_and_age_and_names_unknown_codes(
    ssb: World,
) -> None:
    data = fictional.jsonstat_bytes(
        ("2023", "2024"), regions=("0", "32", "3101", "7701"), genders=("0", "1", "2")
    )
    result = check(ssb, data)
    assert result.ok and result.problems == [] and len(result.cells) == 2 * 4 * 3
    assert result.counts == {
        "level": {"whole_country": 6, "county": 6, "municipality": 12},
        "gender": {"0": 8, "1": 8, "2": 8},
        "age": {"15-29": 24},
    }
    assert result.unknown == {"region": ["7701"]}
    assert result.age_total == "15-29"
    with Session(ssb.engine) as session:  # a dry run writes nothing
        assert session.exec(select(StatisticsBatch)).all() == []


def test_a_county_file_is_one_submitted_batch_a_colleague_approves(ssb: World) -> None:
    """The importer cannot approve, the secretariat may not, a colleague in the operative
    group can; partners see the cells only then; internal roles see them before, marked."""
    batch = imported(ssb, fictional.jsonstat_bytes(**COUNTY_FILE))
    assert cells(ssb).empty
    internal = cells(ssb, internal=True)
    assert len(internal) == 3 * 3 * 3 * 2 and internal["submitted"].all()
    with Session(ssb.engine) as session:
        queue = batch_queue(session, ssb.mission)
        assert list(queue["id"]) == [batch] and list(queue["cells"]) == [54]
    with pytest.raises(WorkflowRefused, match="own_entry"):
        approve_batch(ssb.actors["udir_a"], batch, 1, engine=ssb.engine)
    with pytest.raises(PermissionDenied):
        approve_batch(ssb.actors["admin"], batch, 1, engine=ssb.engine)
    with pytest.raises(PermissionDenied):
        approve_batch(ssb.actors["partner"], batch, 1, engine=ssb.engine)
    approve_batch(ssb.actors["udir_b"], batch, 1, engine=ssb.engine)
    with pytest.raises(WorkflowRefused, match="not_submitted"):
        approve_batch(ssb.actors["nav"], batch, 2, engine=ssb.engine)
    shown = cells(ssb)
    assert len(shown) == 54 and not shown["submitted"].any()
    assert shown.loc[("32", "1", "15-19", 2024), "value"] == round(980.0 * 0.12 * 0.5 * 0.3, 1)
    # SSB's symbol is kept, never a number; a count is its own base
    suppressed = shown.loc[("0301", "2", "15-19", 2023)]
    assert suppressed["symbol"] == ":" and pd.isna(suppressed["value"])
    assert shown.loc[("03", "0", "15-29", 2022), "base"] == 200.0
    with Session(ssb.engine) as session:
        audit = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "statisticsbatch")
            .order_by(col(AuditEvent.id))
        ).all()
    assert [(a.action, a.actor_email) for a in audit] == [
        ("submitted", "udir_a@example.no"),
        ("approved", "udir_b@example.no"),
    ]
    for row in audit:
        assert row.reason is not None
        assert f"SSB-fordeling {batch}: tabell 99999, hentet 2026-12-05T06:00:00Z" in row.reason


def test_a_returned_batch_is_shown_nowhere_and_needs_a_reason(ssb: World) -> None:
    batch = imported(ssb, fictional.jsonstat_bytes(**COUNTY_FILE))
    with pytest.raises(WorkflowRefused, match="reason_required"):
        return_batch(ssb.actors["udir_b"], batch, 1, " ", engine=ssb.engine)
    return_batch(ssb.actors["udir_b"], batch, 1, "Feil tabell", engine=ssb.engine)
    assert cells(ssb).empty and cells(ssb, internal=True).empty
    with Session(ssb.engine) as session:
        assert batch_queue(session, ssb.mission).empty
        stored = session.get(StatisticsBatch, batch)
        assert stored is not None and stored.status == EntryStatus.RETURNED
        assert stored.return_reason == "Feil tabell"


def test_a_newer_approved_batch_supersedes_the_older_for_the_same_cells(ssb: World) -> None:
    first = imported(ssb, fictional.jsonstat_bytes(**COUNTY_FILE))
    approve_batch(ssb.actors["udir_b"], first, 1, engine=ssb.engine)
    revised = dict(COUNTY_FILE, regions=("32",), years=("2024",))
    second = imported(ssb, fictional.jsonstat_bytes(**revised, shift=1.0))
    key = ("32", "0", "15-29", 2024)
    old = cells(ssb).loc[key, "value"]
    assert cells(ssb, internal=True).loc[key, "value"] == old + 1.0  # submitted, marked
    assert cells(ssb, internal=True).loc[key, "submitted"]
    assert cells(ssb).loc[key, "value"] == old  # partners: the approved one until approval
    approve_batch(ssb.actors["udir_b"], second, 1, engine=ssb.engine)
    after = cells(ssb)
    assert after.loc[key, "value"] == old + 1.0 and len(after) == 54
    assert after.loc[("03", "0", "15-29", 2024), "value"] == 980.0 * 0.2  # the older batch's


def test_a_share_takes_its_base_from_the_second_contents_code(ssb: World) -> None:
    with Session(ssb.engine) as session:
        indicator = session.get(Indicator, ssb.percent)
        assert indicator is not None
        indicator.ssb_selection = "ContentsCode=Andel,Personer; Region=*; Tid=*"
        session.add(indicator)
        session.commit()
    data = fictional.jsonstat_bytes(
        ("2024",), regions=("0", "32"), contents=fictional.SHARE_CONTENTS
    )
    result = check(ssb, data, code="P")
    assert result.ok and len(result.cells) == 2
    by_region = result.cells.set_index("region")
    assert by_region.loc["32", "value"] == 10.1 and by_region.loc["32", "base"] == 980 * 0.12
    # without a second contents code a share has no base
    with Session(ssb.engine) as session:
        indicator = session.get(Indicator, ssb.percent)
        assert indicator is not None
        indicator.ssb_selection = "ContentsCode=Andel; Region=*; Tid=*"
        session.add(indicator)
        session.commit()
    result = check(ssb, data, code="P")
    assert result.cells["base"].isna().all()


def test_another_organisations_breakdown_is_refused(ssb: World) -> None:
    data = fictional.jsonstat_bytes(**dict(COUNTY_FILE, regions=("32",)))
    with pytest.raises(PermissionDenied):
        check(ssb, data, who="partner")
    with pytest.raises(PermissionDenied):  # a county file alone: no series to check either
        check(ssb, data, who="nav")
    result = check(ssb, data, who="udir_a")
    with pytest.raises(PermissionDenied):
        commit_table(ssb.actors["nav"], ssb.mission, result, expected=None, engine=ssb.engine)
    with Session(ssb.engine) as session:
        assert session.exec(select(StatisticsCell)).all() == []


def test_the_command_imports_the_breakdown(
    ssb: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from support.caches import clear_caches
    from support.databases import url_of

    monkeypatch.setenv("DATABASE_URL", url_of(ssb.engine))
    clear_caches()
    path = tmp_path / "fiktiv-fylker.json"
    path.write_bytes(fictional.jsonstat_bytes(**COUNTY_FILE))
    assert cli.main(["import", str(path), "--indicator", "C", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "54 celler" in out and "fylke: 36" in out and "kommune: 18" in out
    assert cells(ssb, internal=True).empty
    assert cli.main(["import", str(path), "--indicator", "C"]) == 0
    assert len(cells(ssb, internal=True)) == 54
    clear_caches()


def test_importing_the_same_file_again_stores_only_what_changed(ssb: World) -> None:
    data = fictional.jsonstat_bytes(**COUNTY_FILE)
    first = imported(ssb, data)
    approve_batch(ssb.actors["udir_b"], first, 1, engine=ssb.engine)
    again = check(ssb, data)
    assert again.cells.empty and again.unchanged_cells == 54 and again.writes() == 0
    revised = fictional.jsonstat_bytes(**dict(COUNTY_FILE, years=("2024",)), shift=1.0)
    result = check(ssb, revised)  # SSB revised 2024: its 18 cells, nothing else
    assert len(result.cells) == 18 and result.unchanged_cells == 0
    assert result.counts["level"] == {"county": 12, "municipality": 6}
    second = imported(ssb, revised)
    assert second != first


def test_every_view_and_download_reads_the_cells_through_publishable(
    ssb: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one place small-number suppression goes in: a cell publishable() leaves out is in
    no list, table, chart or download."""
    from dashboard.ui import breakdowns as views

    batch = imported(ssb, fictional.jsonstat_bytes(**COUNTY_FILE))
    approve_batch(ssb.actors["udir_b"], batch, 1, engine=ssb.engine)
    seen: list[bool] = []

    def without_akershus(frame: pd.DataFrame, *, internal: bool, **_: object) -> pd.DataFrame:
        seen.append(internal)
        return frame[frame["region"] != "32"]

    monkeypatch.setattr(views, "publishable", without_akershus)
    views._read.clear()
    with Session(ssb.engine) as session:
        found = views.overview(session, ssb.indicator, False)
        assert found is not None and found.counties == ["0", "03"]
        view = views.region_view(session, ssb.indicator, False, "0", "15-29", "nb")
        assert view is not None and list(view.wide["Kode"]) == ["03"]
        assert set(view.long["Kode"]) == {"03"} and set(view.points["series"]) == {"Oslo (03)"}
        assert views.gender_age_view(session, ssb.indicator, False, "32", "nb") is None
    assert seen == [False]  # read once for all the views
    views._read.clear()


def test_the_open_data_api_serves_the_approved_cells_with_small_numbers_withheld(
    ssb: World, tmp_path: Path
) -> None:
    """Table breakdowns of the open-data API (issue 20): the approved batch only (a submitted
    one of another indicator never), each cell as a partner sees it: no value and «:» where
    it is suppressed, SSB's own symbols kept; the package still passes frictionless."""
    import json

    from frictionless import validate

    from dashboard.services.opendata.publish import CACHE, package_document, table_document
    from dashboard.services.opendata.schema import TABLES

    CACHE.clear()
    small = dict(COUNTY_FILE, regions=("03", "0301", "32", "3101"))
    batch = imported(ssb, fictional.jsonstat_bytes(**small))
    approve_batch(ssb.actors["udir_b"], batch, 1, engine=ssb.engine)
    imported(ssb, fictional.jsonstat_bytes(**COUNTY_FILE), code="P")  # submitted only
    rows = json.loads(table_document("m", "breakdowns.json", engine=ssb.engine).body)
    assert {r["indicator"] for r in rows} == {"C"} and len(rows) == 4 * 3 * 2 * 3
    with Session(ssb.engine) as session:
        from dashboard.statistics.breakdowns import published_cells

        partner = published_cells(session, ssb.indicator)
    internal = cells(ssb)
    withheld = [r for r in rows if r["symbol"] == ":"]
    assert withheld and all(r["value"] is None for r in withheld)
    for r in rows:
        key = (r["region"], r["gender"], r["age"], r["year"])
        number = internal.loc[key, "value"]
        if r["value"] is not None:
            assert r["value"] == number
        else:  # withheld: the internal roles have the number, the partner's frame does not
            assert not pd.isna(number) or internal.loc[key, "symbol"] == r["symbol"]
    assert partner["value"].isna().sum() == len(withheld)
    CACHE.clear()
    folder = tmp_path / "package"
    folder.mkdir()
    package = json.loads(package_document("m", engine=ssb.engine).body)
    for table in TABLES:
        name = f"{table.name}.csv"
        (folder / name).write_bytes(table_document("m", name, engine=ssb.engine).body)
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    CACHE.clear()


def test_a_revision_approved_before_the_file_it_revises_still_wins(ssb: World) -> None:
    """Cells win in the order they were imported, not approved: a revised file imported after
    an older one (storing only what changed) keeps its numbers when the colleague approves the
    older batch last."""
    first = imported(ssb, fictional.jsonstat_bytes(**COUNTY_FILE))
    revised = dict(COUNTY_FILE, regions=("32",), years=("2024",))
    second = imported(ssb, fictional.jsonstat_bytes(**revised, shift=1.0))
    key = ("32", "0", "15-29", 2024)
    shown_internally = cells(ssb, internal=True).loc[key, "value"]
    approve_batch(ssb.actors["udir_b"], second, 1, engine=ssb.engine)
    approve_batch(ssb.actors["udir_b"], first, 1, engine=ssb.engine)
    after = cells(ssb)
    assert len(after) == 54
    assert after.loc[key, "value"] == shown_internally == 980.0 * 0.12 + 1.0


def test_the_importer_is_told_of_a_returned_batch_until_importing_again(ssb: World) -> None:
    batch = imported(ssb, fictional.jsonstat_bytes(**COUNTY_FILE))
    return_batch(ssb.actors["udir_b"], batch, 1, "Feil aldersgruppe", engine=ssb.engine)
    importer, colleague = (ssb.actors[who].id for who in ("udir_a", "udir_b"))
    assert importer is not None and colleague is not None
    with Session(ssb.engine) as session:
        returned = returned_batches(session, ssb.mission, importer)
        assert list(returned["id"]) == [batch] and list(returned["cells"]) == [54]
        assert list(returned["reason"]) == ["Feil aldersgruppe"]
        assert list(returned["reviewer"]) == ["udir_b@example.no"]
        assert returned_batches(session, ssb.mission, colleague).empty
    imported(ssb, fictional.jsonstat_bytes(**COUNTY_FILE))  # corrected and imported again
    with Session(ssb.engine) as session:
        assert returned_batches(session, ssb.mission, importer).empty


def test_a_busy_database_after_the_series_says_the_breakdown_was_not_stored(
    ssb: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The series and the breakdown are written one after the other: when the database is too
    busy for the breakdown, the person is told the series went in and the breakdown did not
    (not that someone else saved values, nor that nothing was imported)."""
    from support.caches import clear_caches
    from support.databases import url_of

    from dashboard.db import DatabaseBusy
    from dashboard.statistics import importing

    def busy(*_: object, **__: object) -> int:
        raise DatabaseBusy

    monkeypatch.setattr(importing, "submit_batch", busy)
    monkeypatch.setenv("DATABASE_URL", url_of(ssb.engine))
    clear_caches()
    path = tmp_path / "fiktiv-fylker.json"
    path.write_bytes(
        fictional.jsonstat_bytes(**dict(COUNTY_FILE, regions=("0", "03"), years=("2025",)))
    )
    assert cli.main(["import", str(path), "--indicator", "C"]) == 1
    err = capsys.readouterr().err
    assert "Verdiene fra SSB-tabell 99999 for C er importert" in err
    assert "fordelingen ble ikke lagret fordi databasen var opptatt" in err
    assert "nye verdier: 1" in err and "Ingenting er importert" not in err
    path.write_bytes(fictional.jsonstat_bytes(**dict(COUNTY_FILE, regions=("03",))))
    assert cli.main(["import", str(path), "--indicator", "C"]) == 1  # a breakdown alone
    assert "Databasen er opptatt" in capsys.readouterr().err
    assert cells(ssb, internal=True).empty
    clear_caches()


def test_a_figure_under_both_its_old_and_new_code_is_suppressed_as_one(ssb: World) -> None:
    """Halden 2022 under 3001 (Viken's municipality then) and under 3101 (its code now, in a
    later file): one figure shown once. Suppression must see it in Viken's group before the
    one shown is chosen, or Viken's total less its other municipalities gives Halden back."""
    from dashboard.ui import breakdowns as views

    rows = [("30", 100.0), ("3001", 3.0), ("3011", 40.0), ("3012", 57.0), ("3101", 3.0)]
    approved_regions(ssb, rows)
    views._read.clear()
    with Session(ssb.engine) as session:
        shown = views._cells(session, ssb.indicator, False).set_index("place")
    views._read.clear()
    assert sorted(shown.index) == ["30", "3011", "3012", "3101"]  # Halden once
    assert shown.loc["3101", "symbol"] == ":" and pd.isna(shown.loc["3101", "value"])
    # one more of Viken's cells is hidden, so Halden cannot be worked out from the total
    viken = shown.loc[["30", "3011", "3012"]]
    assert (viken["symbol"] == ":").sum() >= 1


def test_a_revision_imported_while_another_waits_holds_every_changed_cell(ssb: World) -> None:
    """Compared with the approved cells only: the batch waiting may be returned, and the one
    approved instead must still carry SSB's revision."""
    first = imported(ssb, fictional.jsonstat_bytes(**COUNTY_FILE))
    approve_batch(ssb.actors["udir_b"], first, 1, engine=ssb.engine)
    revised = fictional.jsonstat_bytes(**dict(COUNTY_FILE, years=("2024",)), shift=1.0)
    waiting = imported(ssb, revised)
    again = imported(ssb, revised)  # the same revision, fetched again while the first waits
    return_batch(ssb.actors["udir_b"], waiting, 1, "Hentet to ganger", engine=ssb.engine)
    approve_batch(ssb.actors["udir_b"], again, 1, engine=ssb.engine)
    assert cells(ssb).loc[("32", "0", "15-29", 2024), "value"] == 980.0 * 0.12 + 1.0


def test_the_open_data_cells_hide_a_figure_under_both_its_codes(ssb: World) -> None:
    """Halden 2022 as 3001 (Viken's) and as 3101: hidden in Viken's group to protect a small
    neighbour (3011), it must be hidden as 3101 too, or Viken less 3012 less Halden gives 3011
    back; the open-data table publishes both codes as the files give them."""
    from dashboard.statistics.breakdowns import published_cells

    rows = [("30", 100.0), ("3001", 30.0), ("3011", 3.0), ("3012", 67.0), ("3101", 30.0)]
    approved_regions(ssb, rows)
    with Session(ssb.engine) as session:
        published = published_cells(session, ssb.indicator).set_index("region")
    hidden = set(published.index[published["symbol"] == ":"])
    assert {"3011", "3001", "3101"} <= hidden
    assert published.loc[list(hidden), "value"].isna().all()
