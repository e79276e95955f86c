"""The results of a benchmark run and the budget checks made on them."""

from dataclasses import dataclass, field

from bench.apptest import PageTiming
from bench.breakdowns import BreakdownTiming
from bench.capacity import CapacityResult, capacity_checks
from bench.config import Budgets
from bench.databases import Database
from bench.imports import ImportTiming
from bench.notify import NotifyTiming
from bench.opendata import OpenDataTiming
from bench.scaleout import ScaleOut
from bench.server import ServerMemory
from bench.snapshots import SnapshotTiming
from bench.stats import Summary


@dataclass
class SizeResult:
    """Everything measured on one database size."""

    database: Database
    raw_sql: Summary
    raw_sql_rows: int
    empty_page: PageTiming
    pages: list[PageTiming]
    snapshot: SnapshotTiming | None = None
    open_data: OpenDataTiming | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Check:
    """One budget check: what was measured against which limit."""

    subject: str
    size: str
    metric: str
    measured: float | None
    limit: float
    unit: str
    at_least: bool = False  # the limit is a floor (a throughput), not a ceiling

    @property
    def passed(self) -> bool | None:
        """True/False when measured, None when it could not be measured."""
        if self.measured is None:
            return None
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit


@dataclass
class BenchRun:
    """A whole benchmark run."""

    mode: str
    started: str
    sizes: list[SizeResult] = field(default_factory=list)
    server: ServerMemory | None = None
    phases: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average, start and end
    imports: list[ImportTiming] = field(default_factory=list)  # a 5,000-row import per engine
    breakdowns: list[BreakdownTiming] = field(default_factory=list)  # an SSB breakdown per size
    notify: NotifyTiming | None = None  # a sender run with 1,000 queued events
    capacity: CapacityResult | None = None  # N sessions against one server process (issue 17)
    scaleout: ScaleOut | None = None  # two processes behind HAProxy against one


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _median(summary: Summary | None) -> float | None:
    """The median of a summary, if there is one."""
    return summary.median_ms if summary else None


def page_checks(size: SizeResult, budgets: Budgets) -> dict[str, list[Check]]:
    """The warm and cold checks of every page of a size, by page name."""
    cold_limit = budgets.cold_limit_ms(size.raw_sql.median_ms)
    checks = {}
    for page in size.pages:
        label = size.database.label
        checks[page.name] = [
            Check(
                page.name,
                label,
                "cold median",
                page.cold.median_ms if page.cold else None,
                cold_limit,
                "ms",
            ),
            Check(
                page.name,
                label,
                "warm median",
                page.warm.median_ms if page.warm else None,
                budgets.warm_median_ms,
                "ms",
            ),
        ]
    return checks


def import_checks(timing: ImportTiming, budgets: Budgets) -> list[Check]:
    """The import's commit times, and the saves made during one: their slowest, and how many
    were refused as busy (none may be while the import keeps within its budget)."""
    measured = not timing.problems
    saves = timing.saves_during
    slowest = max(saves.samples_ms) if saves and measured else None
    return [
        Check(
            "import 5,000 new values",
            timing.engine,
            "commit",
            timing.create_ms if measured else None,
            budgets.import_commit_ms,
            "ms",
        ),
        Check(
            "import 5,000 changed values",
            timing.engine,
            "commit",
            timing.update_ms if measured else None,
            budgets.import_commit_ms,
            "ms",
        ),
        Check(
            "save during an import",
            timing.engine,
            "slowest",
            slowest,
            budgets.save_during_import_ms,
            "ms",
        ),
        Check(
            "save during an import",
            timing.engine,
            "refused as busy",
            timing.saves_refused if measured else None,
            0,
            "saves",
        ),
    ]


def notify_checks(timing: NotifyTiming, budgets: Budgets) -> list[Check]:
    """The sender run's time in process and as a command."""
    measured = not timing.problems
    subject = f"notify --once, {timing.events:,} events"
    return [
        Check(
            subject,
            timing.database,
            "run_once",
            timing.once_ms if measured else None,
            budgets.notify_once_ms,
            "ms",
        ),
        Check(
            subject,
            timing.database,
            "command",
            timing.command_ms if measured else None,
            budgets.notify_command_ms,
            "ms",
        ),
    ]


def all_checks(run: BenchRun, budgets: Budgets) -> list[Check]:
    """Every budget check of the run: pages, the imports, the sender, then the server's memory."""
    checks = [c for size in run.sizes for cs in page_checks(size, budgets).values() for c in cs]
    checks += [c for timing in run.imports for c in import_checks(timing, budgets)]
    checks += notify_checks(run.notify, budgets) if run.notify else []
    if run.capacity is not None:
        warm = (
            {
                p.name: ratio(_median(p.warm), _median(run.sizes[-1].empty_page.warm))
                for p in run.sizes[-1].pages
            }
            if run.sizes
            else {}
        )
        checks += [Check(*fields) for fields in capacity_checks(run.capacity, warm)]
    if run.server is not None:
        checks.append(
            Check(
                "server",
                run.server.database,
                "peak RSS",
                run.server.peak_mb,
                budgets.server_memory_mb,
                "MB",
            )
        )
    return checks
