"""HTTP helpers of scenarios S4-S8 (brief D), without Django: a timed streamed download
(time to first byte, total, the body saved to a file), a signed-in member's cookies, and
the server workers' memory from /proc.

The body goes to a file while it arrives and is parsed afterwards, so the client spends as
little CPU as possible while it shares the 2 cores with the server it measures.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import http.client
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CSRF = "benchcsrf" + "x" * 23  # 32 characters: Django accepts an unmasked secret


@dataclass
class Download:
    status: int
    ttfb_ms: float
    total_s: float
    size: int
    path: Path | None


def cookies(session: str) -> str:
    return f"sessionid={session}; csrftoken={CSRF}"


def fetch(base_url: str, path: str, session: str, out: Path | None, *, method: str = "GET",
          language: str = "en", timeout: float = 600.0) -> Download:
    """One request; the body is written to ``out`` (or dropped) as it streams."""
    host, _sep, port = base_url.removeprefix("http://").partition(":")
    conn = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    headers = {"Cookie": cookies(session), "Accept-Language": language}
    body = b""
    if method == "POST":
        headers.update({"X-CSRFToken": CSRF, "Referer": base_url + path,
                        "Content-Type": "application/x-www-form-urlencoded"})
    began = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    first = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
    ttfb = time.perf_counter() - began
    size = len(first)
    sink = out.open("wb") if out is not None else None
    try:
        if sink is not None:
            sink.write(first)
        while True:
            block = response.read(1 << 20)
            if not block:
                break
            size += len(block)
            if sink is not None:
                sink.write(block)
    finally:
        if sink is not None:
            sink.close()
        conn.close()
    return Download(response.status, ttfb * 1000, time.perf_counter() - began, size, out)


def csv_digest(path: Path, columns: list[int]) -> dict[str, Any]:
    """Rows (header excluded) and the SHA-256 of the sorted selected columns, joined by
    tabs, one line each: the same digest ``reference`` functions compute from the database."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    lines = ["\t".join(row[i] for i in columns) for row in reader]
    lines.sort()
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return {"rows": len(lines), "sha256": digest, "header": header,
            "emails": {line.split("\t", 1)[0] for line in lines}}


def digest_of(lines: list[str]) -> str:
    lines = sorted(lines)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def reset_peak(pids: list[int]) -> dict[int, int]:
    """Reset each process's peak RSS (``/proc/<pid>/clear_refs`` 5) and return its RSS now
    (kB); a process we may not reset keeps its old peak (then growth is an upper bound)."""
    now: dict[int, int] = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        now[pid] = status_kb(pid).get("VmRSS", 0)
    return now


def status_kb(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def peak_growth_mb(before: dict[int, int]) -> float:
    """Largest (peak after − RSS before) over the processes, in MB."""
    growth = 0
    for pid, rss in before.items():
        peak = status_kb(pid).get("VmHWM", 0)
        growth = max(growth, peak - rss)
    return growth / 1024
