"""Command-line start time: how long the quick commands take, next to `import pandas` alone.

`python benchmarks/bench_cli.py` prints command -> median wall time of 5 runs (a fresh Python
process each). Budget (this 2-core machine): `templates` and `validate` of a template plan
<= 0.35 s; they import neither pandas, Altair nor SQLAlchemy (tests/test_cli.py checks that).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = {"templates": 0.35, "validate": 0.35}
RUNS = 5


def median_process_seconds(argv: list[str], runs: int = RUNS) -> float:
    """Median wall time of `runs` fresh processes running `argv` from the project root."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "sd.yaml"
        subprocess.run(
            [py, "-m", "planner", "new", "--template", "service-desk", "--holidays", "GB", "-o", str(plan)],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        cases = {
            "python -c 'import pandas' (reference)": [py, "-c", "import pandas"],
            "templates": [py, "-m", "planner", "templates"],
            "validate": [py, "-m", "planner", "validate", str(plan)],
            "new": [py, "-m", "planner", "new", "--template", "ams", "-o", str(Path(tmp) / "new.yaml")],
            "store list": [py, "-m", "planner", "store", "list", "--db", f"sqlite:///{Path(tmp) / 'p.db'}"],
            "schedule (table: pandas)": [py, "-m", "planner", "schedule", str(plan)],
        }
        print(f"| command | median of {RUNS} s |")
        print("|---|---|")
        over = []
        for label, argv in cases.items():
            took = median_process_seconds(argv)
            print(f"| {label} | {took:.2f} |", flush=True)
            if label in BUDGET_S and took > BUDGET_S[label]:
                over.append(f"{label}: {took:.2f} s > {BUDGET_S[label]} s")
    print("\nbudgets: " + ("all met" if not over else "OVER: " + "; ".join(over)))


if __name__ == "__main__":
    main()
