"""Risk benchmark: plan size x iterations -> simulate() time and peak memory.

Budgets (this 2-core machine, full result: percentiles and criticality; the network prepared
once, as the app keeps it): 1k tasks x 10k iterations <= 0.6 s; 10k tasks x 10k iterations <= 6 s
in <= 300 MB. A second table times a
plain numpy Monte Carlo (triangular draws for all iterations at once, then a forward pass task
by task over the iteration vectors: the finish alone) against simulate() on the templates and a
textbook network (a template's levelled order made once, as the app keeps it); simulate must take
at most twice as long. A third times the Monte Carlo of a
plan that levels (300 tasks, 5 resources, 2,000 draws, each within capacity): levelling, the
resource order and the draws together within 2 s.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import datetime as dt

import numpy as np

from benchmarks.plans import layered_plan_data
from planner.core.model import Plan
from planner.core.network import prepare
from planner.core.validate import generations, parse_plan
from planner.generate.build import build_plan
from planner.generate.catalogue import template_names
from planner.risk.montecarlo import drawn_plan, simulate

BUDGETS = {(1_000, 10_000): (0.6, None), (10_000, 10_000): (6.0, 300.0)}
LEVELLED_BUDGET_S = 2.0  # 300 tasks, 5 resources, 2,000 draws


def levelling_plan(n: int = 300, resources: int = 5) -> Plan:
    """A layered plan whose tasks share five teams of 2-4 people, with estimates: it levels."""
    data = layered_plan_data(n, layer_size=max(5, n // 25))
    data["resources"] = [{"id": f"R{k}", "capacity": 2 + k % 3} for k in range(resources)]
    data["level"] = True
    for j, t in enumerate(data["tasks"]):
        d = t["duration"]
        t["estimate"] = [max(0, round(d * 0.8)), d, round(d * 1.6)]
        if d:
            t["uses"] = {f"R{j % resources}": 1 + j % 2}
    return parse_plan(data)


def levelled_run() -> tuple[str, bool]:
    plan = levelling_plan()
    t = time.perf_counter()
    result = simulate(plan, iterations=2_000, seed=7)
    elapsed = time.perf_counter() - t
    row = (
        f"| {len(plan.tasks)} | {len(plan.resources)} | 2,000 | {elapsed:.2f} | "
        f"{result.deterministic_days} | {result.finish_days[50]} | {result.finish_days[80]} |"
    )
    return row, elapsed <= LEVELLED_BUDGET_S


def estimated_plan(n: int):
    data = layered_plan_data(n)
    for t in data["tasks"]:
        d = t["duration"]
        t["estimate"] = [max(0, round(d * 0.8)), d, round(d * 1.6)]
    return parse_plan(data)


def plain_numpy_monte_carlo(plan: Plan, iterations: int, seed: int = 1) -> np.ndarray:
    """The reference: P10/P50/P80/P90 of the finish, every link type, no criticality."""
    rng = np.random.default_rng(seed)
    tasks = plan.tasks
    o, m, p = (
        np.array([getattr(t.estimate, f) for t in tasks], dtype=float) for f in ("optimistic", "likely", "pessimistic")
    )
    d = np.rint(rng.triangular(o[:, None], m[:, None], p[:, None] + 1e-9, size=(len(tasks), iterations)))
    row = {t.id: j for j, t in enumerate(tasks)}
    es = np.zeros_like(d)
    for tid in (tid for generation in generations(plan) for tid in generation):
        j = row[tid]
        for link in tasks[j].depends_on:
            i = row[link.task]
            start = es[i] + (d[i] if link.type in ("FS", "FF") else 0) + link.lag
            np.maximum(es[j], start - (d[j] if link.type in ("FF", "SF") else 0), out=es[j])
    return np.percentile((es + d).max(axis=0), (10, 50, 80, 90))


TEXTBOOK = {  # activity: (optimistic, likely, pessimistic, predecessors)
    "A": (2, 4, 6, ()),
    "B": (3, 5, 9, ()),
    "C": (4, 5, 7, ("A",)),
    "D": (4, 6, 10, ("A",)),
    "E": (4, 5, 7, ("B", "C")),
    "F": (3, 4, 8, ("D",)),
    "G": (3, 5, 8, ("E",)),
}


def textbook_plan() -> Plan:
    tasks = [
        {"id": k, "name": k, "duration": m, "estimate": [o, m, p], "depends_on": list(deps)}
        for k, (o, m, p, deps) in TEXTBOOK.items()
    ]
    return parse_plan({"name": "Textbook PERT", "start": "2027-01-04", "tasks": tasks})


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def against_plain_numpy(iterations: int = 10_000) -> list[str]:
    print("\n| plan | tasks | iterations | plain numpy ms | simulate ms | ratio |\n|---|---|---|---|---|---|")
    over = []
    plans = [(name, build_plan(name, waves=3, start=dt.date(2027, 1, 4))) for name in template_names()]
    plans.append(("textbook (7 tasks)", textbook_plan()))
    plans += [("layered (as above)", estimated_plan(n)) for n in (1_000, 10_000)]
    for name, levelling in plans:
        # the draws' own plan (a template levels: its levelled order, made once), as the app keeps
        # it with its network; the plain loop runs on the same links, so both time the draws alone
        plan = drawn_plan(levelling)
        net = prepare(plan)
        simulate(plan, iterations=50, network=net)
        repeat = 5 if len(plan.tasks) < 1_000 else 3 if len(plan.tasks) < 10_000 else 2
        for iters in (1_000, iterations):
            plain = best_of(lambda p=plan, k=iters: plain_numpy_monte_carlo(p, k), repeat)
            ours = best_of(lambda p=plan, k=iters, n=net: simulate(p, iterations=k, seed=1, network=n), repeat)
            cells = (name, len(plan.tasks), f"{iters:,}", f"{plain * 1000:.1f}", f"{ours * 1000:.1f}")
            print("| " + " | ".join(map(str, cells)) + f" | {ours / plain:.2f} |")
            if ours > 2 * plain:
                over.append(f"{name} x {iters}: {ours / plain:.2f}x plain numpy")
    return over


def main(cases: list[tuple[int, int]], with_reference: bool) -> None:
    print("| tasks | iterations | simulate s | peak MB | P50 | P80 |")
    print("|---|---|---|---|---|---|")
    over = []
    for n, iters in cases:
        plan = estimated_plan(n)
        net = prepare(plan)
        simulate(plan, iterations=50, network=net)
        tracemalloc.start()
        t = time.perf_counter()
        result = simulate(plan, iterations=iters, seed=7, network=net)
        elapsed = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        p50, p80 = result.finish_days[50], result.finish_days[80]
        print(f"| {n:,} | {iters:,} | {elapsed:.2f} | {peak:.0f} | {p50} | {p80} |", flush=True)
        budget = BUDGETS.get((n, iters))
        if budget and (elapsed > budget[0] or (budget[1] and peak > budget[1])):
            over.append(f"{n}x{iters}: {elapsed:.2f} s, {peak:.0f} MB")
    if with_reference:
        over += against_plain_numpy()
        print("\n| tasks | resources | draws | levelled Monte Carlo s | levelled finish | P50 | P80 |")
        print("|---|---|---|---|---|---|---|")
        row, met = levelled_run()
        print(row, flush=True)
        if not met:
            over.append(f"levelled Monte Carlo over {LEVELLED_BUDGET_S} s")
    print("\nbudgets: " + ("all met" if not over else "OVER: " + "; ".join(over)))


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(list(zip(args[::2], args[1::2], strict=True)) if args else [(1_000, 10_000), (10_000, 10_000)], not args)
