"""Importing an SSB table as an indicator's whole-country series (issue 19), on SQLite and
PostgreSQL: the dry run year by year (periods, symbols, breakdown cells not stored yet), the
values landing as submitted for a second person to approve (four eyes), the source table and
retrieval time recorded; the commands, with fetch against a local HTTP server and an
unreachable one. All files are fictional (support.fictional_ssb)."""

import datetime as dt
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reporting_world import World
from sqlmodel import Session, col, select
from support import fictional_ssb as fictional
from support.caches import clear_caches
from support.databases import url_of

from dashboard.services.imports.run import ImportStale
from dashboard.services.permissions import PermissionDenied
from dashboard.services.reporting import WorkflowRefused, approve_value
from dashboard.statistics import __main__ as cli
from dashboard.statistics import fetch
from dashboard.statistics.importing import check_table, commit_table
from dashboard.statistics.ssb import read_table
from models import (
    AuditEvent,
    EntryStatus,
    Indicator,
    IndicatorValue,
    Mission,
    Period,
    PeriodKind,
)

SELECTION = "ContentsCode=Personer; Region=0; Kjonn=0; Alder=15-29; Tid=*"
NOW = dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
def ssb(world: World) -> World:
    """The world's count indicator C with a (fictional) SSB source; yearly periods 2023 and
    2024 open, 2022 locked, 2025 the world's own; no period for 2021."""
    with Session(world.engine) as session:
        indicator = session.get(Indicator, world.indicator)
        assert indicator is not None
        indicator.ssb_table, indicator.ssb_selection = fictional.TABLE, SELECTION
        session.add(indicator)
        for year, locked in ((2022, True), (2023, False), (2024, False)):
            session.add(
                Period(
                    mission_id=world.mission,
                    label=str(year),
                    kind=PeriodKind.ANNUAL,
                    start=dt.date(year, 1, 1),
                    end=dt.date(year, 12, 31),
                    locked=locked,
                )
            )
        session.commit()
    return world


def values(world: World) -> dict[str, tuple[float | None, EntryStatus, str | None]]:
    with Session(world.engine) as session:
        rows = session.exec(
            select(Period.label, IndicatorValue)
            .join(Period, col(Period.id) == IndicatorValue.period_id)
            .where(IndicatorValue.indicator_id == world.indicator)
        ).all()
        return {label: (v.value, v.status, v.source_note) for label, v in rows}


def check(world: World, data: bytes, name: str = "fiktiv-99999.json", who: str = "udir_a") -> Any:
    table = read_table(name, data)
    return check_table(
        world.actors[who],
        world.mission,
        "C",
        table,
        source=name,
        retrieved_at=NOW,
        engine=world.engine,
    )


NATIONAL_AND_MORE = dict(
    years=("2021", "2022", "2023", "2024", "2025"),
    regions=("0", "03", "0301"),
    genders=("0", "1", "2"),
    ages=("15-29", "15-19"),
    statuses={("0", "0", "15-29", "2024"): "..", ("03", "2", "15-19", "2023"): ":"},
)


def test_the_dry_run_lists_each_year_and_counts_the_breakdown_cells(ssb: World) -> None:
    result = check(ssb, fictional.jsonstat_bytes(**NATIONAL_AND_MORE))
    assert result.table_id == fictional.TABLE and result.problems == []
    assert [(y.time, y.value, y.status, y.outcome) for y in result.years] == [
        ("2021", 1000.0, None, "no_period"),
        ("2022", 1000.0, None, "period_locked"),
        ("2023", 990.0, None, "import"),
        ("2024", None, "..", "symbol"),
        ("2025", 970.0, None, "import"),
    ]
    assert result.years[3].symbol == "not_available"
    # 5 years x (3 regions x 3 genders x 2 ages) cells, 5 of them the whole-country series
    assert result.breakdown == {
        "county": 30,
        "municipality": 30,
        "other_region": 0,
        "gender": 20,
        "age": 5,
        "other": 0,
    }
    assert result.check is not None and result.check.counts()["create"] == 2
    assert result.ok and values(ssb) == {}  # a dry run writes nothing


def test_the_import_lands_as_submitted_and_a_colleague_approves(ssb: World) -> None:
    """An operative imports their organisation's indicator: the values are submitted (not
    drafts), the importer cannot approve them, a colleague can; each value names the SSB table
    and each audit row the table, the retrieval time and the file."""
    result = check(ssb, fictional.jsonstat_bytes(**NATIONAL_AND_MORE))
    done = commit_table(
        ssb.actors["udir_a"],
        ssb.mission,
        result,
        expected=result.check.versions(),
        engine=ssb.engine,
    )
    assert (done["create"], done["update"]) == (2, 0)
    note = f"Statistisk sentralbyrå (SSB), tabell {fictional.TABLE}"
    assert values(ssb) == {
        "2023": (990.0, EntryStatus.SUBMITTED, note),
        "2025": (970.0, EntryStatus.SUBMITTED, note),
    }
    with Session(ssb.engine) as session:
        audits = session.exec(
            select(AuditEvent).where(AuditEvent.entity == "indicator_value")
        ).all()
        stored = session.exec(
            select(IndicatorValue).where(IndicatorValue.indicator_id == ssb.indicator)
        ).all()
    assert len(audits) == 2
    assert {a.reason for a in audits} == {
        f"SSB tabell {fictional.TABLE}, hentet 2026-12-05T06:00:00Z, fiktiv-99999.json"
    }
    first = stored[0]
    with pytest.raises(WorkflowRefused, match="own_entry"):
        approve_value(ssb.actors["udir_a"], first.id, version=first.version, engine=ssb.engine)
    approved = approve_value(ssb.actors["nav"], first.id, version=first.version, engine=ssb.engine)
    assert approved.status == EntryStatus.APPROVED


def test_importing_the_same_file_again_writes_nothing_and_a_revision_is_a_correction(
    ssb: World,
) -> None:
    data = fictional.jsonstat_bytes(years=("2023",))
    result = check(ssb, data)
    commit_table(
        ssb.actors["udir_a"],
        ssb.mission,
        result,
        expected=result.check.versions(),
        engine=ssb.engine,
    )
    again = check(ssb, data)
    assert again.check is not None and again.check.counts()["unchanged"] == 1
    with Session(ssb.engine) as session:
        value = session.exec(select(IndicatorValue)).one()
    approve_value(ssb.actors["nav"], value.id, version=value.version, engine=ssb.engine)
    revised = fictional.jsonstat(years=("2023",))
    revised["value"] = [995.0]
    result = check(ssb, json.dumps(revised).encode())
    assert result.check is not None and result.check.counts()["correct"] == 1
    commit_table(
        ssb.actors["udir_a"],
        ssb.mission,
        result,
        expected=result.check.versions(),
        engine=ssb.engine,
    )
    with Session(ssb.engine) as session:
        rows = session.exec(select(IndicatorValue).order_by(col(IndicatorValue.id))).all()
    assert [(r.value, r.status, r.is_correction) for r in rows] == [
        (990.0, EntryStatus.APPROVED, False),
        (995.0, EntryStatus.SUBMITTED, True),
    ]
    assert (rows[1].correction_reason or "").startswith("Revidert tall fra SSB (tabell 99999")


def test_a_file_of_another_table_or_without_the_whole_country_is_refused(ssb: World) -> None:
    """Another table is refused; a county file has no whole-country series, which the dry
    run says, and imports its breakdown alone."""
    other = check(ssb, fictional.jsonstat_bytes(table="88888"))
    assert [p.code for p in other.problems] == ["other_table"] and not other.ok
    counties = check(ssb, fictional.jsonstat_bytes(regions=("03",)))
    assert counties.problems == [] and counties.ok and counties.writes() == 0
    assert [p.code for p in counties.series_problems] == ["no_whole_country"]
    assert counties.breakdown["county"] == 4 and counties.years == []
    assert len(counties.cells) == 4 and counties.counts["level"] == {"county": 4}


def test_several_ages_and_no_age_in_the_selection_is_named(ssb: World) -> None:
    with Session(ssb.engine) as session:
        indicator = session.get(Indicator, ssb.indicator)
        assert indicator is not None
        indicator.ssb_selection = "Region=0; Tid=*"
        session.add(indicator)
        session.commit()
    result = check(ssb, fictional.jsonstat_bytes(ages=("15-29", "15-19")))
    named = [(p.code, p.values["dimension"]) for p in result.series_problems]
    assert named == [("ambiguous", "age")] and result.problems == []
    # the series is left out; the cells of both ages are the breakdown
    assert result.years == [] and result.writes() == 0 and values(ssb) == {}
    assert result.counts["age"] == {"15-19": 4, "15-29": 4} and result.age_total is None


def test_an_operative_cannot_import_another_organisations_indicator(ssb: World) -> None:
    result = check(ssb, fictional.jsonstat_bytes(), who="nav")
    assert result.check is not None and not result.check.ok
    assert {p.code for row in result.check.bad for p in row.problems} == {"other_organisation"}
    with pytest.raises(PermissionDenied):
        check(ssb, fictional.jsonstat_bytes(), who="partner")


def test_a_value_saved_after_the_dry_run_stops_the_import(ssb: World) -> None:
    result = check(ssb, fictional.jsonstat_bytes(years=("2025",)))
    ssb.save(ssb.actors["udir_b"], {"value": "5"})  # period 2025, by a colleague
    with pytest.raises(ImportStale):
        commit_table(
            ssb.actors["udir_a"],
            ssb.mission,
            result,
            expected=result.check.versions(),
            engine=ssb.engine,
        )
    assert values(ssb)["2025"][0] == 5.0


def test_a_csv_file_imports_the_same_series(ssb: World) -> None:
    rows = [
        ("0", "0", "15-29", "2023", "990"),
        ("0", "0", "15-29", "2024", '"-"'),
        ("03", "0", "15-29", "2023", "198"),
    ]
    result = check(ssb, fictional.csv_long(rows), name="fiktiv-99999.csv")
    assert [(y.time, y.value, y.status, y.outcome) for y in result.years] == [
        ("2023", 990.0, None, "import"),
        ("2024", None, "-", "symbol"),  # SSB's «Null»: no number, not 0
    ]
    assert result.years[1].symbol == "nil" and result.breakdown["county"] == 1


# --- the commands ----------------------------------------------------------------------------


@pytest.fixture
def cli_env(ssb: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("DATABASE_URL", url_of(ssb.engine))
    clear_caches()
    yield ssb
    clear_caches()


def test_import_command_dry_run_then_import(
    cli_env: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "fiktiv-99999.json"
    file.write_bytes(fictional.jsonstat_bytes(**NATIONAL_AND_MORE))
    args = ["import", str(file), "--indicator", "C", "--as", "udir_a@example.no"]
    assert cli.main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Prøvekjøring: ingenting er lagret." in out
    assert "oppdraget har ingen årsperiode 2021" in out and "perioden 2022 er låst" in out
    assert "SSB oppgir ikke noe tall (Oppgave mangler)" in out
    assert "30 fylkesceller" in out and "30 kommuneceller" in out
    assert values(cli_env) == {}
    assert cli.main(args) == 0
    assert "sendt til godkjenning" in capsys.readouterr().out
    assert {k: v[1] for k, v in values(cli_env).items()} == {
        "2023": EntryStatus.SUBMITTED,
        "2025": EntryStatus.SUBMITTED,
    }


def test_import_command_refuses_in_words(
    cli_env: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "fiktiv.json"
    file.write_text("{ ikke json")
    assert cli.main(["import", str(file), "--indicator", "C"]) == 1
    assert "Filen er ikke gyldig JSON." in capsys.readouterr().err
    file.write_bytes(fictional.jsonstat_bytes())
    assert cli.main(["import", str(file), "--indicator", "X"]) == 1
    assert "Ingen indikator har koden X." in capsys.readouterr().err
    assert cli.main(["import", str(file), "--indicator", "C", "--as", "nobody@x.no"]) == 1
    assert "Ingen aktiv bruker" in capsys.readouterr().err
    assert cli.main(["import", str(file), "--indicator", "C", "--oppdrag", "finnes-ikke"]) == 1
    assert "ikke noe samfunnsoppdrag med nøkkelen «finnes-ikke»" in capsys.readouterr().err


def test_each_year_goes_to_a_period_of_the_named_mission_only(
    cli_env: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another mission has an indicator with the same code and the 2021 period the world's
    mission lacks: the default mission's import still finds no period for 2021; --oppdrag
    imports into the other mission's 2021 and nothing else; an unknown key imports nothing."""
    with Session(cli_env.engine) as session:
        other = Mission(key="annet", title="Et annet oppdrag")
        session.add(other)
        session.flush()
        indicator = session.get(Indicator, cli_env.indicator)
        assert other.id is not None and indicator is not None
        theirs = Indicator(
            mission_id=other.id,
            code="C",
            name="Det andre oppdragets tall",
            responsible_org_id=indicator.responsible_org_id,
            ssb_table=fictional.TABLE,
            ssb_selection=SELECTION,
        )
        period = Period(
            mission_id=other.id,
            label="2021",
            kind=PeriodKind.ANNUAL,
            start=dt.date(2021, 1, 1),
            end=dt.date(2021, 12, 31),
        )
        session.add_all([theirs, period])
        session.flush()
        their_id, other_id = theirs.id, other.id
        session.commit()
    file = tmp_path / "fiktiv-99999.json"
    file.write_bytes(fictional.jsonstat_bytes(**NATIONAL_AND_MORE))
    args = ["import", str(file), "--indicator", "C"]
    assert cli.main([*args, "--as", "udir_a@example.no", "--dry-run"]) == 0
    assert "oppdraget har ingen årsperiode 2021" in capsys.readouterr().out
    assert cli.main([*args, "--oppdrag", "annet"]) == 0
    out = capsys.readouterr().out
    assert "oppdraget har ingen årsperiode 2023" in out
    with Session(cli_env.engine) as session:
        rows = session.exec(
            select(Period.label, Period.mission_id, IndicatorValue.status)
            .join(Period, col(Period.id) == IndicatorValue.period_id)
            .where(IndicatorValue.indicator_id == their_id)
        ).all()
    assert rows == [("2021", other_id, EntryStatus.SUBMITTED)]
    assert values(cli_env) == {}
    assert cli.main([*args, "--oppdrag", "ukjent"]) == 1
    message = "Databasen har ikke noe samfunnsoppdrag med nøkkelen «ukjent» (se --oppdrag)."
    assert message in capsys.readouterr().err


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""
    paths: list[str] = []  # noqa: RUF012 (the requests the test server saw)

    def do_GET(self) -> None:
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def ssb_server() -> Iterator[str]:
    """A local HTTP server answering every request with a fictional json-stat2 file."""
    _Handler.body = fictional.jsonstat_bytes(**NATIONAL_AND_MORE)
    _Handler.paths = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/pxwebapi/v2"
    server.shutdown()
    server.server_close()


def test_fetch_command_asks_the_api_with_the_selection_and_imports(
    cli_env: World,
    ssb_server: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SSB_API", ssb_server)
    assert cli.main(["fetch", "--indicator", "C", "--as", "udir_a@example.no"]) == 0
    out = capsys.readouterr().out
    assert "sendt til godkjenning" in out
    [path] = _Handler.paths
    assert path == (
        "/api/pxwebapi/v2/tables/99999/data?lang=no&outputFormat=json-stat2"
        "&valueCodes[ContentsCode]=Personer&valueCodes[Region]=0&valueCodes[Kjonn]=0"
        "&valueCodes[Alder]=15-29&valueCodes[Tid]=*"
    )
    assert set(values(cli_env)) == {"2023", "2025"}
    with Session(cli_env.engine) as session:
        reasons = session.exec(select(AuditEvent.reason).where(AuditEvent.action == "import"))
        assert all(f"{ssb_server}/tables/99999/data" in (r or "") for r in reasons)


def _refusing_port() -> int:
    """A local port nobody listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_fetch_command_says_in_norwegian_when_ssb_cannot_be_reached(
    cli_env: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SSB_API", f"http://127.0.0.1:{_refusing_port()}/api/pxwebapi/v2")
    monkeypatch.setattr(fetch.time, "sleep", lambda seconds: None)
    assert cli.main(["fetch"]) == 1
    err = capsys.readouterr().err
    assert "C: Fikk ikke kontakt med SSB" in err and "Ingenting er importert." in err
    assert "Traceback" not in err and values(cli_env) == {}


def test_a_server_that_does_not_answer_times_out_after_the_tries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that accepts the connection and never answers: each try times out, the
    retries wait in between, and the result is Unreachable("timeout")."""
    waits: list[float] = []
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(fetch.Unreachable) as refused:
            fetch.fetch_table(
                "99999",
                {"Tid": ["*"]},
                base=base,
                timeout=fetch.httpx.Timeout(0.2),
                sleep=waits.append,
            )
    assert refused.value.reason == "timeout" and waits == [2.0, 4.0]


def test_fetch_command_without_sources_says_so(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", url_of(world.engine))
    clear_caches()
    try:
        assert cli.main(["fetch"]) == 1
        assert "Ingen indikator har en SSB-tabell" in capsys.readouterr().err
    finally:
        clear_caches()


def test_every_outcome_breakdown_problem_and_refusal_has_a_message_in_both_languages() -> None:
    import re

    from dashboard.i18n import catalogue
    from dashboard.statistics import importing, jsonstat, ssb

    source = "".join(
        Path(module.__file__ or "").read_text() for module in (importing, jsonstat, ssb, fetch)
    )
    refusals = set(re.findall(r'StatisticsRefused\(\s*"(\w+)"', source))
    refusals |= {f"jsonstat_{c}" for c in re.findall(r'JsonStatRefused\(\s*"(\w+)"', source)}
    problems = set(re.findall(r'Problem\(\s*"(\w+)"', source))
    reasons = set(re.findall(r'Unreachable\(\s*"(\w+)"', source))
    assert (
        len(refusals) >= 15
        and problems
        and reasons == {"offline", "timeout", "status", "too_large"}
    )
    keys = (
        [f"statistics.refused.{c}" for c in refusals]
        + [f"statistics.problem.{c}" for c in problems]
        + [f"statistics.unreachable.{c}" for c in reasons]
        + [f"statistics.outcome.{c}" for c in importing.YEAR_OUTCOMES]
        + [f"statistics.breakdown.{c}" for c in importing.BREAKDOWNS]
        + [f"statistics.dimension.{c}" for c in ("gender", "age", "contents", "other")]
    )
    for lang in ("nb", "en"):
        assert [key for key in keys if key not in catalogue(lang)] == []
