"""What ``make run`` starts (``livesession run``: migrate, demo, web server and worker), in a
throwaway var/, stopped the way a terminal's Ctrl-C stops it: SIGINT to the foreground
process group. Every process it started is gone within 5 seconds, with no traceback and no
crash, and the port is free again. The start prints the demo's credentials as the last
block, once the server answers, and the worker's per-job lines stay out of the terminal."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

CLI = str(Path(sys.executable).with_name("livesession"))
STOP_SECONDS = 5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(root: int) -> set[int]:
    """Every living process under ``root`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10):  # noqa: S310 - loopback test server
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def test_one_ctrl_c_stops_the_server_and_the_worker_cleanly(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc to find every process started")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "KEYSTORE_DATABASE_URL", "REDIS_URL", "EMAIL_HOST",
                        "LIVESESSION_TESTING", "LIVESESSION_TASKS_IMMEDIATE", "LOG_LEVEL"}}
    env |= {"DJANGO_SETTINGS_MODULE": "livesession.config.settings", "PYTHONUNBUFFERED": "1",
            "LIVESESSION_VAR_DIR": str(tmp_path), "SITE_URL": base}
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        # Its own session and process group, as a terminal's foreground job has.
        run = subprocess.Popen([CLI, "run", "--port", str(port)], env=env, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while "livesession is ready" not in log.read_text(errors="replace"):
            assert run.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.3)
        assert _answers(f"{base}/healthz")
        time.sleep(2)  # the worker's first jobs run (their lines must not show)
        started = _descendants(run.pid)
        assert len(started) >= 3, started  # the worker, granian's master and its workers

        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C
        stopped_by = time.monotonic() + STOP_SECONDS
        try:
            run.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail("livesession run still running 5 s after Ctrl-C\n"
                        + log.read_text(errors="replace"))
        while time.monotonic() < stopped_by and any(_alive(pid) for pid in started):
            time.sleep(0.1)
        left = [pid for pid in started if _alive(pid)]
        assert not left, f"still running 5 s after Ctrl-C: {left}"
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()

    printed = log.read_text(errors="replace")
    assert "Traceback" not in printed and "Segmentation" not in printed, printed
    assert not _answers(f"{base}/healthz")
    with socket.socket() as sock:  # nothing listens, and a new server could take the port
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    with socket.socket() as sock:
        # As a server binds (granian too): connections of the run before may linger in
        # TIME_WAIT for a minute, which only a bind without this option minds.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    # The credentials come last, once the server answers; huey's per-job lines stay out.
    credentials = json.loads((tmp_path / "demo-credentials.txt").read_text())
    tail = printed[printed.rindex("=== livesession demo ==="):]
    assert credentials["operator_password"] in tail and "livesession is ready" in tail
    assert "Executing livesession" not in printed and " executed in " not in printed
    assert "livesession worker started" in printed
