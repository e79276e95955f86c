"""`python -m bench.gc_choice`: why the server collects garbage the way it ships.

Starts the server as `make run` does on a `--synthetic 100` database, once per variant of the
garbage collection settings (environment variables only, so the shipped variant is exactly the
shipped configuration), drives N browser-free sessions through seven pages (bench/load.py) and
prints throughput, latency, the server's CPU per page run and its memory, during the load and
after the sessions have closed. The figures behind the choice are in docs/design-notes.md.
"""

import argparse
import tempfile
import time
from pathlib import Path

from bench.databases import build
from bench.load import Click, LoadResult, run_load
from bench.server import MB, app_server, tree_rss

CLICKS = (
    Click("oversikt", "", "Oversikt"),
    Click("mal", "", "Mål"),
    Click("portefolje", "", "Portefølje"),
    Click("portefolje", "visning=matrise", "Portefølje"),
    Click("satsing", "nr=9", "Satsing"),
    Click("indikatorer", "kode=LAVINNTEKT-BARN-ANDEL", "Indikatorer"),
    Click("statusrapporter", "", "Statusrapporter"),
)
# name: the environment the server gets on top of the shipped configuration
VARIANTS: dict[str, dict[str, str]] = {
    "shipped (freeze per page, paced collection)": {},
    "freeze per page, collect after each run": {
        "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true",
        "GC_SHARE": "0",
    },
    "collect after each run, no freeze": {
        "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true",
        "GC_SHARE": "0",
        "GC_FREEZE": "false",
    },
    "freeze per page, no collection after runs": {"GC_SHARE": "0"},
}


def row(name: str, result: LoadResult) -> str:
    """One line of the table."""
    return (
        f"| {name} | {result.sessions} | {result.reruns_per_s:.1f} | {result.median_ms or 0:.0f}"
        f" | {result.p95_ms or 0:.0f} | {result.cpu_ms_per_rerun or 0:.0f} | {result.rss_mb:.0f}"
        f" | {len(result.errors)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,5,25,50", help="comma-separated N")
    parser.add_argument("--seconds", type=float, default=15.0, help="window per N")
    parser.add_argument("--synthetic", type=int, default=100)
    args = parser.parse_args()
    counts = [int(n) for n in args.sessions.split(",")]
    print("| variant | N | reruns/s | median ms | p95 ms | CPU ms/run | RSS MB | errors |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        db = build(Path(tmp), f"synthetic {args.synthetic}", args.synthetic)
        for name, env in VARIANTS.items():
            with app_server(f"sqlite:///{db.path}", Path(tmp) / "server.log", env=env) as (
                url,
                pid,
            ):
                run_load(url, pid, CLICKS, 1, 5)  # every cache filled once
                for n in counts:
                    print(row(name, run_load(url, pid, CLICKS, n, args.seconds)), flush=True)
                time.sleep(5)
                import psutil

                print(
                    f"| {name}: RSS 5 s after the sessions closed | | | | | | "
                    f"{tree_rss(psutil.Process(pid)) / MB:.0f} | |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
