"""The raw-SQL baseline: the portfolio page's main query straight through sqlite3."""

import sqlite3
import time
from pathlib import Path

from bench.stats import Summary, summarise

# Initiatives of the mission joined with their organisations: the data services.portfolio
# reads (which aggregates the names in SQL), as one plain join with no processing.
PORTFOLIO_SQL = """
SELECT i.number, i.name, i.status, i.start_year, i.end_year, i.scope, i.region,
       i.category, i.focus, i.description, io.role, o.id, o.short_name
FROM initiative AS i
LEFT JOIN initiativeorganisation AS io ON io.initiative_id = i.id
LEFT JOIN organisation AS o ON o.id = io.organisation_id
WHERE i.mission_id = (
    SELECT id FROM mission ORDER BY (key = ?) DESC, id LIMIT 1
)
ORDER BY i.number, o.short_name
"""


def portfolio_rows(path: Path, mission_key: str) -> int:
    """Connect, run the portfolio query, fetch every row, close; returns the row count."""
    conn = sqlite3.connect(path)
    try:
        return len(conn.execute(PORTFOLIO_SQL, (mission_key,)).fetchall())
    finally:
        conn.close()


def measure(path: Path, mission_key: str, repetitions: int) -> tuple[Summary, int]:
    """Timings of the portfolio query on a fresh connection each time, and its row count."""
    rows = portfolio_rows(path, mission_key)  # untimed: warms the OS file cache
    seconds = []
    for _ in range(repetitions):
        start = time.perf_counter()
        portfolio_rows(path, mission_key)
        seconds.append(time.perf_counter() - start)
    return summarise(seconds), rows
