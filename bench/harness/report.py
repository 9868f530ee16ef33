"""The report: ``latest.json``, ``latest.md`` (the table), SVG plots drawn by hand (no
dependency), and the README's Performance table between its markers.

Every scenario's latest results live in ``bench/results/<scenario>.json`` (one file per
scenario, all backends of its last run, with that run's baselines): a run with ``--only``
replaces its scenarios and keeps the others, and the table is rebuilt from all the files.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.harness.result import Result, write_json

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"


def save_scenario(results_dir: Path, scenario: str, results: list[Result],
                  runs: dict[str, dict[str, Any]]) -> None:
    """``runs``: per backend, the run's facts (baselines, date, commit, load)."""
    path = results_dir / f"{scenario}.json"
    previous = json.loads(path.read_text()) if path.exists() else {"results": [], "runs": {}}
    backends = {r.backend for r in results}
    kept = [r for r in previous.get("results", []) if r["backend"] not in backends]
    data = {"scenario": scenario,
            "results": kept + [r.to_dict() for r in results],
            "runs": {**previous.get("runs", {}), **{b: runs[b] for b in backends if b in runs}}}
    write_json(path, data)


def load_all(results_dir: Path) -> list[dict[str, Any]]:
    files = sorted(results_dir.glob("S*.json"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0))
    return [json.loads(p.read_text()) for p in files]


def _fmt(value: float | None, unit: str, ratio_to: str | None) -> str:
    if value is None:
        return "n/a"
    if ratio_to:
        return f"{value * 100:.1f} %"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "-"}[met]


def _rows(scenarios: list[dict[str, Any]]) -> Iterator[tuple[Result, str, str]]:
    """Each scenario's results, PostgreSQL first: (result, "S1 Join spike", backend)."""
    for data in scenarios:
        for raw in sorted(data["results"], key=lambda r: r["backend"] != "postgresql"):
            r = Result.from_dict(raw)
            yield r, f"{r.scenario} {r.title}", (
                "PostgreSQL" if r.backend == "postgresql" else "SQLite")


def table(scenarios: list[dict[str, Any]]) -> str:
    lines = ["| Scenario | Backend | Check | Target | Measured | Ratio | Verdict |",
             "|---|---|---|---|---|---|---|"]
    for r, name, backend in _rows(scenarios):
        for g in r.gates:
            lines.append(f"| {name} | {backend} | gate: {g.name} | hard | "
                         f"{_cell(g.detail)} | | {'passed' if g.passed else '**FAILED**'} |")
        for f in r.figures:
            ratio = f"{f.value * 100:.1f} % of {f.ratio_to}" if (
                f.ratio_to and f.value is not None) else ""
            lines.append(f"| {name} | {backend} | {_cell(f.name)} | {_cell(f.target)} | "
                         f"{_fmt(f.value, f.unit, f.ratio_to)} | {ratio} | "
                         f"{_verdict(f.met)} |")
    return "\n".join(lines)


def compact_table(scenarios: list[dict[str, Any]]) -> str:
    """The README's table: every figure, and the gates summed up per scenario and backend
    (the failed ones named; all of them are in latest.md)."""
    lines = ["| Scenario | Backend | Check | Target | Measured | Verdict |",
             "|---|---|---|---|---|---|"]
    for r, name, backend in _rows(scenarios):
        bad = [g.name for g in r.gates if not g.passed]
        verdict = "passed" if r.passed else "**FAILED**: " + _cell("; ".join(bad))
        lines.append(f"| {name} | {backend} | correctness gates | hard | "
                     f"{len(r.gates) - len(bad)} of {len(r.gates)} held | {verdict} |")
        for f in r.figures:
            lines.append(f"| {name} | {backend} | {_cell(f.name)} | {_cell(f.target)} | "
                         f"{_fmt(f.value, f.unit, f.ratio_to)} | {_verdict(f.met)} |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return str(text).replace("|", "/").replace("\n", " ")[:160]


def baselines_table(scenarios: list[dict[str, Any]]) -> str:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for data in scenarios:
        for backend, run in data.get("runs", {}).items():
            seen.setdefault((run.get("started", ""), backend), run)
    lines = ["| Run | Backend | R_noop (req/s) | T_db(join) (TPS) | F_sync (/s) | "
             "open-loop ceiling (req/s) | no-op p99 at 300 / 500 / 1,000 req/s (ms) | "
             "load avg (start) |", "|---|---|---|---|---|---|---|---|"]
    for (started, backend), run in sorted(seen.items(), reverse=True):
        b = run.get("baselines", {})
        floor = b.get("openloop_noop_floor_ms", {})
        floors = " / ".join(_fmt(floor.get(k, {}).get("p99"), "", None) for k in
                            ("300", "500", "1000"))
        lines.append(f"| {started} {run.get('commit', '')[:8]} | {backend} | "
                     f"{_fmt(b.get('R_noop'), '', None)} | {_fmt(b.get('T_db(join)'), '', None)} | "
                     f"{_fmt(b.get('F_sync'), '', None)} | "
                     f"{_fmt(b.get('openloop_ceiling_rps'), '', None)} | {floors} | "
                     f"{' '.join(b.get('loadavg_start', []))} |")
    return "\n".join(lines)


def markdown(scenarios: list[dict[str, Any]]) -> str:
    return ("# Benchmark results (latest)\n\n"
            "Written by `bench/run.py` (`make bench`); how to read it: `bench/README.md`.\n\n"
            "## Baselines of each run\n\n" + baselines_table(scenarios) + "\n\n"
            "## Scenarios\n\n" + table(scenarios) + "\n\n"
            "![latency](latency.svg)\n\n![throughput](throughput.svg)\n")


# --- SVG (hand-built) -----------------------------------------------------------------------

def _bound(target: str) -> float | None:
    match = re.search(r"([<>]=)\s*([0-9.,]+)", target or "")
    return float(match.group(2).replace(",", "")) if match else None


def _bars_svg(title: str, rows: list[tuple[str, float, float | None, bool | None]],
              unit: str, scale_max: float | None = None) -> str:
    """Horizontal bars: (label, value, target or None, met). A tick marks the target."""
    width, left, bar_h, gap, top = 900, 330, 16, 6, 40
    height = top + len(rows) * (bar_h + gap) + 30
    peak = scale_max or max([v for _, v, _, _ in rows] + [t or 0 for _, _, t, _ in rows] + [1e-9])
    span = width - left - 90

    def x(v: float) -> float:
        return left + span * min(v, peak * 1.05) / (peak * 1.05)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" '
           f'role="img" aria-label="{html.escape(title)}">',
           f'<title>{html.escape(title)}</title>',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">{html.escape(title)}</text>']
    for i, (label, value, target, met) in enumerate(rows):
        y = top + i * (bar_h + gap)
        color = {True: "#2e7d32", False: "#c62828", None: "#607d8b"}[met]
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">'
                   f'{html.escape(label[:52])}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{max(1.0, x(value) - left):.1f}" '
                   f'height="{bar_h}" fill="{color}"/>')
        out.append(f'<text x="{x(value) + 4:.1f}" y="{y + 12}">{value:,.1f} {unit}</text>')
        if target is not None:
            tx = x(target)
            out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y - 2}" y2="{y + bar_h + 2}" '
                       f'stroke="black" stroke-width="2" stroke-dasharray="3,2"/>')
    out.append(f'<text x="{left}" y="{height - 8}" fill="#555">green: target met, red: '
               f'missed, grey: no target; dashed tick: the target</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def plots(scenarios: list[dict[str, Any]], results_dir: Path) -> None:
    latency: list[tuple[str, float, float | None, bool | None]] = []
    throughput: list[tuple[str, float, float | None, bool | None]] = []
    for data in scenarios:
        for raw in data["results"]:
            r = Result.from_dict(raw)
            short = "pg" if r.backend == "postgresql" else "sqlite"
            for f in r.figures:
                if f.value is None:
                    continue
                label = f"{r.scenario} {short}: {f.name}"
                if f.unit == "ms":
                    latency.append((label, f.value, _bound(f.target), f.met))
                elif f.ratio_to:
                    target = _bound(f.target.replace("%", ""))
                    throughput.append((label, f.value * 100, target, f.met))
    (results_dir / "latency.svg").write_text(_bars_svg(
        "Latency (open loop, from the intended send time)", latency, "ms"))
    (results_dir / "throughput.svg").write_text(_bars_svg(
        "Saturation throughput as % of R_noop (same run)", throughput, "%"))


def write_all(results_dir: Path, readme: Path | None) -> str:
    scenarios = load_all(results_dir)
    write_json(results_dir / "latest.json", {"scenarios": scenarios})
    text = markdown(scenarios)
    (results_dir / "latest.md").write_text(text)
    plots(scenarios, results_dir)
    if readme is not None and readme.exists():
        update_readme(readme, baselines_table(scenarios) + "\n\n" + compact_table(scenarios))
    return text


def update_readme(readme: Path, content: str) -> bool:
    """Replace what is between the markers; False when the README has no markers."""
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        return False
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{content}\n{END}{tail}")
    return True
