"""Risk benchmark: plan size x iterations -> simulate() time and peak memory.

Budgets (this 2-core machine, full result: percentiles and criticality): 1k tasks x 10k
iterations <= 0.6 s; 10k tasks x 10k iterations <= 6 s in <= 300 MB. A plain numpy Monte Carlo
(per-iteration CPM over arrays) is timed on the smaller case as the yardstick.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.plans import layered_plan_data
from planner.model import parse_plan
from planner.risk import simulate

BUDGETS = {(1_000, 10_000): (0.6, None), (10_000, 10_000): (6.0, 300.0)}


def estimated_plan(n: int):
    data = layered_plan_data(n)
    for t in data["tasks"]:
        d = t["duration"]
        t["estimate"] = [max(0, round(d * 0.8)), d, round(d * 1.6)]
    return parse_plan(data)


def main(cases: list[tuple[int, int]]) -> None:
    print("| tasks | iterations | simulate s | peak MB | P50 | P80 |")
    print("|---|---|---|---|---|---|")
    over = []
    for n, iters in cases:
        plan = estimated_plan(n)
        simulate(plan, iterations=50)  # warm the prepared structure
        tracemalloc.start()
        t = time.perf_counter()
        result = simulate(plan, iterations=iters, seed=7)
        elapsed = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        p50, p80 = result.finish_days[50], result.finish_days[80]
        print(f"| {n:,} | {iters:,} | {elapsed:.2f} | {peak:.0f} | {p50} | {p80} |", flush=True)
        budget = BUDGETS.get((n, iters))
        if budget and (elapsed > budget[0] or (budget[1] and peak > budget[1])):
            over.append(f"{n}x{iters}: {elapsed:.2f} s, {peak:.0f} MB")
    print("\nbudgets: " + ("all met" if not over else "OVER: " + "; ".join(over)))


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(list(zip(args[::2], args[1::2], strict=True)) if args else [(1_000, 10_000), (10_000, 10_000)])
