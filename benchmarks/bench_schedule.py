"""Scheduling benchmark: plan size -> load, validate, schedule, reschedule time and peak memory.

Run `python benchmarks/bench_schedule.py [SIZES...]`; the README quotes its table. Budgets
(this 2-core machine): schedule() with the plan's prepared network 10k <= 60 ms, 100k <= 0.8 s;
the passes of a duration edit 10k <= 2 ms; load_plan of a 10k-task YAML <= 2.5 s. "prepare" is
what a first schedule adds: checking the links, their generations and the arrays. A plain-Python
CPM pass is timed alongside as the reference schedule() must beat.
"""

from __future__ import annotations

import gc
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.plans import layered_plan_data
from planner import load_plan, parse_plan, schedule
from planner.core.network import prepare, run_passes
from planner.core.validate import generations

BUDGETS_MS = {10_000: {"schedule": 60, "reschedule": 2, "load": 2500}, 100_000: {"schedule": 800}}


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times) if repeat < 5 else statistics.median(times)


def peak_mb(fn: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def plain_python_cpm(plan) -> int:
    """The reference: forward and backward passes over dicts in a precomputed order."""
    order = [tid for gen in generations(plan) for tid in gen]
    dur = {t.id: t.duration for t in plan.tasks}
    preds = {t.id: [(link.task, link.type, link.lag) for link in t.depends_on] for t in plan.tasks}
    succs: dict[str, list] = {tid: [] for tid in dur}
    for tid, ps in preds.items():
        for p, k, lag in ps:
            succs[p].append((tid, k, lag))
    es: dict[str, int] = {}
    for tid in order:
        d = dur[tid]
        v = 0
        for p, k, lag in preds[tid]:
            if k == "FS":
                v = max(v, es[p] + dur[p] + lag)
            elif k == "SS":
                v = max(v, es[p] + lag)
            elif k == "FF":
                v = max(v, es[p] + dur[p] + lag - d)
            else:
                v = max(v, es[p] + lag - d)
        es[tid] = v
    finish = max(es[t] + dur[t] for t in order)
    lf: dict[str, int] = {}
    for tid in reversed(order):
        d = dur[tid]
        v = finish
        for s, k, lag in succs[tid]:
            ls_s = lf[s] - dur[s]
            if k == "FS":
                v = min(v, ls_s - lag)
            elif k == "SS":
                v = min(v, ls_s - lag + d)
            elif k == "FF":
                v = min(v, lf[s] - lag)
            else:
                v = min(v, lf[s] - lag + d)
        lf[tid] = v
    return finish


def bench(n: int) -> dict[str, float]:
    data = layered_plan_data(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.yaml"
        path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False))
        repeat = 3 if n <= 10_000 else 1
        load_ms = best_ms(lambda: load_plan(path), repeat)
        load_peak = peak_mb(lambda: load_plan(path))
        plan = load_plan(path)
    validate_ms = best_ms(lambda: parse_plan(data), repeat)
    prepare_ms = best_ms(lambda: prepare(plan), 3 if n <= 10_000 else 1)
    net = prepare(plan)
    sched_ms = best_ms(lambda: schedule(plan, network=net), 7 if n <= 10_000 else 3)
    sched_peak = peak_mb(lambda: schedule(plan, network=net))
    rng = np.random.default_rng(7)
    durations = rng.integers(0, 15, size=n)
    zero = np.zeros(n, dtype=np.int64)
    far = np.full(n, 10**12, dtype=np.int64)
    passes_ms = best_ms(lambda: run_passes(net, durations, zero, far, None), 9)
    edited = plan.with_durations({plan.tasks[n // 2].id: 20})
    resched_ms = best_ms(lambda: schedule(edited, network=net), 5)
    plain_ms = best_ms(lambda: plain_python_cpm(plan), 3)
    return {
        "tasks": n,
        "links": sum(len(t.depends_on) for t in plan.tasks),
        "load_yaml_ms": load_ms,
        "load_peak_mb": load_peak,
        "validate_ms": validate_ms,
        "schedule_ms": sched_ms,
        "prepare_ms": prepare_ms,
        "schedule_peak_mb": sched_peak,
        "reschedule_passes_ms": passes_ms,
        "reschedule_full_ms": resched_ms,
        "plain_python_cpm_ms": plain_ms,
        "kernel": "numpy" if net.use_numpy else "python",
    }


def main(sizes: list[int]) -> None:
    machine = platform.processor() or platform.machine()
    print(f"# {machine}, {platform.python_implementation()} {platform.python_version()}")
    cols = [
        ("tasks", "tasks", "{:,}"),
        ("links", "links", "{:,}"),
        ("load_yaml_ms", "load YAML ms", "{:.0f}"),
        ("load_peak_mb", "load peak MB", "{:.0f}"),
        ("validate_ms", "validate ms", "{:.0f}"),
        ("prepare_ms", "prepare ms", "{:.0f}"),
        ("schedule_ms", "schedule ms", "{:.1f}"),
        ("schedule_peak_mb", "sched peak MB", "{:.1f}"),
        ("reschedule_passes_ms", "duration edit passes ms", "{:.2f}"),
        ("reschedule_full_ms", "duration edit schedule ms", "{:.1f}"),
        ("plain_python_cpm_ms", "plain-Python CPM ms", "{:.1f}"),
        ("kernel", "kernel", "{}"),
    ]
    print("| " + " | ".join(c[1] for c in cols) + " |")
    print("|" + "---|" * len(cols))
    over = []
    for n in sizes:
        r = bench(n)
        print("| " + " | ".join(fmt.format(r[key]) for key, _, fmt in cols) + " |", flush=True)
        budget = BUDGETS_MS.get(n, {})
        checks = {"schedule": r["schedule_ms"], "reschedule": r["reschedule_passes_ms"], "load": r["load_yaml_ms"]}
        over += [f"{n:,} {k}: {checks[k]:.1f} ms > {v} ms" for k, v in budget.items() if checks[k] > v]
    print("\nbudgets: " + ("all met" if not over else "OVER: " + "; ".join(over)))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000])
