"""The real server under test: ``livesession serve`` (granian, WSGI, 2 workers, DEBUG off,
no access log), started and stopped by PID.

granian binds with SO_REUSEPORT: a stale server on the same port would silently share
the load and corrupt the figures (performance-anchors.md §(c) 2). So ``start`` refuses to
run when anything answers on the port, and ``stop`` kills only the process group it
started.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from bench.harness import ROOT


class PortBusy(RuntimeError):
    pass


def port_in_use(host: str, port: int) -> bool:
    """True when something accepts connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def get(host: str, port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    def __init__(self, env: dict[str, str], host: str = "127.0.0.1", port: int = 8765,
                 workers: int = 2, log_path: Path | None = None) -> None:
        self.env = env
        self.host = host
        self.port = port
        self.workers = workers
        self.log_path = log_path or Path(env["LIVESESSION_VAR_DIR"]) / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def pids(self) -> list[int]:
        """The server's processes (granian and its workers), for the CPU split."""
        if self.process is None:
            return []
        found = [self.process.pid]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.process.pid:  # process group id
                found.append(int(entry.name))
        return sorted(set(found))

    def start(self, timeout: float = 60.0) -> None:
        if port_in_use(self.host, self.port):
            raise PortBusy(f"{self.host}:{self.port} already answers: another server "
                           "(granian shares ports with SO_REUSEPORT). Stop it or use --port.")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "livesession"), "serve", "--host", self.host,
             "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)  # its own process group: stopped by that id only
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}); see "
                                   f"{self.log_path}")
            try:
                status, _ = get(self.host, self.port, "/bench/noop", timeout=2)
                if status == 200:
                    return
                raise RuntimeError(f"/bench/noop answered {status}: BENCH_ENDPOINTS off?")
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not answer within the timeout")

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.process = None
        # Wait for the port to be released before anyone starts again.
        deadline = time.monotonic() + 10
        while port_in_use(self.host, self.port) and time.monotonic() < deadline:
            time.sleep(0.1)

    def restart(self) -> None:
        self.stop()
        self.start()
