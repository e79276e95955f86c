"""The shape's HAProxy configuration (deploy/haproxy.cfg.in) as HAProxy itself reads it, and
the scale-out figures the bench reports (bench/scaleout.py)."""

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from bench.scaleout import GOAL, ScaleOut, Window, section, to_json
from bench.server import free_port
from deploy import config, errors
from deploy.shape import COOKIE, HAPROXY_MISSING, ROOT, Check, haproxy_bin, render


def rendered(tmp_path: Path, check: Check | None = None) -> str:
    return render(
        [8601, 8602, 8603],
        listen="127.0.0.1:8080",
        stats_socket=tmp_path / "s",
        check=check or Check(),
    )


def test_every_process_is_a_sticky_health_checked_server(tmp_path: Path) -> None:
    config = rendered(tmp_path)
    for i, port in enumerate([8601, 8602, 8603], 1):
        assert f"server app{i} 127.0.0.1:{port} cookie app{i}" in config
    assert f"cookie {COOKIE} insert indirect nocache httponly" in config
    assert "http-check send meth GET uri /healthz" in config
    assert "http-check expect status 200" in config
    assert "default-server check inter 2s fall 2 rise 2" in config
    assert "timeout tunnel 8h" in config  # Streamlit's websocket outlives client/server
    assert "option redispatch" in config and "option forwardfor" in config
    # the open-data API: any process, no stickiness cookie (a shared cache may keep answers)
    assert "use_backend api if { path_beg /api/ }" in config
    api = config.split("backend api\n")[1].split("\nbackend ")[0]
    assert "server api1 127.0.0.1:8601 track app/app1\n" in api and "cookie" not in api
    production = rendered(tmp_path, Check(inter="5s", fall=3, rise=2))
    assert "default-server check inter 5s fall 3 rise 2" in production


def haproxy_check(path: Path) -> None:
    """haproxy -c accepts the file without a warning."""
    haproxy = haproxy_bin()
    if haproxy is None:
        pytest.skip(HAPROXY_MISSING)
    done = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[WARNING]" not in done.stdout + done.stderr, done.stdout + done.stderr


def test_haproxy_accepts_the_trial_configuration(tmp_path: Path) -> None:
    path = tmp_path / "haproxy.cfg"
    path.write_text(rendered(tmp_path))
    haproxy_check(path)


def test_haproxy_accepts_the_production_configuration_with_tls(tmp_path: Path) -> None:
    pem = tmp_path / "dashboard.pem"
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=dashboard.test", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    path = tmp_path / "haproxy.cfg"
    argv = ["--ports", "8501,8502", "--tls", str(pem), "--redirect", ":80"]
    argv += ["--stats-socket", str(tmp_path / "s"), "--log", "stdout format raw"]
    with redirect_stdout(io.StringIO()) as out:
        assert config.main(argv) == 0
    text = out.getvalue()
    path.write_text(text)
    haproxy_check(path)
    assert f"ssl crt {pem}" in text and "httponly secure" in text
    assert "http-request redirect scheme https" in text
    assert "default-server check inter 5s fall 3 rise 2" in text  # production's values
    # it replaces Debian's /etc/haproxy/haproxy.cfg: HAProxy must still give up root once
    # bound, and TLS keeps Debian's (Mozilla's intermediate) floor
    for line in ("user haproxy", "group haproxy", "chroot /var/lib/haproxy"):
        assert f"\n    {line}\n" in text, line
    assert "ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets" in text
    assert "ssl-default-bind-ciphers ECDHE-" in text
    trial = rendered(tmp_path)  # make shape runs HAProxy as whoever starts it
    assert "user " not in trial and "chroot" not in trial


def window(processes: int, reruns: int) -> Window:
    return Window(processes, 10, 20.0, reruns, 0, 500.0, 900.0, [20.0] * processes, 5.0)


def test_the_ratio_is_two_processes_throughput_over_one_over_every_round() -> None:
    result = ScaleOut(windows=[window(1, 200), window(2, 340), window(1, 220), window(2, 360)])
    assert result.throughput(1) == 420 / 40 and result.throughput(2) == 700 / 40
    assert result.ratio == pytest.approx(700 / 420)
    assert result.passed is (GOAL <= 700 / 420)
    markdown = "\n".join(section(result))
    assert "Scale-out ratio 1.67×" in markdown and "ok" in markdown
    data = json.loads(json.dumps(to_json(result)))
    assert data["ratio"] == pytest.approx(700 / 420) and len(data["windows"]) == 4
    assert result.mean_cores(1) == 1.0 and result.mean_cores(2) == 2.0  # 20 CPU s per 20 s
    assert result.efficiency == pytest.approx((700 / 80) / (420 / 40))
    assert data["efficiency"] == pytest.approx(result.efficiency)
    slow = ScaleOut(windows=[window(1, 200), window(2, 300)])
    assert slow.passed is False and "**FAIL**" in "\n".join(section(slow))


def test_a_scale_out_not_measured_says_why() -> None:
    assert "Not measured (`--no-scaleout`)." in section(None)
    skipped = ScaleOut(skipped=HAPROXY_MISSING)
    assert f"Not measured: {HAPROXY_MISSING}." in section(skipped)
    assert to_json(skipped)["ratio"] is None  # type: ignore[index]


@pytest.mark.parametrize(
    ("stop", "code"),
    [(signal.SIGINT, 0), (signal.SIGTERM, 0), (signal.SIGKILL, -signal.SIGKILL)],
    ids=["ctrl-c", "kill", "crash"],
)
def test_make_shape_starts_everything_and_ctrl_c_stops_everything(
    tmp_path: Path, stop: signal.Signals, code: int
) -> None:
    """`python -m deploy` (make shape) with one process on a SQLite file, for speed; stopped
    with Ctrl-C, with `kill` (SIGTERM, as a service manager or a closed session stops it), or
    killed outright (SIGKILL, the OOM killer), it leaves no app process or HAProxy behind."""
    if haproxy_bin() is None:
        pytest.skip(HAPROXY_MISSING)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'shape.db'}"}
    command = [sys.executable, "-m", "deploy", "--processes", "1", "--port", str(port)]
    shape = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert shape.stdout is not None
    try:
        lines = []
        for line in shape.stdout:  # migrates, seeds, starts, then says where
            lines.append(line)
            if line.startswith("  app1: "):
                break
        printed = "".join(lines)
        assert f"The dashboard: http://127.0.0.1:{port}" in printed, printed
        assert "sekretariat@demo.invalid" in printed  # make run's demo accounts, once
        backend = re.search(r"app1: (http://\S+)", printed)
        assert backend, printed
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            assert (answer.status, answer.headers["X-Backend"]) == (200, "app1")
        # the open-data API goes to the same process, with no stickiness cookie (issue 20)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/missions") as answer:
            assert (answer.status, answer.headers["X-Backend"]) == (200, "api1")
            assert answer.headers["ETag"] and answer.headers["Set-Cookie"] is None
            assert json.loads(answer.read())["missions"]
        shape.send_signal(stop)  # to the launcher only, not its children
        assert shape.wait(timeout=30) == code
    finally:
        if shape.poll() is None:
            shape.terminate()
            shape.wait(timeout=30)
    deadline = time.monotonic() + 20  # the children of a killed launcher stop by themselves
    for url in (f"http://127.0.0.1:{port}/healthz", f"{backend.group(1)}/_stcore/health"):
        while listens(url):
            assert time.monotonic() < deadline, f"{url} still answers"
            time.sleep(0.2)


def listens(url: str) -> bool:
    """True when something answers url."""
    try:
        urllib.request.urlopen(url, timeout=5).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def test_the_pages_haproxy_shows_without_a_process_are_current_and_in_both_languages() -> None:
    """deploy/errors/*.http as `python -m deploy.errors` writes them from dashboard/i18n."""
    for code in errors.REASONS:
        written = (errors.DIRECTORY / f"{code}.http").read_bytes()
        assert written == errors.page(code), f"run python -m deploy.errors ({code}.http)"
        head, _, body = written.partition(b"\r\n\r\n")
        assert head.startswith(f"HTTP/1.1 {code} ".encode())
        assert f"Content-Length: {len(body)}".encode() in head
        text = body.decode()
        assert "Dashbordet svarer ikke akkurat nå" in text
        assert "The dashboard is not answering right now" in text


def test_make_shape_stops_everything_when_haproxy_stops(tmp_path: Path) -> None:
    """Without HAProxy nobody reaches the processes: `python -m deploy` says so and stops
    them, instead of running on as if the dashboard were served."""
    if haproxy_bin() is None:
        pytest.skip(HAPROXY_MISSING)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'shape.db'}"}
    command = [sys.executable, "-m", "deploy", "--processes", "1", "--port", str(free_port())]
    shape = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert shape.stdout is not None
    try:
        lines = []
        for line in shape.stdout:
            lines.append(line)
            if line.startswith("  HAProxy"):
                break
        printed = "".join(lines)
        balancer = re.search(r"HAProxy \(pid (\d+)\)", printed)
        backend = re.search(r"app1: (http://\S+)", printed)
        assert balancer and backend, printed
        os.kill(int(balancer.group(1)), signal.SIGKILL)
        assert shape.wait(timeout=30) == 1
        assert "HAProxy stopped" in shape.stdout.read()
    finally:
        if shape.poll() is None:
            shape.kill()
    with pytest.raises(OSError):  # the app process is stopped too
        urllib.request.urlopen(f"{backend.group(1)}/_stcore/health", timeout=5)
