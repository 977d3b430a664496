"""Options side by side: how long 12 template options take (each generated, scheduled and given a
2,000-run simulation), in the library and as `python -m planner compare` from a fresh process.

`python benchmarks/bench_compare.py` prints template -> median seconds of 5 runs. Budget (this
2-core machine, issue 14): the table of 12 options within 1 s, in the app and on the command line.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.compare import options  # noqa: E402
from planner.templates import template_names  # noqa: E402

WAVES, SHARES = (0, 1, 2, 3), (5, 10, 20)
START, CONTRACT_END = dt.date(2027, 1, 4), dt.date(2027, 8, 2)
BUDGET_S = 1.0
RUNS = 5


def _library(name: str) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        options(name, WAVES, SHARES, start=START, contract_end=CONTRACT_END)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _command(name: str) -> float:
    argv = [sys.executable, "-m", "planner", "compare", "--template", name, "--start", START.isoformat()]
    argv += ["--waves", ",".join(map(str, WAVES)), "--pilot-share", ",".join(map(str, SHARES))]
    argv += ["--contract-end", CONTRACT_END.isoformat()]
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    print(f"12 options ({len(WAVES)} wave counts x {len(SHARES)} pilot shares), 2,000 runs each; median of {RUNS}")
    print("| template | library s | `planner compare` s (fresh process) |")
    print("|---|---|---|")
    worst = 0.0
    for name in template_names():
        lib, cmd = _library(name), _command(name)
        worst = max(worst, lib, cmd)
        print(f"| {name} | {lib:.2f} | {cmd:.2f} |")
    print(f"budget {BUDGET_S:.1f} s: {'met' if worst <= BUDGET_S else 'NOT met'} (slowest {worst:.2f} s)")


if __name__ == "__main__":
    main()
