"""The production shape on one machine: PostgreSQL, N app processes and HAProxy in front.

`python -m deploy` (`make shape`) starts it for trials; the browser tests
(tests/browser/test_shape.py) and the bench (bench/scaleout.py) start it with `running_shape`.
Every app process runs exactly `make run`'s command (bench.server.run_command) on a port of its
own; HAProxy's configuration is the template deploy/haproxy.cfg.in, rendered with those ports.
"""

import csv
import ctypes
import io
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from types import ModuleType
from typing import Any

from bench.server import free_port, healthy, run_command

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("haproxy.cfg.in")
ERRORS = Path(__file__).with_name("errors")  # what a visitor reads when no process answers
HAPROXY_MISSING = "HAProxy not installed: apt-get install haproxy (see .ci/run)"
COOKIE = "DASHBOARD_BACKEND"
START_TIMEOUT_S = 90.0
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when its parent dies
# https://ssl-config.mozilla.org/ (intermediate), as Debian's own /etc/haproxy/haproxy.cfg has it
TLS_DEFAULTS = (
    "    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384\n"
    "    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
    "TLS_CHACHA20_POLY1305_SHA256\n"
    "    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets\n"
)


def haproxy_bin() -> str | None:
    """The haproxy executable (Debian installs it in /usr/sbin, not always on PATH), or None."""
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


@dataclass(frozen=True)
class Check:
    """HAProxy's health check of every app process: GET /healthz every inter, taken out of
    rotation after fall failures in a row, back after rise successes."""

    inter: str = "2s"  # the tests' value; production: see README, Deployment
    fall: int = 2
    rise: int = 2


def render(
    ports: Sequence[int],
    *,
    listen: str,
    stats_socket: Path,
    check: Check | None = None,
    tls: Path | None = None,
    redirect: str | None = None,
    log: str = "stdout format raw",
    host: str = "127.0.0.1",
    header: str = "rendered for a trial on this machine",
    user: str | None = None,
    chroot: Path | None = None,
) -> str:
    """HAProxy's configuration for app processes on host:ports, named app1, app2, ..., with
    the frontend bound to listen. With tls (a PEM file with the certificate chain and key),
    the frontend speaks https only (TLS 1.2 or later, Mozilla's intermediate ciphers, as
    Debian's own configuration), the stickiness cookie is Secure, and redirect (e.g. ":80")
    sends plain http there. With user (and chroot), HAProxy started as root gives root up
    once it has bound its ports (on a server; the configuration replaces Debian's, which
    says so too)."""
    check = check or Check()
    global_extra = ""
    if user:
        global_extra += f"    # root only to bind the ports\n    user {user}\n    group {user}\n"
    if chroot:
        global_extra += f"    chroot {chroot}\n"
    if tls:
        global_extra += TLS_DEFAULTS
    servers = "\n".join(
        f"    server app{i} {host}:{port} cookie app{i}" for i, port in enumerate(ports, 1)
    )
    api_servers = "\n".join(
        f"    server api{i} {host}:{port} track app/app{i}" for i, port in enumerate(ports, 1)
    )
    bind = f"bind {listen}" + (f" ssl crt {tls} alpn http/1.1" if tls else "")
    hsts = '    http-response set-header Strict-Transport-Security "max-age=31536000"'
    extra = ""
    if tls and redirect:
        extra = (
            f"\nfrontend plain_http\n    bind {redirect}\n"
            "    http-request redirect scheme https code 301\n"
        )
    return Template(TEMPLATE.read_text()).substitute(
        header=header,
        global_extra=global_extra,
        stats_socket=stats_socket,
        log=log,
        errors=ERRORS,
        bind=bind,
        frontend_extra=hsts if tls else "",
        cookie=COOKIE,
        cookie_extra=" secure" if tls else "",
        inter=check.inter,
        fall=check.fall,
        rise=check.rise,
        servers=servers,
        api_servers=api_servers,
        extra=extra,
    )


# --- the database --------------------------------------------------------------------------


def run_module(module: str, *args: str, database_url: str, quiet: bool = False) -> None:
    """`python -m module args` on database_url, as make does."""
    env = {**os.environ, "DATABASE_URL": database_url}
    out = subprocess.DEVNULL if quiet else None
    subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, check=True, stdout=out)


def prepare(database_url: str, *, demo_accounts: bool = True, quiet: bool = False) -> None:
    """What `make run` does before it starts the server: migrate, seed when empty (and create
    the demo accounts, printing their passwords once)."""
    run_module("dashboard.migrate", database_url=database_url, quiet=quiet)
    seed = ["--if-empty", *(["--demo-accounts"] if demo_accounts else [])]
    run_module("seed", *seed, database_url=database_url, quiet=quiet)


def _pg() -> ModuleType:
    """tests/support/pg.py, the tests' throwaway PostgreSQL cluster (it needs only SQLAlchemy)."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from support import pg
    finally:
        sys.path.remove(str(ROOT / "tests"))
    return pg


def postgresql_missing() -> str | None:
    """Why no trial PostgreSQL can be started here, or None."""
    pg = _pg()
    return str(pg.MISSING) if pg.server_bin() is None else None


@contextmanager
def trial_database() -> Iterator[str]:
    """A new database on a throwaway local PostgreSQL cluster (listening on a unix socket
    only, with fsync off: it keeps nothing); its URL."""
    pg = _pg()
    if pg.server_bin() is None:
        raise RuntimeError(pg.MISSING)
    with pg.cluster() as admin_url, pg.database(admin_url) as url:
        yield str(url)


# --- the processes -------------------------------------------------------------------------


@dataclass
class Backend:
    """One app process: its name in HAProxy (app1, ...), port, database and log."""

    name: str
    port: int
    database_url: str
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """Its own base URL (not through HAProxy)."""
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """Stop it at once (SIGKILL), as a crash would."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Shape:
    """A started shape: HAProxy's URL and stats socket, and the app processes behind it."""

    url: str
    stats_socket: Path
    config: Path
    log: Path
    backends: list[Backend] = field(default_factory=list)
    balancer: "subprocess.Popen[bytes] | None" = None  # HAProxy, once started

    def admin(self, command: str) -> str:
        """One command on HAProxy's stats socket (`show stat`, `disable server app/app2`)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.stats_socket))
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def states(self, proxy: str = "app") -> dict[str, str]:
        """Each app process's state in a backend of HAProxy's (app: database healthy;
        app_running: the process runs): UP, DOWN, MAINT, ... by name."""
        text = self.admin("show stat").lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {
            row["svname"]: row["status"]
            for row in rows
            if row["pxname"] == proxy and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def wait_for(self, name: str, state: str, timeout: float = 30.0, proxy: str = "app") -> None:
        """Wait until HAProxy reports app process name in state (UP, DOWN) in proxy."""
        deadline = time.monotonic() + timeout
        while (seen := self.states(proxy).get(name, "")).split(" ")[0] != state:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} is {seen!r} after {timeout:.0f} s, not {state}")
            time.sleep(0.2)

    def backend(self, name: str) -> Backend:
        """The app process HAProxy calls name."""
        return next(b for b in self.backends if b.name == name)


def _die_with_parent() -> None:
    """In a child, before it runs its program: have Linux send it SIGTERM when the process
    that started it dies, killed outright (SIGKILL, the OOM killer) included, which leaves
    no time to stop it: no app process or HAProxy outlives the shape that started it."""
    if _PRCTL is None or _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        return  # not Linux, or refused: no such guard
    if os.getppid() == 1:  # the parent died before that: nobody is left to stop it
        os.kill(os.getpid(), signal.SIGTERM)


def _child_options() -> dict[str, Any]:
    """Popen's options for the shape's children (on Linux: stopped when the shape dies)."""
    return {"preexec_fn": _die_with_parent} if sys.platform == "linux" else {}


# looked up here, not in the child between fork and exec, where little is safe to do
_PRCTL = ctypes.CDLL(None).prctl if sys.platform == "linux" else None


def _start_backend(name: str, database_url: str, directory: Path, env: dict[str, str]) -> Backend:
    """Start `make run`'s command on a free port, without waiting for it."""
    port = free_port()
    log = directory / f"{name}.log"
    command = [sys.executable, "-m", *run_command(port)]
    environment = {**os.environ, **env, "DATABASE_URL": database_url}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            **_child_options(),
        )
    return Backend(name, port, database_url, log, process)


def _wait_started(backend: Backend, deadline: float) -> None:
    """Wait until the web server of backend answers Streamlit's own health check (the
    database may be away: that is HAProxy's /healthz check to find)."""
    while not healthy(backend.url):
        if backend.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{backend.name} did not start:\n{backend.log.read_text()}")
        time.sleep(0.2)


def _answers(url: str) -> bool:
    """True when HAProxy at url forwards GET /healthz to a healthy process."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False


def shared_settings() -> dict[str, str]:
    """What every app process must share, beyond DATABASE_URL: one secret for Streamlit's
    signed cookies (its XSRF token), so a browser moved to another process keeps working, and
    the loopback address, since only HAProxy talks to them. The environment's own values win."""
    return {
        "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get(
            "STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32)
        ),
        "STREAMLIT_SERVER_ADDRESS": os.environ.get("STREAMLIT_SERVER_ADDRESS", "127.0.0.1"),
    }


@contextmanager
def running_shape(
    database_urls: Sequence[str],
    *,
    port: int | None = None,
    host: str = "127.0.0.1",
    check: Check = Check(),
    env: dict[str, str] | None = None,
) -> Iterator[Shape]:
    """One app process per entry of database_urls (migrated and seeded already), and HAProxy in
    front on host:port; yields once HAProxy forwards to a healthy process. Stops all of them
    afterwards (on Ctrl-C too)."""
    haproxy = haproxy_bin()
    if haproxy is None:
        raise RuntimeError(HAPROXY_MISSING)
    directory = Path(tempfile.mkdtemp(prefix="shape-"))
    settings = {**shared_settings(), **(env or {})}
    try:
        with ExitStack() as stack:
            backends: list[Backend] = []
            for i, url in enumerate(database_urls, 1):
                backend = _start_backend(f"app{i}", url, directory, settings)
                backends.append(backend)
                stack.callback(backend.stop)
            deadline = time.monotonic() + START_TIMEOUT_S
            for backend in backends:
                _wait_started(backend, deadline)
            port = port or free_port()
            shape = Shape(
                url=f"http://{host}:{port}",
                stats_socket=directory / "haproxy.sock",
                config=directory / "haproxy.cfg",
                log=directory / "haproxy.log",
                backends=backends,
            )
            shape.config.write_text(
                render(
                    [b.port for b in backends],
                    listen=f"{host}:{port}",
                    stats_socket=shape.stats_socket,
                    check=check,
                )
            )
            with shape.log.open("wb") as out:
                balancer = subprocess.Popen(
                    [haproxy, "-db", "-f", str(shape.config)],
                    stdout=out,
                    stderr=out,
                    **_child_options(),
                )
            stack.callback(_stop, balancer)
            shape.balancer = balancer
            while not _answers(shape.url):
                if balancer.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"HAProxy forwards to no healthy process:\n{shape.log.read_text()}"
                    )
                time.sleep(0.2)
            yield shape
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process and wait for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
