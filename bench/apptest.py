"""Time page scripts through AppTest: cold (empty caches, new session) and warm (rerun)."""

import gc
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st
from sqlmodel import select
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from bench.config import APP, BenchPage, Repetitions
from bench.stats import Summary, summarise
from dashboard.db import get_engine, session_scope
from dashboard.i18n import translate
from dashboard.services.permissions import Actor
from dashboard.services.users import actor_of
from dashboard.settings import get_settings
from dashboard.ui.context import ACTOR_KEY
from models import User

TIMEOUT_S = 120
EMPTY_PAGE = 'import streamlit as st\n\nst.title("x")\n'


@dataclass
class PageTiming:
    """Cold and warm timings of one page, with anything that went wrong or was warned about."""

    name: str
    cold: Summary | None = None
    warm: Summary | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def use_database(url: str) -> None:
    """Point this process (and the app scripts it runs) at the database at url."""
    os.environ["DATABASE_URL"] = url
    reset_caches()


def reset_caches() -> None:
    """Forget every cached query result, the settings and the engine: the next run is cold."""
    st.cache_data.clear()
    st.cache_resource.clear()  # the shared query results (dashboard.ui.data)
    get_settings.cache_clear()
    get_engine.cache_clear()
    gc.collect()  # also closes the dropped engine's connections before timing starts


def open_page(page: BenchPage) -> AppTest:
    """A new AppTest session of the app that will open page on its first run."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    if page.signed_in_as:
        at.session_state[ACTOR_KEY] = _actor(page.signed_in_as)
    if not page.default:
        at.switch_page(page.app_path)
        # Unrun, AppTest names a page by its file's stem; st.Page hashes its url_path, which
        # differs for Åpne data (apne_data.py, /apne-data): the first run opens it so too.
        at._page_hash = calc_hash(page.name)
    for key, value in page.params.items():
        at.query_params[key] = value
    return at


def _actor(email: str) -> Actor:
    """The actor of an existing account in the benchmark's database."""
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return actor_of(user)


def timed_run(at: AppTest) -> float:
    """Seconds one run of the AppTest took; raises when the script raised."""
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        error = at.exception[0]
        where = error.stack_trace[-1].splitlines()[0].strip() if error.stack_trace else "?"
        raise RuntimeError(f"script raised {error.value!r} ({where})")
    return seconds


def check_title(at: AppTest, page: BenchPage) -> str | None:
    """A problem description when the run did not show the page's own title."""
    expected = translate(get_settings().language, page.title_key)
    titles = [title.value for title in at.title]
    return None if expected in titles else f"expected title {expected!r}, got {titles!r}"


@contextmanager
def collected_warnings(into: list[str]) -> Iterator[None]:
    """Collect the distinct warnings raised meanwhile (by any thread) into a list."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for item in caught:
        text = f"{item.category.__name__}: {' '.join(str(item.message).split())[:160]}"
        if text not in into:
            into.append(text)


def _measure(
    name: str, start: Callable[[], AppTest], reps: Repetitions, check: Callable[[AppTest], None]
) -> PageTiming:
    """Time cold runs of new sessions made by start, then warm reruns of the last one."""
    timing = PageTiming(name)
    try:
        with collected_warnings(timing.warnings):
            cold: list[float] = []
            at: AppTest | None = None
            for _ in range(max(reps.cold, 1)):
                reset_caches()
                at = start()
                cold.append(timed_run(at))
            assert at is not None
            check(at)
            timing.cold = summarise(cold)
            timing.warm = summarise([timed_run(at) for _ in range(reps.warm)])
    except Exception as error:  # a broken page is reported, not fatal
        timing.problems.append(f"{type(error).__name__}: {error}")
    return timing


def measure_page(page: BenchPage, reps: Repetitions) -> PageTiming:
    """Cold and warm timings of one page of the app."""

    def check(at: AppTest) -> None:
        """Fail the measurement when the run did not show this page."""
        if problem := check_title(at, page):
            raise RuntimeError(problem)

    return _measure(page.title, lambda: open_page(page), reps, check)


def measure_empty_page(reps: Repetitions) -> PageTiming:
    """Cold and warm timings of a page that only writes a title: Streamlit's own floor."""
    with tempfile.TemporaryDirectory(prefix="bench-empty-") as directory:
        script = Path(directory) / "empty.py"
        script.write_text(EMPTY_PAGE)
        return _measure(
            "empty page",
            lambda: AppTest.from_file(str(script), default_timeout=TIMEOUT_S),
            reps,
            lambda at: None,
        )


def warm_up(pages: list[BenchPage]) -> list[str]:
    """Run every page once, untimed, so imports are not counted as cold; returns problems."""
    problems: list[str] = []
    with collected_warnings([]):
        for page in pages:
            try:
                timed_run(open_page(page))
            except Exception as error:
                problems.append(f"{page.title}: {type(error).__name__}: {error}")
    return problems
