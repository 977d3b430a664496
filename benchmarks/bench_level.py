"""Levelling quality and speed on the PSPLIB sample (../shared/benchmarks/psplib), as DESIGN.md maps
an instance onto a plan, and on a 2,000-task plan with 10 resources.

`python benchmarks/bench_level.py [default|10] [j30|j120|big]...` prints, per set and effort, the
mean and worst gap to the reference makespan (j30: proven optima; j120: best known) and the mean
and worst seconds per instance, each schedule checked for feasibility by the test suite's
independent checker. Budgets (issue 15, this 2-core machine): default effort <= 0.5% on j30,
<= 8% on j120, <= 1 s per instance; level_time=10: <= 0.1% on j30, <= 4% on j120; the 2,000-task
plan levels in <= 5 s at the default effort.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.plans import layered_plan_data  # noqa: E402
from benchmarks.psplib import instances  # noqa: E402
from planner.core.validate import parse_plan  # noqa: E402
from planner.scheduling import schedule  # noqa: E402
from tests.test_level import violations  # noqa: E402

BUDGET = {("j30", "default"): 0.005, ("j120", "default"): 0.08, ("j30", "10"): 0.001, ("j120", "10"): 0.04}


def run_set(kind: str, effort: str) -> str:
    level_time = None if effort == "default" else float(effort)
    gaps, times = [], []
    for name, data, reference in instances(kind):
        plan = parse_plan(data)
        t = time.perf_counter()
        sched = schedule(plan, level=True, level_time=level_time)
        times.append(time.perf_counter() - t)
        bad = violations(data, sched.table)
        if bad:
            raise AssertionError(f"{name}: {bad[:3]}")
        gaps.append((sched.finish_offset - reference) / reference)
    mean = statistics.mean(gaps)
    verdict = "met" if mean <= BUDGET[(kind, effort)] else "NOT met"
    return (
        f"| {kind} ({len(gaps)}) | {effort} | {100 * mean:.2f}% | {100 * max(gaps):.1f}% | "
        f"{statistics.mean(times):.2f} | {max(times):.2f} | {verdict} |"
    )


def big_plan() -> str:
    data = layered_plan_data(2000, layer_size=40)
    data["resources"] = [{"id": f"R{k}", "capacity": 3 + k % 4} for k in range(10)]
    for j, task in enumerate(data["tasks"]):
        if task["duration"]:
            task["uses"] = {f"R{j % 10}": 1 + j % 3, f"R{(j * 7) % 10}": 1} if j % 7 else {f"R{j % 10}": 2}
    data["calendar"] = {"weekend": []}
    plan = parse_plan(data)
    t = time.perf_counter()
    sched = schedule(plan, level=True)
    seconds = time.perf_counter() - t
    bad = violations(data, sched.table)
    if bad:
        raise AssertionError(bad[:3])
    info = sched.levelling
    verdict = "met" if seconds <= 5 else "NOT met"
    return (
        f"2,000 tasks, 10 resources: levelled in {seconds:.2f} s ({verdict}); finish {sched.finish_offset} "
        f"working days against {info.unlevelled_finish} unlevelled and a lower bound of {info.bound}"
    )


def main(args: list[str]) -> None:
    efforts = [a for a in args if a in ("default", "10")] or ["default", "10"]
    sets = [a for a in args if a in ("j30", "j120", "big")] or ["j30", "j120", "big"]
    print("| set | effort | mean gap | worst gap | mean s | worst s | budget |")
    print("|---|---|---|---|---|---|---|")
    for effort in efforts:
        for kind in sets:
            if kind != "big":
                print(run_set(kind, effort), flush=True)
    if "big" in sets:
        print(big_plan())


if __name__ == "__main__":
    main(sys.argv[1:])
