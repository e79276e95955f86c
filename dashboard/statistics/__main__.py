"""Official statistics from Statistics Norway (SSB) on the command line.

    python -m dashboard.statistics import FILE --indicator CODE [--dry-run] [--as EMAIL]
    python -m dashboard.statistics fetch [--indicator CODE] [--dry-run] [--as EMAIL]

import reads a JSON-stat 2.0 or CSV file downloaded from Statistikkbanken; fetch asks SSB's
PxWebApi v2 for each indicator with an SSB table (or the one named) with its selection. Both
show the dry run (every year of the whole-country series, SSB's symbols with their meaning,
the breakdown cells by region level, gender and age, codes that are not SSB's standard ones),
then import it as submitted for the operative group to approve, unless --dry-run: the series
as values, the breakdown as one batch of cells. --as names the account the import is made as
(its role and organisation decide what it may import); without it the import is the
secretariat's, made from the command line. Messages are in Norwegian; the exit code is 0 when
everything asked for was imported (or would be, with --dry-run), 1 when not.
"""

import argparse
import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

from sqlmodel import col, select

from dashboard.db import DatabaseBusy, session_scope
from dashboard.i18n import translate
from dashboard.i18n.formatting import local_time, number
from dashboard.services.common import mission_by_key
from dashboard.services.imports.run import ImportRefused, ImportStale
from dashboard.services.permissions import Actor, PermissionDenied
from dashboard.services.users import actor_in
from dashboard.settings import get_settings
from dashboard.statistics.fetch import Unreachable, fetch_table
from dashboard.statistics.importing import (
    PartlyImported,
    StatisticsCheck,
    UnknownIndicator,
    cell_lines,
    check_table,
    commit_table,
)
from dashboard.statistics.ssb import StatisticsRefused, Table, read_table, table_from_jsonstat
from models import Indicator, Mission, Role, User
from models.statistics import parse_selection

LANG = "nb"
COMMAND_LINE = Actor(id=None, email="dashboard.statistics", role=Role.ADMIN)


def say(key: str, **values: object) -> str:
    return translate(LANG, key, **values)


def describe(result: StatisticsCheck) -> list[str]:
    """The dry run as lines of text: each year, the breakdown, the problems."""
    lines = [
        say(
            "statistics.cli.read",
            code=result.indicator,
            table=result.table_id or "?",
            source=result.source,
            years=len(result.years),
        )
    ]
    for year in result.years:
        meaning = say(f"statistics.symbol.{year.symbol}") if year.symbol else ""
        shown = number(year.value, LANG) if year.value is not None else (year.status or "")
        outcome = say(
            f"statistics.outcome.{year.outcome}", meaning=meaning, year=year.year, time=year.time
        )
        extra = f" («{year.status}» {meaning})" if year.status and year.outcome != "symbol" else ""
        lines.append(f"  {year.time:>9}  {shown:>12}  {outcome}{extra}")
    cells = [
        say(f"statistics.breakdown.{kind}", count=count)
        for kind, count in result.breakdown.items()
        if count
    ]
    if cells:
        lines.append(say("statistics.breakdown", cells=", ".join(cells)))
    lines += cell_lines(result, say)
    for problem in result.problems:
        values = dict(problem.values)
        if "dimension" in values:
            values["dimension"] = say(f"statistics.dimension.{values['dimension']}")
        lines.append(say(f"statistics.problem.{problem.code}", **values))
    if result.check is not None and not result.check.ok:
        rows = "; ".join(
            f"{row.period}: {', '.join(p.code for p in row.problems) or 'ugyldig verdi'}"
            for row in result.check.bad
        )
        lines.append(say("statistics.cli.bad_rows", rows=rows))
    return lines


def _actor(email: str | None, mission_id: int) -> Actor:
    """The account an import runs as, with its role in the mission (the command line's own
    actor without --as); either is held to that mission."""
    if email is None:
        return replace(COMMAND_LINE, mission_id=mission_id)
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email.strip().lower())).first()
        if user is None or not user.active:
            raise LookupError(say("statistics.cli.unknown_user", email=email))
        return actor_in(session, user, mission_id)


def _run(actor: Actor, mission_id: int, code: str, table: Table, source: str, dry: bool) -> bool:
    """Dry-run table for one indicator, print it, and import unless dry; True when all went
    as asked."""
    try:
        result = check_table(
            actor, mission_id, code, table, source=source, retrieved_at=dt.datetime.now(dt.UTC)
        )
    except UnknownIndicator:
        print(say("statistics.unknown_indicator", code=code), file=sys.stderr)
        return False
    except PermissionDenied:
        print(say("statistics.cli.not_allowed", who=actor.email, code=code), file=sys.stderr)
        return False
    print("\n".join(describe(result)))
    if not result.ok:
        if not result.problems and not result.importable:
            print(say("statistics.nothing_to_import"))
        return not result.problems and (result.check is None or result.check.ok)
    if not result.writes() and result.cells.empty:
        print(say("statistics.nothing_to_import"))
        return True
    if dry:
        print(say("statistics.cli.dry_run"))
        return True
    expected = result.check.versions() if result.check is not None else None
    try:
        done = commit_table(actor, mission_id, result, expected=expected)
    except PartlyImported as exc:
        table_id = result.table_id or "?"
        print(
            say("statistics.partly_imported", table=table_id, code=code, **exc.done),
            file=sys.stderr,
        )
        return False
    except DatabaseBusy:
        print(say("app.database_busy"), file=sys.stderr)
        return False
    except (ImportStale, ImportRefused):
        print(say("statistics.cli.stale", code=code), file=sys.stderr)
        return False
    except PermissionDenied:
        print(say("statistics.cli.not_allowed", who=actor.email, code=code), file=sys.stderr)
        return False
    if result.writes():
        print(say("statistics.done", table=result.table_id or "?", code=code, **done))
    if done["cells"]:
        print(say("statistics.done_cells", table=result.table_id or "?", code=code, **done))
    return True


def _import(args: argparse.Namespace, actor: Actor, mission_id: int) -> bool:
    path = Path(args.file)
    try:
        table = read_table(path.name, path.read_bytes())
    except OSError as exc:
        print(f"{path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    except StatisticsRefused as exc:
        print(say(f"statistics.refused.{exc.code}", **exc.values), file=sys.stderr)
        return False
    return _run(actor, mission_id, args.indicator, table, path.name, args.dry_run)


def _fetch(args: argparse.Namespace, actor: Actor, mission_id: int) -> bool:
    with session_scope() as session:
        query = select(Indicator.code, Indicator.ssb_table, Indicator.ssb_selection).where(
            Indicator.mission_id == mission_id, col(Indicator.ssb_table).is_not(None)
        )
        if args.indicator:
            query = query.where(Indicator.code == args.indicator)
        sources = list(session.exec(query.order_by(col(Indicator.code))).all())
    if not sources:
        print(say("statistics.cli.no_sources"), file=sys.stderr)
        return False
    ok = True
    for code, table_id, selection in sources:
        assert table_id is not None
        try:
            fetched = fetch_table(table_id, parse_selection(selection))
            table = table_from_jsonstat(fetched.data)
        except Unreachable as exc:
            key = f"statistics.unreachable.{exc.reason}"
            print(f"{code}: {say(key, url=exc.url, detail=exc.detail)}", file=sys.stderr)
            ok = False
            continue
        except StatisticsRefused as exc:
            print(f"{code}: {say(f'statistics.refused.{exc.code}', **exc.values)}", file=sys.stderr)
            ok = False
            continue
        print(local_time(fetched.retrieved_at, LANG), fetched.url)
        ok = _run(actor, mission_id, code, table, fetched.url, args.dry_run) and ok
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.statistics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    reading = commands.add_parser("import", help="read a file downloaded from Statistikkbanken")
    reading.add_argument("file", help="a JSON-stat 2.0 (.json) or CSV (.csv) file")
    reading.add_argument("--indicator", required=True, help="the indicator's code")
    fetching = commands.add_parser("fetch", help="ask SSB's PxWebApi v2")
    fetching.add_argument("--indicator", help="only this indicator (default: all with a table)")
    for sub in (reading, fetching):
        sub.add_argument("--dry-run", action="store_true", help="show what would be imported")
        sub.add_argument("--as", dest="as_", metavar="EMAIL", help="import as this account")
        sub.add_argument(
            "--oppdrag", metavar="KEY", help="the mission's key (default: the default mission)"
        )
    args = parser.parse_args(argv)
    with session_scope() as session:
        if args.oppdrag is None:  # the installation's default, as the app opens it
            mission = mission_by_key(session, get_settings().mission_key)
        else:
            mission = session.exec(select(Mission).where(Mission.key == args.oppdrag)).first()
        mission_id = mission.id if mission is not None else None
    if mission_id is None:
        key = args.oppdrag or get_settings().mission_key
        print(say("statistics.cli.no_mission", name=key), file=sys.stderr)
        return 1
    try:
        actor = _actor(args.as_, mission_id)
    except LookupError as exc:
        print(exc, file=sys.stderr)
        return 1
    ok = (_import if args.command == "import" else _fetch)(args, actor, mission_id)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
