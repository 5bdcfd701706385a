"""Run every benchmark under bench/ and merge their results into latest.json and latest.md.

Each bench_*.py writes bench/results/<name>.json with figures {name, value, baseline, ratio,
target}. Absolute numbers on a shared 2-core machine are noise; the ratios are the point.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def run(script: Path, quick: bool, timeout: float) -> tuple[int, float]:
    args = [sys.executable, str(script), *(["--quick"] if quick else [])]
    started = time.monotonic()
    try:
        code = subprocess.run(args, timeout=timeout, check=False).returncode
    except subprocess.TimeoutExpired:
        code = 124
    return code, time.monotonic() - started


def _normalised(result: dict) -> dict:
    """Figures as a list of {name, value, baseline, ratio, target}, whichever shape was written."""
    figures = result.get("figures", [])
    if isinstance(figures, dict):
        result["figures"] = [{"name": k, **v} for k, v in figures.items()]
    return result


def markdown(merged: dict[str, dict]) -> str:
    lines = [
        "| benchmark | figure | value | baseline | ratio | target |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, result in merged.items():
        for f in result.get("figures", []):
            lines.append(
                f"| {name} | {f['name']} | {_fmt(f.get('value'))} | {_fmt(f.get('baseline'))} "
                f"| {_fmt(f.get('ratio'))} | {_fmt(f.get('target'))} |"
            )
    return "\n".join(lines) + "\n"


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _previous_seconds() -> dict[str, float]:
    """Each bench's duration from the last full merge, kept when only collecting."""
    try:
        last = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {k: float(v.get("seconds") or 0) for k, v in last.get("benchmarks", {}).items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument(
        "--collect", action="store_true", help="merge the results already written, run nothing"
    )
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only]
    merged: dict[str, dict] = {}
    failures = []
    previous = _previous_seconds() if args.collect else {}
    started = time.monotonic()
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        print(f"==> {name}", flush=True)
        if args.collect:
            code, seconds = 0, previous.get(name, 0.0)
        else:
            code, seconds = run(script, args.quick, args.timeout)
            print(f"<== {name}: exit {code} in {seconds:.0f} s", flush=True)
        result_file = RESULTS / f"{name}.json"
        if code != 0 or not result_file.exists():
            failures.append(name)
            merged[name] = {"error": f"exit {code}", "seconds": round(seconds, 1), "figures": []}
            continue
        merged[name] = _normalised(json.loads(result_file.read_text(encoding="utf-8")))
        merged[name]["seconds"] = round(seconds, 1)
    total = sum(float(r.get("seconds") or 0) for r in merged.values())
    out = {
        "generated_at": datetime.now(UTC).isoformat(),
        "quick": args.quick,
        # The wall time of the run (with --collect: the sum of each bench's last run).
        "total_seconds": round(total if args.collect else time.monotonic() - started, 1),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "benchmarks": merged,
    }
    (RESULTS / "latest.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "latest.md").write_text(markdown(merged), encoding="utf-8")
    print(markdown(merged))
    print(f"total: {out['total_seconds']:.0f} s", flush=True)
    if failures:
        print(f"failed: {failures}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
