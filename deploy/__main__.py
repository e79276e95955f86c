"""`python -m deploy` (`make shape`): PostgreSQL, N app processes and HAProxy on this machine.

With DATABASE_URL set, that database is used (a PostgreSQL one: every process must see the
same data); without it, a throwaway PostgreSQL cluster for the trial, gone when it stops. The
database is migrated and seeded as `make run` does, N processes run `make run`'s command on
free ports, and HAProxy serves them on one port. Ctrl-C stops everything.
"""

import argparse
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from deploy.shape import Check, haproxy_bin, prepare, running_shape, trial_database


@contextmanager
def database() -> Iterator[str]:
    """DATABASE_URL, or a throwaway cluster's database."""
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    print("DATABASE_URL is not set: starting a throwaway PostgreSQL cluster", flush=True)
    with trial_database() as url:
        yield url


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    """Stop as Ctrl-C does. Python's own handling of SIGTERM and SIGHUP (`kill`, a service
    manager, a closed terminal) ends the process at once, without the cleanup that stops the
    app processes, HAProxy and the throwaway PostgreSQL cluster: they would live on."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    """Start the shape and keep it running until Ctrl-C (or SIGTERM, SIGHUP)."""
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    parser.add_argument("--processes", type=int, default=2, help="app processes (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="HAProxy's port (default 8080)")
    parser.add_argument("--host", default="127.0.0.1", help="HAProxy's address (default 127.0.0.1)")
    parser.add_argument("--inter", default="2s", help="health check interval (default 2s)")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if haproxy_bin() is None:
        print("HAProxy is not installed: apt-get install haproxy", file=sys.stderr)
        return 1
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, _interrupt)
    try:
        with database() as url:
            prepare(url)
            urls = [url] * args.processes
            with running_shape(
                urls, port=args.port, host=args.host, check=Check(inter=args.inter)
            ) as shape:
                print(f"\nThe dashboard: {shape.url}  (Ctrl-C stops everything)", flush=True)
                for backend in shape.backends:
                    print(f"  {backend.name}: {backend.url}  log {backend.log}", flush=True)
                balancer = shape.balancer
                assert balancer is not None
                print(
                    f"  HAProxy (pid {balancer.pid}): {shape.config}, log {shape.log}", flush=True
                )
                print(f"  HAProxy's stats socket: {shape.stats_socket}", flush=True)
                reported: set[str] = set()
                while True:  # a process that stops is reported; HAProxy routes around it
                    if (code := balancer.poll()) is not None:  # nothing is served: stop all
                        print(
                            f"HAProxy stopped (exit {code}):\n{shape.log.read_text()}", flush=True
                        )
                        return 1
                    for backend in shape.backends:
                        code = backend.process.poll()
                        if code is not None and backend.name not in reported:
                            print(f"{backend.name} stopped (exit {code})", flush=True)
                            reported.add(backend.name)
                    time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
