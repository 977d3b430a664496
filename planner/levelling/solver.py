"""Levelling with a constraint solver (OR-Tools CP-SAT): the heuristic's schedule as a hint and an
upper bound, then the solver searches for a shorter one and proves a lower bound.

Why a solver at all: priority rules and their improvements stall a few percent above the best
schedules on PSPLIB's larger instances, and only a search that reasons about the whole problem
closes that gap (or proves there is none). CP-SAT is the strongest freely available solver for
this problem. At the default effort it runs single-threaded with a fixed seed and a budget of
deterministic time (its own measure of work, not seconds), so the same input gives the same
schedule on any machine; when a user buys time (`level_time`), it runs on both cores for that
many seconds of clock time.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.levelling.heuristic import Instance, makespan

WORK_PER_SECOND = 0.33  # deterministic-time units per second of budget: about 3 s of wall time per unit here


@dataclass(frozen=True)
class Exact:
    start: list[int]
    bound: int  # no schedule can finish before this day (the solver's proof)
    optimal: bool


def improve(inst: Instance, start: list[int], budget: float, seed: int = 1, wall: float | None = None) -> Exact:
    """A schedule at least as short as `start` and a proven lower bound on the finish: within
    `budget` seconds of deterministic work on one thread (same input, same result), or, when
    `wall` is given (the user bought time with `level_time`), within that many seconds of clock
    time on both cores, which finds better schedules but may differ from run to run."""
    from ortools.sat.python import cp_model

    n = inst.size
    end = makespan(inst, start)
    model = cp_model.CpModel()
    horizon = end
    starts = []
    for j in range(n):
        pinned = inst.fixed[j]
        if pinned is not None:
            starts.append(model.new_constant(pinned))
            continue
        lo = inst.release[j]
        hi = max(horizon - inst.d[j], lo)
        v = model.new_int_var(lo, hi, f"s{j}")
        model.add_hint(v, start[j])
        starts.append(v)
    for s in range(n):
        if inst.fixed[s] is not None:
            continue
        for p, w in inst.preds[s]:
            model.add(starts[s] >= starts[p] + w)
    for r in range(len(inst.capacity)):
        intervals, demands = [], []
        for j in range(n):
            if inst.d[j] == 0:
                continue
            hit = [k for k, row in enumerate(inst.rows[j].tolist()) if row == r]
            if not hit:
                continue
            intervals.append(model.new_fixed_size_interval_var(starts[j], inst.d[j], f"i{j}_{r}"))
            demands.append(inst.units[j][hit[0]])
        if intervals:
            scale = _integer_scale([*demands, inst.capacity[r]])
            model.add_cumulative(intervals, [round(u * scale) for u in demands], round(inst.capacity[r] * scale))
    finish = model.new_int_var(0, horizon, "finish")
    for j in range(n):
        model.add(finish >= starts[j] + inst.d[j])
    model.minimize(finish)
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = seed
    if wall is None:
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = max(budget * WORK_PER_SECOND, 0.01)
    else:
        solver.parameters.num_workers = 2
        solver.parameters.max_time_in_seconds = max(wall, 0.05)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Exact(start, int(solver.best_objective_bound) if status == cp_model.UNKNOWN else 0, False)
    found = [int(solver.value(v)) for v in starts]
    if makespan(inst, found) > end:
        found = start
    return Exact(found, int(solver.best_objective_bound), status == cp_model.OPTIMAL)


def _integer_scale(values: list[float]) -> int:
    """The smallest power of ten that makes every unit count whole (units may be 0.5 people)."""
    scale = 1
    while scale < 1000 and any(abs(v * scale - round(v * scale)) > 1e-9 for v in values):
        scale *= 10
    return scale
