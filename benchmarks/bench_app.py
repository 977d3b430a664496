"""App benchmark: a full Streamlit rerun after a grid edit, measured with AppTest.

`python benchmarks/bench_app.py [SIZES...]` prints plan size -> first run, rerun after an edit.
Budget: rerun after an edit <= 1 s at 300 tasks on this 2-core machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks.plans import layered_plan_data  # noqa: E402
from planner.core.validate import parse_plan  # noqa: E402
from planner.ui import state  # noqa: E402
from planner.ui.grid import GRID_DELTA  # noqa: E402

BUDGET_S = {300: 1.0}


def bench(n: int, edits: int = 5) -> tuple[float, float]:
    plan = parse_plan(layered_plan_data(n, layer_size=max(5, n // 25)))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[state.PLAN] = plan
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    assert not at.exception, at.exception
    times = []
    for k in range(edits):
        at.session_state[GRID_DELTA] = {"edited_rows": {0: {"duration": 5 + k}}}
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        assert not at.exception, at.exception
        assert at.session_state[state.PLAN].tasks[0].duration == 5 + k
    return first, statistics.median(times)


def main(sizes: list[int]) -> None:
    print("| tasks | first run s | rerun after an edit s |")
    print("|---|---|---|")
    over = []
    for n in sizes:
        first, rerun = bench(n)
        print(f"| {n:,} | {first:.2f} | {rerun:.2f} |", flush=True)
        if n in BUDGET_S and rerun > BUDGET_S[n]:
            over.append(f"{n}: {rerun:.2f} s > {BUDGET_S[n]} s")
    print("\nbudgets: " + ("all met" if not over else "OVER: " + "; ".join(over)))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [50, 300, 2_000])
