"""A levelled Schedule (DESIGN.md, "Resources and levelling"): the heuristic's starts (planner.levelling.heuristic),
improved by the solver (planner.levelling.solver) when there is time, turned back into a schedule whose
floats, critical path and drivers count the resource links the levelled order implies.

A task that starts later than its links allow waits for a resource: on the day before its start,
some task using that resource ended and freed it (the schedule-generation scheme places every task
at the first day it fits, so such a task always exists). That task becomes its predecessor
(finish-to-start) for the passes, and "why critical" names the resource.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from planner.core.model import Link, Plan
from planner.core.network import Network
from planner.core.schedule import Levelling, Schedule, Solution, solve, table_of
from planner.levelling.heuristic import (
    DEFAULT_DRAWS,
    Instance,
    SpanExceeded,
    build,
    heuristic,
    makespan,
    serial,
)
from planner.limits import MAX_SPAN
from planner.problems import PlanError, Problem

DEFAULT_EXACT = 0.25  # seconds of solver work by default, on plans up to EXACT_MAX_TASKS tasks
EXACT_MAX_TASKS = 400


def _draws(n: int, level_time: float | None) -> int:
    """Heuristic draws: fewer for big plans (each costs more), more when the user buys time."""
    base = max(4, min(DEFAULT_DRAWS, 3000 // max(n, 1)))
    return base if not level_time else base * 4


def resource_bound(inst: Instance) -> int:
    """No schedule finishes before the day each resource's total work fits into its capacity."""
    out = 0
    for r, cap in enumerate(inst.capacity.tolist()):
        work = sum(
            inst.d[j] * float(inst.units[j][inst.rows[j] == r].sum())
            for j in range(inst.size)
            if inst.fixed[j] is None and inst.d[j] and r in inst.rows[j]
        )
        if work:
            first = min(inst.release[j] for j in range(inst.size) if inst.fixed[j] is None and r in inst.rows[j])
            out = max(out, first + math.ceil(work / cap - 1e-9))
    return out


def resource_links(
    plan: Plan, inst: Instance, start: list[int], es: np.ndarray, order: np.ndarray
) -> tuple[list[tuple[int, int, str]], dict[str, tuple[str, str]]]:
    """For each task a resource held back: the tasks that ended on the day before it starts and
    share a resource with it. Returns the links to add (predecessor, successor, resource), taken
    only where they keep the network acyclic (the predecessor comes first in `order`, a
    topological order) and the pair has no link yet, and every wait (successor -> (releasing
    task, resource)) for "why critical"."""
    ends_at: dict[int, list[int]] = {}
    for j in range(inst.size):
        if inst.d[j] and inst.rows[j].size:
            ends_at.setdefault(start[j] + inst.d[j], []).append(j)
    links: list[tuple[int, int, str]] = []
    waits: dict[str, tuple[str, str]] = {}
    for j in range(inst.size):
        if inst.fixed[j] is not None or not inst.rows[j].size or start[j] <= int(es[j]):
            continue
        mine = set(inst.rows[j].tolist())
        linked = {link.task for link in plan.tasks[j].depends_on}
        for i in ends_at.get(start[j], []):
            shared = mine & set(inst.rows[i].tolist())
            if i == j or not shared:
                continue
            resource = inst.resource_ids[min(shared)]
            waits.setdefault(plan.tasks[j].id, (plan.tasks[i].id, resource))
            if plan.tasks[i].id in linked or order[i] < order[j]:
                links.append((i, j, resource))
    return links, waits


def _topological_by_start(net, start: list[int]) -> np.ndarray:
    """Each task's position in a topological order of the links that takes earlier starts first
    (Kahn's algorithm with a heap): a resource link that goes forward in it keeps the network
    acyclic, whatever the link types and leads."""
    import heapq

    n = len(start)
    indegree = np.bincount(net.dst, minlength=n).tolist()
    succ: list[list[int]] = [[] for _ in range(n)]
    for a, b in zip(net.src.tolist(), net.dst.tolist(), strict=True):
        succ[a].append(b)
    heap = [(start[j], j) for j in range(n) if indegree[j] == 0]
    heapq.heapify(heap)
    position = np.empty(n, dtype=np.int64)
    k = 0
    while heap:
        _, j = heapq.heappop(heap)
        position[j] = k
        k += 1
        for s in succ[j]:
            indegree[s] -= 1
            if indegree[s] == 0:
                heapq.heappush(heap, (start[s], s))
    return position


def _with_resource_links(
    plan: Plan, inst: Instance, links: list[tuple[int, int, str]]
) -> tuple[tuple, dict[tuple[str, str], bool]]:
    """The tasks with each resource link as a finish-to-start link. Where the two tasks are already
    linked, the existing link becomes finish-to-start when that is the stronger of the two (the
    levelled schedule meets both), so floats see the wait; otherwise it stays as it is."""
    weight = {(p, s): w for s in range(inst.size) for p, w in inst.preds[s]}
    extra: dict[int, list[Link]] = {}
    stronger: dict[tuple[int, int], bool] = {}
    index = {t.id: k for k, t in enumerate(plan.tasks)}
    for i, j, _ in links:
        if any(link.task == plan.tasks[i].id for link in plan.tasks[j].depends_on):
            stronger[(i, j)] = inst.d[i] > weight.get((i, j), inst.d[i])
        else:
            extra.setdefault(j, []).append(Link(task=plan.tasks[i].id))
    out = []
    for j, t in enumerate(plan.tasks):
        deps = tuple(Link(task=link.task) if stronger.get((index[link.task], j)) else link for link in t.depends_on)
        deps = (*deps, *extra.get(j, ()))
        out.append(t if deps == t.depends_on else t.model_copy(update={"depends_on": deps}))
    made_fs = {(plan.tasks[i].id, plan.tasks[j].id): True for (i, j), yes in stronger.items() if yes}
    return tuple(out), made_fs


def levelled(plan: Plan, level_time: float | None = None, network: Network | None = None) -> Schedule:
    """The levelled schedule: deterministic at the default effort; with `level_time` seconds, the
    heuristic draws more and the solver runs until that much clock time has passed."""
    sol, info, delay = _levelled(plan, level_time, network)
    sched = table_of(plan, sol, info)
    sched.table["level_delay"] = delay
    return sched


def levelled_solution(plan: Plan, level_time: float | None = None, network: Network | None = None) -> Solution:
    """The levelled dates alone, without the schedule's table (for the command line's quick paths)."""
    return _levelled(plan, level_time, network)[0]


def _levelled(plan: Plan, level_time: float | None, network: Network | None) -> tuple[Solution, Levelling, np.ndarray]:
    import time

    began = time.perf_counter()
    sol = solve(plan, network=network)
    p = sol.passes
    inst = build(
        plan, sol.net, sol.duration, sol.earliest, p.es, p.lf, sol.fixed, sol.start_off, sol.finish_off, sol.windows
    )
    bound = max(p.finish, resource_bound(inst))
    try:
        start = heuristic(inst, _draws(inst.size, level_time), bound=bound)
    except SpanExceeded as exc:
        raise _past_span(plan, inst, exc) from None
    optimal = makespan(inst, start) <= bound
    budget = level_time if level_time else (DEFAULT_EXACT if inst.size <= EXACT_MAX_TASKS else 0.0)
    if budget and not optimal:
        from planner.levelling.solver import improve

        wall = None if not level_time else max(level_time - (time.perf_counter() - began) - 0.2, 0.05)
        exact = improve(inst, start, budget, wall=wall)
        # the solver may leave slack tasks anywhere in their window: pull every task back to its
        # earliest day in the solver's order (never later, so never a longer schedule)
        start = serial(
            inst, [s + inst.rank[j] * 1e-7 for j, s in enumerate(exact.start)], makespan(inst, exact.start) + 1
        )
        bound = max(bound, exact.bound)
        optimal = exact.optimal or makespan(inst, start) <= bound
    links, waits = resource_links(plan, inst, start, p.es, _topological_by_start(sol.net, start))
    tasks, made_fs = _with_resource_links(plan, inst, links)
    augmented = plan.model_copy(update={"tasks": tasks})
    # only work that holds people is pinned: the rest (milestones, gates) follows its links, so a
    # milestone keeps the date rule of a finish that drives it
    holds = [inst.fixed[j] is None and bool(inst.rows[j].size) and inst.d[j] > 0 for j in range(inst.size)]
    floor = np.array([start[j] if holds[j] else 0 for j in range(inst.size)], dtype=np.int64)
    levelled_sol = solve(augmented, floor=floor)
    info = Levelling(
        unlevelled_finish=int(p.finish),
        bound=int(bound),
        optimal=bool(optimal),
        links={(plan.tasks[i].id, plan.tasks[j].id): r for i, j, r in links},
        waits=waits,
        strengthened=made_fs,
    )
    delay = np.where(np.array([f is None for f in inst.fixed]), levelled_sol.passes.es - p.es, 0)
    return levelled_sol, info, np.maximum(delay, 0)


def _past_span(plan: Plan, inst: Instance, exc: SpanExceeded) -> PlanError:
    task = plan.tasks[exc.task]
    used = ", ".join(inst.resource_ids[r] for r in inst.rows[exc.task].tolist()) or "its resources"
    return PlanError(
        [
            Problem(
                f"task {task.id}",
                "uses",
                f"levelled, the plan runs past {MAX_SPAN:,} working days (about {MAX_SPAN // 261} years) at this "
                f"task: {used} cannot carry the work in that time; raise the capacity, shorten the work or set "
                "level: false",
            )
        ]
    )


def what_if(
    plan: Plan, resource: str, capacities: Sequence[float], level_time: float | None = None
) -> list[tuple[float, Schedule]]:
    """The levelled schedule at each capacity of one resource: what one more KT lead buys, and the
    least capacity that meets the deadline or the contract end."""
    from planner.core.model import PlanError, Problem

    known = [r.id for r in plan.resources]
    if resource not in known:
        raise PlanError(
            [Problem("what-if", "resource", f"unknown resource {resource!r} (resources: {', '.join(known) or 'none'})")]
        )
    need = max((u for t in plan.tasks for rid, u in t.uses if rid == resource), default=0)
    out = []
    for cap in capacities:
        if cap < need:
            continue  # a task needs more than this: it could never run
        resources = tuple(
            r.model_copy(update={"capacity": float(cap)}) if r.id == resource else r for r in plan.resources
        )
        out.append((cap, levelled(plan.model_copy(update={"resources": resources}), level_time)))
    return out


def _shortest(task) -> int:
    return task.estimate.optimistic if task.estimate is not None else task.duration


def _implied_by_fs(link: Link, pred, succ) -> bool:
    """Whether finish-to-start from `pred` holds `link` too, for any durations a run may draw."""
    if link.type == "FS":
        return link.lag <= 0
    if link.type == "SS":
        return link.lag <= _shortest(pred)
    if link.type == "FF":
        return link.lag <= _shortest(succ)
    return link.lag <= _shortest(pred) + _shortest(succ)


def resource_order(sched: Schedule) -> Plan:
    """The plan with finish-to-start links that hand each resource's units on in the order the
    levelled schedule uses them (a resource-flow network), so any durations drawn for it keep
    every resource within its capacity: what a Monte Carlo of a levelled plan runs on (DESIGN.md,
    "The committed date"). An unlevelled schedule gives its plan back. A pair already linked in
    another way keeps its own link unless finish-to-start implies it, and a hand-on against the
    links' order is left out, so the network stays acyclic (both rare)."""
    plan = sched.plan
    if sched.levelling is None:
        return plan
    es = sched.table["es"].to_numpy(dtype=np.int64)
    ef = sched.table["ef"].to_numpy(dtype=np.int64)
    position = _topological_by_start(sched.network, es.tolist())
    pools: dict[str, list[list[float]]] = {r.id: [[-math.inf, float(r.capacity), -1]] for r in plan.resources}
    handed: dict[int, list[int]] = {}
    for j in sorted(range(len(plan.tasks)), key=lambda k: (es[k], ef[k], k)):
        task = plan.tasks[j]
        if ef[j] <= es[j]:
            continue
        for rid, need in task.uses:
            pool = pools[rid]
            left = float(need)
            for chunk in sorted((c for c in pool if c[0] <= es[j]), key=lambda c: -c[0]):
                if left <= 1e-9:
                    break
                got = min(chunk[1], left)
                holder = int(chunk[2])
                if holder >= 0 and position[holder] < position[j] and holder not in handed.get(j, []):
                    handed.setdefault(j, []).append(holder)
                chunk[1] -= got
                left -= got
                pool.append([float(ef[j]), got, j])
            pool[:] = [c for c in pool if c[1] > 1e-9]
    tasks = list(plan.tasks)
    index = {t.id: k for k, t in enumerate(plan.tasks)}
    for j, holders in handed.items():
        wanted = {plan.tasks[i].id for i in holders}
        deps = tuple(
            Link(task=link.task)
            if link.task in wanted and _implied_by_fs(link, plan.tasks[index[link.task]], tasks[j])
            else link
            for link in tasks[j].depends_on
        )
        linked = {link.task for link in deps}
        deps = (*deps, *(Link(task=t) for t in sorted(wanted - linked, key=index.__getitem__)))
        if deps != tasks[j].depends_on:
            tasks[j] = tasks[j].model_copy(update={"depends_on": deps})
    return plan.model_copy(update={"tasks": tuple(tasks), "level": False})
