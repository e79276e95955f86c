"""What the benchmark measures: the pages, how often, and the budgets they must meet."""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
SYNTHETIC_FACTOR = 100

# Pages that read the URL get a real value, so the benchmark sees the page with content.
QUERY_PARAMS: dict[str, dict[str, str]] = {
    "satsing": {"nr": "9"},
    "indikatorer": {"kode": "LAVINNTEKT-BARN-ANDEL"},
}
# Further views of a page, measured as rows of their own: (url path, label, query parameters).
EXTRA_VIEWS: list[tuple[str, str, dict[str, str]]] = [
    ("indikatorer", "indikatorer (alle)", {}),
    # issue 19: an indicator with an SSB breakdown of 28,560 cells (bench.breakdowns)
    ("indikatorer", "indikatorer (fordeling)", {"kode": "NEET-15-29"}),
    ("portefolje", "portefolje (matrise)", {"visning": "matrise"}),
    ("portefolje", "portefolje (nettverk)", {"visning": "nettverk"}),
    ("portefolje", "portefolje (nettverk med mål)", {"visning": "nettverk", "lag": "maal"}),
    ("portefolje", "portefolje (tidslinje)", {"visning": "tidslinje"}),
    ("organisasjoner", "organisasjoner (Udir)", {"organisasjon": "Udir"}),
]

# Pages that show each role something else, measured once more per signed-in role (role code).
ROLE_VIEWS: dict[str, tuple[str, ...]] = {"start": ("operative", "steering", "admin")}


@dataclass(frozen=True)
class BenchPage:
    """One page of the app as the benchmark opens it."""

    name: str
    script: str
    title_key: str
    default: bool = False
    params: dict[str, str] = field(default_factory=dict)
    label: str = ""
    signed_in_as: str | None = None  # a demo account's e-mail, for pages not everyone may open

    @property
    def title(self) -> str:
        """How the report names this page (a view of a page has its own label)."""
        return self.label or self.name

    @property
    def app_path(self) -> str:
        """The script relative to dashboard/app.py, as AppTest.switch_page wants it."""
        return f"../pages/{self.script}"

    @property
    def url(self) -> str:
        """The page's path and query string on a running server."""
        path = "/" if self.default else f"/{self.name}"
        return f"{path}?{urlencode(self.params)}" if self.params else path


def bench_pages() -> list[BenchPage]:
    """Every page of the app in menu order; a restricted one is opened signed in with the
    first demo account whose role may open it (the benchmark databases get the demo accounts).
    """
    from dashboard.ui.navigation import PAGES
    from models import Role
    from seed.demo import DEMO_ACCOUNTS

    pages = []
    for spec in PAGES:
        views = [("", QUERY_PARAMS.get(spec.url_path, {}))]
        views += [(label, params) for path, label, params in EXTRA_VIEWS if path == spec.url_path]
        pages += [
            BenchPage(
                name=spec.url_path,
                script=spec.script,
                title_key=spec.title_key,
                default=Role.PARTNER in spec.default_for,
                params=params,
                label=label,
                signed_in_as=None
                if Role.PARTNER in spec.roles
                else next(email for role, email, *_ in DEMO_ACCOUNTS if role in spec.roles),
            )
            for label, params in views
        ]
        pages += [
            BenchPage(
                name=spec.url_path,
                script=spec.script,
                title_key=spec.title_key,
                params=QUERY_PARAMS.get(spec.url_path, {}),
                label=f"{spec.url_path} ({role})",
                signed_in_as=next(email for r, email, *_ in DEMO_ACCOUNTS if r == role),
            )
            for role in ROLE_VIEWS.get(spec.url_path, ())
        ]
    return pages


@dataclass(frozen=True)
class Repetitions:
    """How many timed runs of each kind."""

    cold: int
    warm: int
    raw_sql: int


FULL = Repetitions(cold=5, warm=10, raw_sql=20)
QUICK = Repetitions(cold=2, warm=3, raw_sql=5)


@dataclass(frozen=True)
class Budgets:
    """The performance budgets of the issue; cold is checked on the median."""

    warm_median_ms: float = 150.0
    cold_factor: float = 1.5
    cold_offset_ms: float = 300.0
    server_memory_mb: float = 500.0
    # issue 14: a 5,000-row import commits within this on each engine, and a colleague's save
    # made meanwhile waits at most this long (it waits for the import's commit, then saves)
    import_commit_ms: float = 2000.0
    save_during_import_ms: float = 2000.0
    # issue 16: one sender run with 1,000 queued events at --synthetic 100: its work, and the
    # whole command (new interpreter included), which must end well inside the minute between
    # the runs of `python -m dashboard.notify`
    notify_once_ms: float = 5000.0
    notify_command_ms: float = 30000.0

    def cold_limit_ms(self, raw_sql_ms: float) -> float:
        """The cold budget for a database whose raw portfolio query takes raw_sql_ms."""
        return self.cold_factor * raw_sql_ms + self.cold_offset_ms


BUDGETS = Budgets()
