"""Critical path method exactly as DESIGN.md ("Scheduling rules").

Every link type reduces to one inequality between early starts, ES(S) >= ES(P) + c, with
c = lag + d(P)·[FS or FF] − d(S)·[FF or SF]; the backward pass is the same inequality on late
starts, LS(P) <= LS(S) − c, and a link's slack is ES(S) − ES(P) − c. So one longest-path
kernel serves both passes. networkx supplies the topological generations once per link
structure (cached on the plan); the passes run over prepared arrays: generation by generation
in numpy when generations are wide, task by task over flat lists when the plan is a deep,
narrow chain (where per-generation numpy calls would cost more than they save).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from planner.calendar import WorkCalendar
from planner.limits import MAX_SPAN
from planner.model import Link, Plan, PlanError, Problem, Task, structure_of
from planner.tracking import actual_dates, add_baseline, baseline_of, progress

__all__ = [
    "COLUMNS",
    "Driver",
    "Network",
    "Passes",
    "Schedule",
    "Solution",
    "baseline_of",
    "phase_rows",
    "prepare",
    "schedule",
    "solve",
]

COLUMNS = [
    *("id", "name", "phase", "wave", "owner", "duration", "es", "ef", "ls", "lf"),
    *("start", "finish", "total_float", "free_float", "critical", "milestone"),
]
_KIND = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
_FROM_FINISH = np.array([1, 0, 1, 0], dtype=np.int64)  # c gains d(P) for FS, FF
_TO_FINISH = np.array([0, 0, 1, 1], dtype=np.int64)  # c loses d(S) for FF, SF
_NUMPY_GROUP_COST = 24.0  # microseconds per generation group, measured on the dev machine
_PY_TASK_COST, _PY_LINK_COST = 0.25, 0.12


@dataclass(frozen=True)
class _Sweep:
    """Links arranged for one direction of the longest-path kernel (values flow tail -> head).

    numpy path: per generation, a head's links are contiguous and preceded by a virtual link
    from the head's own base value (index n + head, weight 0), so one gather, one add, one
    `maximum.reduceat` and one scatter settle a whole generation.
    Python path: heads in generation order, each with its slice of real links (CSR).
    """

    perm: np.ndarray  # weight index of each numpy-arranged link (len(c) = the zero weight)
    tail: np.ndarray
    head: np.ndarray  # head of each numpy-arranged link
    level: np.ndarray  # generation of each numpy-arranged link's head
    groups: list[tuple[int, int, np.ndarray, np.ndarray]]  # (lo, hi, segment starts, heads); [] if not built
    py_perm: np.ndarray
    py_tail: list[int]
    py_ptr: list[int]
    py_visit: list[int]


@dataclass(frozen=True)
class Network:
    """The link structure of a plan, prepared once and reused while links and ids are unchanged."""

    ids: tuple[str, ...]
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    lag: np.ndarray
    from_finish: np.ndarray  # 1 where the link's weight gains d(P): FS, FF
    to_finish: np.ndarray  # 1 where it loses d(S): FF, SF
    forward: _Sweep
    backward: _Sweep
    has_succ: np.ndarray
    by_src_perm: np.ndarray
    by_src_starts: np.ndarray
    by_src_heads: np.ndarray
    level: np.ndarray  # topological generation of each task
    use_numpy: bool

    @property
    def size(self) -> int:
        return len(self.ids)


def sweep_groups(sweep: _Sweep) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """Per generation: its slice of the numpy-arranged links, each head's segment starts and the
    heads. Built with the sweep when the numpy kernel is chosen; otherwise on request (the Monte
    Carlo passes always run on numpy), since a deep plan has a generation per task."""
    if sweep.groups or not sweep.head.size:
        return sweep.groups
    return _groups(sweep.head, sweep.level)


def _groups(all_head: np.ndarray, all_level: np.ndarray) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    groups = []
    bounds = np.flatnonzero(np.diff(all_level)) + 1
    edges = np.concatenate(([0], bounds, [all_head.size])).tolist()
    for lo, hi in itertools.pairwise(edges):
        h = all_head[lo:hi]
        starts = np.concatenate(([0], np.flatnonzero(np.diff(h)) + 1))
        groups.append((lo, hi, starts, h[starts]))
    return groups


def _sweep(tail: np.ndarray, head: np.ndarray, head_level: np.ndarray, n: int, build_groups: bool) -> _Sweep:
    m = tail.size
    key = np.lexsort((head, head_level))
    head_s = head[key]
    firsts = np.concatenate(([0], np.flatnonzero(np.diff(head_s)) + 1)) if m else key
    visit = head_s[firsts]
    counts = np.diff(np.concatenate((firsts, [m]))) if m else firsts
    # numpy arrangement: the virtual base link goes first in each head's run.
    v_head = visit
    all_head = np.concatenate((head_s, v_head))
    all_level = np.concatenate((head_level[key], head_level[key][firsts] if m else key))
    all_tail = np.concatenate((tail[key], n + v_head))
    all_perm = np.concatenate((key, np.full(v_head.size, m, dtype=np.int64)))
    is_real = np.concatenate((np.ones(m, dtype=np.int8), np.zeros(v_head.size, dtype=np.int8)))
    order = np.lexsort((is_real, all_head, all_level))
    all_head, all_level, all_tail, all_perm = all_head[order], all_level[order], all_tail[order], all_perm[order]
    groups = _groups(all_head, all_level) if m and build_groups else []
    ptr = np.concatenate(([0], np.cumsum(counts))) if m else np.zeros(1, dtype=np.int64)
    return _Sweep(
        all_perm, all_tail, all_head, all_level, groups, key, tail[key].tolist(), ptr.tolist(), visit.tolist()
    )


def prepare(plan: Plan) -> Network:
    """Arrays for the passes; cached with the plan's structure (see `model.structure_of`)."""
    cache = structure_of(plan)
    net = cache.get("network")
    if net is not None:
        return net
    ids = tuple(t.id for t in plan.tasks)
    index = {tid: i for i, tid in enumerate(ids)}
    n = len(ids)
    level = np.zeros(n, dtype=np.int64)
    for g, generation in enumerate(cache["generations"]):
        for tid in generation:
            level[index[tid]] = g
    src_l, dst_l, kind_l, lag_l = [], [], [], []
    for j, task in enumerate(plan.tasks):
        for link in task.depends_on:
            src_l.append(index[link.task])
            dst_l.append(j)
            kind_l.append(_KIND[link.type])
            lag_l.append(link.lag)
    src = np.array(src_l, dtype=np.int64)
    dst = np.array(dst_l, dtype=np.int64)
    kind = np.array(kind_l, dtype=np.int64)
    lag = np.array(lag_l, dtype=np.int64)
    n_levels = len(cache["generations"])
    # numpy cost grows with generations (a group per generation and direction), Python's with
    # tasks and links; the groups are built only for the kernel that will use them.
    python_cost = 2 * (_PY_TASK_COST * n + _PY_LINK_COST * src.size)
    use_numpy = 2 * max(n_levels - 1, 0) * _NUMPY_GROUP_COST < python_cost
    forward = _sweep(src, dst, level[dst], n, use_numpy)
    backward = _sweep(dst, src, (n_levels - 1) - level[src], n, use_numpy)
    by_src = np.lexsort((dst, src)) if src.size else src
    s_sorted = src[by_src]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(s_sorted)) + 1)) if src.size else src
    has_succ = np.zeros(n, dtype=bool)
    has_succ[src] = True
    net = Network(
        ids=ids,
        src=src,
        dst=dst,
        kind=kind,
        lag=lag,
        from_finish=_FROM_FINISH[kind],
        to_finish=_TO_FINISH[kind],
        forward=forward,
        backward=backward,
        has_succ=has_succ,
        by_src_perm=by_src,
        by_src_starts=starts,
        by_src_heads=s_sorted[starts] if src.size else src,
        level=level,
        use_numpy=use_numpy,
    )
    cache["network"] = net
    return net


def _longest(sweep: _Sweep, base: np.ndarray, weight: np.ndarray, use_numpy: bool) -> np.ndarray:
    """val[h] = max(base[h], max over links into h of val[tail] + weight), in sweep order."""
    n = base.size
    if use_numpy:
        val = np.concatenate((base, base))
        w = np.concatenate((weight, [0]))[sweep.perm]
        tail = sweep.tail
        for lo, hi, starts, heads in sweep_groups(sweep):
            val[heads] = np.maximum.reduceat(val[tail[lo:hi]] + w[lo:hi], starts)
        return val[:n]
    vals = base.tolist()
    tails = sweep.py_tail
    ws = weight[sweep.py_perm].tolist()
    ptr = sweep.py_ptr
    for i, h in enumerate(sweep.py_visit):
        m = vals[h]
        for k in range(ptr[i], ptr[i + 1]):
            x = vals[tails[k]] + ws[k]
            if x > m:
                m = x
        vals[h] = m
    return np.array(vals, dtype=np.int64)


@dataclass(frozen=True)
class Passes:
    """Raw CPM result in working-day offsets, plan order."""

    es: np.ndarray
    ef: np.ndarray
    ls: np.ndarray
    lf: np.ndarray
    free_float: np.ndarray
    slack: np.ndarray  # per link, plan order of links
    finish: int


_INACTIVE = np.int64(1) << 40  # weight of a link that no longer constrains (its successor has actuals)


def run_passes(
    net: Network,
    duration: np.ndarray,
    earliest: np.ndarray,
    latest_finish: np.ndarray,
    plan_deadline: int | None,
    active: np.ndarray | None = None,
) -> Passes:
    """Forward and backward passes and floats for given durations and date limits.

    `earliest` is each task's lower bound on ES (0 or its not_before offset); `latest_finish`
    caps LF (a task deadline as k + 1, or a large number); links where `active` is False (into
    tasks that have actual dates) no longer constrain.
    """
    d = duration.astype(np.int64, copy=False)
    c = net.lag + d[net.src] * net.from_finish - d[net.dst] * net.to_finish
    if active is not None:
        c = np.where(active, c, -_INACTIVE)
    es = _longest(net.forward, np.maximum(earliest, 0), c, net.use_numpy)
    ef = es + d
    finish = int(ef.max()) if ef.size else 0
    cap = np.minimum(latest_finish, finish)
    if plan_deadline is not None:
        cap = np.where(net.has_succ, cap, np.minimum(cap, plan_deadline))
    neg_ls = _longest(net.backward, -(cap - d), c, net.use_numpy)
    ls = -neg_ls
    lf = ls + d
    slack = es[net.dst] - es[net.src] - c
    free = finish - ef
    if slack.size:
        mins = np.minimum.reduceat(slack[net.by_src_perm], net.by_src_starts)
        free[net.by_src_heads] = mins
    return Passes(es, ef, ls, lf, free, slack, finish)


@dataclass(frozen=True)
class Driver:
    """Why a task starts when it does: the binding link, or its not-before date, or day 0."""

    task: str
    link: Link | None
    reason: str  # "link", "not_before", "start", "status_date" or "actual"


@dataclass(frozen=True)
class Schedule:
    """A scheduled plan. `table` has DESIGN.md's schedule columns, one row per task, plan order."""

    plan: Plan
    table: pd.DataFrame
    finish: dt.date
    finish_offset: int
    critical_path: tuple[str, ...]
    calendar: WorkCalendar = field(repr=False)
    network: Network = field(repr=False)
    passes: Passes = field(repr=False)

    @cached_property
    def drivers(self) -> dict[str, Driver]:
        """The driving predecessor of every task (first binding link in its depends_on order)."""
        net, p = self.network, self.passes
        out: dict[str, Driver] = {}
        binding = np.flatnonzero(p.slack == 0)
        first_for: dict[int, int] = {}
        for k in binding.tolist():
            first_for.setdefault(int(net.dst[k]), k)
        link_pos = np.zeros(len(net.dst), dtype=np.int64)
        counters: dict[int, int] = {}
        for k, j in enumerate(net.dst.tolist()):
            link_pos[k] = counters.get(j, 0)
            counters[j] = link_pos[k] + 1
        for j, task in enumerate(self.plan.tasks):
            if task.actual_start is not None:
                out[task.id] = Driver(task.id, None, "actual")
            elif j in first_for:
                out[task.id] = Driver(task.id, task.depends_on[int(link_pos[first_for[j]])], "link")
            elif (
                task.not_before is not None
                and p.es[j] > 0
                and p.es[j] == self.calendar.offset_on_or_after(task.not_before)
            ):
                out[task.id] = Driver(task.id, None, "not_before")
            elif self.plan.status_date is not None and p.es[j] > 0:
                out[task.id] = Driver(task.id, None, "status_date")
            else:
                out[task.id] = Driver(task.id, None, "start")
        return out


@dataclass(frozen=True)
class _Columns:
    """Plan columns that do not change with durations, built once per link structure."""

    tasks: tuple[Task, ...] = field(repr=False)
    explicit_milestone: np.ndarray  # -1 unset, 0 no, 1 yes
    not_before: list[tuple[int, dt.date]]
    deadlines: list[tuple[int, dt.date]]
    started: tuple[int, ...]  # tasks with an actual start

    @cached_property
    def text(self) -> dict[str, pd.api.extensions.ExtensionArray]:
        """id, name, phase, wave, owner for the table (built on first use: Monte Carlo needs none)."""
        tasks = self.tasks
        return {
            "id": pd.array([t.id for t in tasks], dtype="str"),
            "name": pd.array([t.name for t in tasks], dtype="str"),
            "phase": pd.array([t.phase for t in tasks], dtype="str"),
            "wave": pd.array([t.wave for t in tasks], dtype="Int64"),
            "owner": pd.array([t.owner or "" for t in tasks], dtype="str"),
        }


def _columns(plan: Plan) -> _Columns:
    cache = structure_of(plan)
    cols = cache.get("columns")
    if cols is None:
        tasks = plan.tasks
        cols = _Columns(
            tasks=tasks,
            explicit_milestone=np.array(
                [-1 if t.milestone is None else int(t.milestone) for t in tasks], dtype=np.int8
            ),
            not_before=[(j, t.not_before) for j, t in enumerate(tasks) if t.not_before is not None],
            deadlines=[(j, t.deadline) for j, t in enumerate(tasks) if t.deadline is not None],
            started=tuple(j for j, t in enumerate(tasks) if t.actual_start is not None),
        )
        cache["columns"] = cols
    return cols


def _durations(plan: Plan) -> np.ndarray:
    """Durations, cached for the plan's task tuple (a duration edit makes a new tuple)."""
    cache = structure_of(plan)
    hit = cache.get("durations")
    if hit is not None and hit[0] is plan.tasks:
        return hit[1]
    arr = np.fromiter((t.duration for t in plan.tasks), dtype=np.int64, count=len(plan.tasks))
    arr.flags.writeable = False
    cache["durations"] = (plan.tasks, arr)
    return arr


_ISO_CACHE: dict[int, tuple[np.ndarray, pd.api.extensions.ExtensionArray]] = {}


def _iso(cal: WorkCalendar, offsets: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """ISO date strings as a pandas string array, taken from a per-calendar table."""
    table, origin = cal.iso_table(int(offsets.min()) if offsets.size else 0, int(offsets.max()) if offsets.size else 0)
    hit = _ISO_CACHE.get(id(table))
    if hit is None or hit[0] is not table:
        if len(_ISO_CACHE) > 64:
            _ISO_CACHE.clear()
        hit = (table, pd.array(table, dtype="str"))
        _ISO_CACHE[id(table)] = hit
    return hit[1].take(offsets + origin)


def _limits(plan: Plan, cols: _Columns, cal: WorkCalendar) -> tuple[np.ndarray, np.ndarray, int | None]:
    n = len(plan.tasks)
    earliest = np.zeros(n, dtype=np.int64)
    latest = np.full(n, np.iinfo(np.int64).max // 4, dtype=np.int64)
    for j, day in cols.not_before:
        earliest[j] = cal.offset_on_or_after(day)
    for j, day in cols.deadlines:
        latest[j] = cal.offset_on_or_before(day) + 1
    plan_deadline = cal.offset_on_or_before(plan.deadline) + 1 if plan.deadline else None
    return earliest, latest, plan_deadline


def _critical_path(net: Network, p: Passes, critical: np.ndarray) -> tuple[str, ...]:
    """Critical tasks joined by zero-slack links, walked back from those that end the plan;
    listed in link order (topological generation), then by start."""
    on_path = critical & (p.ef == p.finish)
    frontier = np.flatnonzero(on_path)
    link_ok = (p.slack == 0) & critical[net.src] & critical[net.dst]
    preds: dict[int, list[int]] = {}
    for s, t in zip(net.src[link_ok].tolist(), net.dst[link_ok].tolist(), strict=True):
        preds.setdefault(t, []).append(s)
    stack = frontier.tolist()
    while stack:
        j = stack.pop()
        for s in preds.get(j, ()):
            if not on_path[s]:
                on_path[s] = True
                stack.append(s)
    members = np.flatnonzero(on_path)
    order = np.lexsort((members, p.es[members], net.level[members]))
    return tuple(net.ids[j] for j in members[order].tolist())


def _date_offsets(net: Network, p: Passes, duration: np.ndarray, earliest: np.ndarray):
    """Start and finish day of each task; see DESIGN.md for milestones.

    A milestone sits at the end of the day before ES when a finish drives it (FS or FF link),
    and on day ES when a start drives it (SS or SF link, its not-before date, or day 0),
    which is where Microsoft Project puts it.
    """
    start = p.es.copy()
    finish = p.ef - 1
    zero = duration == 0
    if zero.any():
        anchored = (p.es == 0) | (earliest == p.es)
        start_links = (p.slack == 0) & (net.from_finish == 0)  # SS, SF anchor at a start
        anchored[net.dst[start_links]] = True
        day = np.where(anchored, p.es, np.maximum(p.es - 1, 0))
        start = np.where(zero, day, start)
        finish = np.where(zero, day, finish)
    return start, finish


def warm(plan: Plan) -> Plan:
    """Prepares everything `schedule` reuses for this plan (done when a plan file is loaded)."""
    prepare(plan)
    _ = _columns(plan).text
    _durations(plan)
    return plan


@dataclass(frozen=True)
class Solution:
    """The schedule's arrays without the table: what Monte Carlo starts from.

    `duration` is the effective duration (actual or remaining work for tracked tasks), `earliest`
    each task's lower bound on ES (not-before, status date, actual start), `fixed` the tasks whose
    start is an actual one; links into them no longer constrain.
    """

    net: Network
    calendar: WorkCalendar
    duration: np.ndarray
    earliest: np.ndarray
    fixed: np.ndarray | None
    passes: Passes
    start_off: np.ndarray
    finish_off: np.ndarray

    @property
    def finish(self) -> dt.date:
        return self.calendar.date_of(int(self.finish_off.max()) if self.finish_off.size else 0)


def _check_span(plan: Plan, p: Passes) -> None:
    """Refuses a schedule longer than MAX_SPAN working days before any date is computed, so no
    calendar table grows to fit it (limits.py)."""
    if p.finish > MAX_SPAN:
        last = plan.tasks[int(np.argmax(p.ef))]
        raise PlanError(
            [
                Problem(
                    f"task {last.id}",
                    "finish",
                    f"the schedule runs {p.finish:,} working days to this task; a plan may run at most "
                    f"{MAX_SPAN:,} (about {MAX_SPAN // 261} years)",
                )
            ]
        )


def solve(plan: Plan) -> Solution:
    """CPM over the prepared structure, progress included (DESIGN.md); raises PlanError if invalid."""
    net = prepare(plan)
    cols = _columns(plan)
    cal = plan.work_calendar()
    duration = _durations(plan)
    earliest, latest, plan_deadline = _limits(plan, cols, cal)
    tracked = progress(plan, cal, duration, earliest, cols.started)
    effective, fixed = (duration, None) if tracked is None else tracked
    p = run_passes(net, effective, earliest, latest, plan_deadline, None if fixed is None else ~fixed[net.dst])
    _check_span(plan, p)
    start_off, finish_off = _date_offsets(net, p, effective, earliest)
    if tracked is not None:
        start_off, finish_off = actual_dates(plan, cal, start_off, finish_off, cols.started)
    return Solution(net, cal, effective, earliest, fixed, p, start_off, finish_off)


def schedule(plan: Plan) -> Schedule:
    """Schedules a validated plan (DESIGN.md rules); raises PlanError if it is not valid."""
    sol = solve(plan)
    net, cal, p, start_off, finish_off = sol.net, sol.calendar, sol.passes, sol.start_off, sol.finish_off
    cols = _columns(plan)
    duration = _durations(plan)
    total = p.ls - p.es
    critical = total <= 0
    explicit = cols.explicit_milestone
    milestone = np.where(explicit >= 0, explicit == 1, duration == 0)
    # copy=False skips pandas' block consolidation (most of the cost at 10k tasks); arrays the
    # table must not share with the cache or with `passes` are copied here, cheaply.
    table = pd.DataFrame(
        {
            **{k: v.copy() for k, v in cols.text.items()},
            "duration": duration.copy(),
            "es": p.es.copy(),
            "ef": p.ef.copy(),
            "ls": p.ls.copy(),
            "lf": p.lf.copy(),
            "start": _iso(cal, start_off),
            "finish": _iso(cal, finish_off),
            "total_float": total,
            "free_float": p.free_float.copy(),
            "critical": critical,
            "milestone": milestone,
        },
        copy=False,
    )
    if plan.baseline is not None:
        add_baseline(table, plan, cal, finish_off)
    return Schedule(
        plan=plan,
        table=table,
        finish=sol.finish,
        finish_offset=p.finish,
        critical_path=_critical_path(net, p, critical),
        calendar=cal,
        network=net,
        passes=p,
    )


def phase_rows(sched: Schedule) -> pd.DataFrame:
    """One row per phase in order of first appearance: earliest start to latest finish."""
    t = sched.table
    if t.empty:
        return pd.DataFrame(columns=["phase", "start", "finish", "tasks", "critical"])
    grouped = t.groupby("phase", sort=False)
    return pd.DataFrame(
        {
            "phase": list(grouped.groups),
            "start": grouped["start"].min().to_numpy(),
            "finish": grouped["finish"].max().to_numpy(),
            "tasks": grouped.size().to_numpy(),
            "critical": grouped["critical"].any().to_numpy(),
        }
    )
