"""An SSB breakdown of one indicator (issue 19): 10 years × 357 municipalities × 2 genders ×
4 age groups (28,560 cells) imported into each benchmark database, approved by a colleague,
and then shown on Indikatorer (the page view «indikatorer (fordeling)», bench.config).

The file is generated here and is fictional: table 99999 (no such SSB table), «Fiktiv kommune»
names, municipality codes made up under the current counties' codes, numbers made up. It
exists only in the benchmark's temporary databases, never in the seed.
"""

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from bench.databases import Database
from dashboard.db import get_engine
from dashboard.services.common import mission_by_key
from dashboard.services.users import actor_of
from dashboard.settings import get_settings
from dashboard.statistics.breakdowns import approve_batch
from dashboard.statistics.importing import check_table, commit_table
from dashboard.statistics.regions import CURRENT_COUNTIES
from dashboard.statistics.ssb import read_table
from models import Indicator, User

INDICATOR = "NEET-15-29"  # the page view bench.config opens
TABLE = "99999"
YEARS = [str(year) for year in range(2015, 2025)]
MUNICIPALITIES = 357
GENDERS = {"1": "Menn", "2": "Kvinner"}
AGES = {"15-19": "15-19 år", "20-24": "20-24 år", "25-29": "25-29 år", "30-34": "30-34 år"}
IMPORTER, APPROVER = "sekretariat@demo.invalid", "operativ@demo.invalid"


@dataclass
class BreakdownTiming:
    """What importing the breakdown into one database took."""

    database: str
    cells: int = 0
    bytes: int = 0
    read_ms: float = 0.0  # JSON-stat to frame (schema check included)
    dry_run_ms: float = 0.0  # check_table: the cells, their counts and codes
    commit_ms: float = 0.0  # commit_table: one batch, its cells in one INSERT
    approve_ms: float = 0.0
    problems: list[str] = field(default_factory=list)


def municipalities() -> dict[str, str]:
    """357 made-up municipality codes, spread over the current counties."""
    codes: dict[str, str] = {}
    n = 0
    while len(codes) < MUNICIPALITIES:
        for county in CURRENT_COUNTIES:
            if len(codes) < MUNICIPALITIES:
                codes[f"{county.code}{n + 1:02d}"] = f"Fiktiv kommune {len(codes) + 1}"
        n += 1
    return codes


def synthetic_file() -> bytes:
    """The fictional json-stat2 dataset, shaped like PxWebApi v2's output."""
    regions = municipalities()
    dims: dict[str, dict[str, str]] = {
        "Region": regions,
        "Kjonn": GENDERS,
        "Alder": AGES,
        "ContentsCode": {"Personer": "Personer (fiktive)"},
        "Tid": {year: year for year in YEARS},
    }
    size = [len(labels) for labels in dims.values()]
    total = 1
    for n in size:
        total *= n
    values = [float(10 + (i * 7919) % 900) for i in range(total)]

    def category(labels: dict[str, str]) -> dict[str, Any]:
        return {"index": {code: i for i, code in enumerate(labels)}, "label": labels}

    dataset = {
        "version": "2.0",
        "class": "dataset",
        "label": f"{TABLE}: Fiktiv tabell for ytelsesmåling (ikke SSB-tall)",
        "source": "Fiktiv kilde (benchmark)",
        "updated": "2026-01-01T07:00:00Z",
        "id": list(dims),
        "size": size,
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
        "dimension": {name: {"label": name, "category": category(c)} for name, c in dims.items()},
        "extension": {"px": {"tableid": TABLE}},
        "value": values,
    }
    return json.dumps(dataset, ensure_ascii=False).encode("utf-8")


def measure(db: Database) -> BreakdownTiming:
    """Import the breakdown into db as the secretariat, timed, and have a colleague approve it."""
    timing = BreakdownTiming(db.label)
    engine = get_engine(db.url)
    try:
        with Session(engine) as session:
            mission = mission_by_key(session, get_settings().mission_key)
            assert mission is not None and mission.id is not None
            mission_id = mission.id
            indicator = session.exec(select(Indicator).where(Indicator.code == INDICATOR)).one()
            indicator.ssb_table = TABLE
            indicator.ssb_selection = "ContentsCode=Personer; Region=*; Kjonn=*; Alder=*; Tid=*"
            session.add(indicator)
            importer, approver = (
                actor_of(session.exec(select(User).where(User.email == email)).one())
                for email in (IMPORTER, APPROVER)
            )
            session.commit()
        data = synthetic_file()
        timing.bytes = len(data)
        start = time.perf_counter()
        table = read_table("fiktiv-99999.json", data)
        timing.read_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        result = check_table(
            importer,
            mission_id,
            INDICATOR,
            table,
            source="fiktiv-99999.json",
            retrieved_at=dt.datetime.now(dt.UTC),
            engine=engine,
        )
        timing.dry_run_ms = (time.perf_counter() - start) * 1000
        if not result.ok:
            timing.problems.append(f"dry run refused: {result.problems}")
            return timing
        start = time.perf_counter()
        expected = result.check.versions() if result.check is not None else None
        done = commit_table(importer, mission_id, result, expected=expected, engine=engine)
        timing.commit_ms = (time.perf_counter() - start) * 1000
        timing.cells = done["cells"]
        start = time.perf_counter()
        approve_batch(approver, done["batch"], 1, engine=engine)
        timing.approve_ms = (time.perf_counter() - start) * 1000
    except Exception as exc:  # reported, not raised: the bench goes on
        timing.problems.append(f"{type(exc).__name__}: {exc}")
    return timing


def summary(timing: BreakdownTiming) -> str:
    """One line for the bench's progress log."""
    if timing.problems:
        return "; ".join(timing.problems)
    return (
        f"{timing.cells:,} cells: read {timing.read_ms:.0f} ms, dry run {timing.dry_run_ms:.0f} "
        f"ms, commit {timing.commit_ms:.0f} ms, approve {timing.approve_ms:.0f} ms"
    )


def section(timings: list[BreakdownTiming]) -> list[str]:
    """The report's section."""
    lines = ["## Import of an SSB breakdown, 28,560 cells (issue 19)", ""]
    if not timings:
        return [*lines, "Not measured (`--no-breakdown`).", ""]
    lines += [
        "A fictional JSON-stat file made by the bench (10 years × 357 municipalities × 2 "
        f"genders × 4 age groups) imported for {INDICATOR} by the secretariat and approved by "
        "the operative group, before the pages are timed: the page view «indikatorer "
        "(fordeling)» shows it (warm budget as for every page).",
        "",
        "| database | cells | file | read | dry run | commit | approve |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for t in timings:
        lines.append(
            f"| {t.database} | {t.cells:,} | {t.bytes / 1e6:.1f} MB | {t.read_ms:.0f} "
            f"| {t.dry_run_ms:.0f} | {t.commit_ms:.0f} | {t.approve_ms:.0f} |"
        )
    lines += ["", "All times in ms.", ""]
    problems = [f"- **error** {t.database}: {p}" for t in timings for p in t.problems]
    return lines + ([*problems, ""] if problems else [])
