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
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from planner.calendar import WorkCalendar
from planner.model import Link, Plan, structure_of

COLUMNS = (
    "id,name,phase,wave,owner,duration,es,ef,ls,lf,start,finish,total_float,free_float,critical,milestone"
).split(",")
_KIND = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
_FROM_FINISH = np.array([1, 0, 1, 0], dtype=np.int64)  # c gains d(P) for FS, FF
_TO_FINISH = np.array([0, 0, 1, 1], dtype=np.int64)  # c loses d(S) for FF, SF
_STARTS_AT_START = np.array([False, True, False, True])  # SS, SF anchor at a start
_NUMPY_GROUP_COST = 24.0  # microseconds per generation group, measured on the dev machine
_PY_TASK_COST, _PY_LINK_COST = 0.25, 0.12


@dataclass(frozen=True)
class _Sweep:
    """Links arranged for one direction of the longest-path kernel."""

    tail: np.ndarray  # values flow tail -> head
    head: np.ndarray
    perm: np.ndarray  # link index (plan order) of each arranged link
    groups: list[tuple[int, int, np.ndarray, np.ndarray]]  # (lo, hi, segment starts, heads)
    ptr: list[int]  # Python path: CSR over `visit`
    visit: list[int]


@dataclass(frozen=True)
class Network:
    """The link structure of a plan, prepared once and reused while links and ids are unchanged."""

    ids: tuple[str, ...]
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    lag: np.ndarray
    forward: _Sweep
    backward: _Sweep
    has_succ: np.ndarray
    by_src_perm: np.ndarray
    by_src_starts: np.ndarray
    by_src_heads: np.ndarray
    topo_rank: np.ndarray
    use_numpy: bool

    @property
    def size(self) -> int:
        return len(self.ids)


def _sweep(tail: np.ndarray, head: np.ndarray, head_level: np.ndarray, level_order: np.ndarray) -> _Sweep:
    n_levels = int(level_order.max()) + 1 if level_order.size else 0
    key = np.lexsort((head, head_level))
    tail_s, head_s, lev_s = tail[key], head[key], head_level[key]
    groups = []
    if key.size:
        bounds = np.flatnonzero(np.diff(lev_s)) + 1
        edges = np.concatenate(([0], bounds, [key.size]))
        for lo, hi in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
            h = head_s[lo:hi]
            starts = np.concatenate(([0], np.flatnonzero(np.diff(h)) + 1))
            groups.append((lo, hi, starts, h[starts]))
    # Python path: visit heads in level order; ptr marks each head's slice of arranged links.
    visit = head_s[np.concatenate(([0], np.flatnonzero(np.diff(head_s)) + 1))] if key.size else head_s
    counts = np.bincount(head_s, minlength=int(head.max()) + 1 if head.size else 0)
    ptr = np.concatenate(([0], np.cumsum(counts[visit]))) if key.size else np.zeros(1, dtype=np.int64)
    del n_levels
    return _Sweep(tail_s, head_s, key, groups, ptr.tolist(), visit.tolist())


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
    topo_rank = np.zeros(n, dtype=np.int64)
    rank = 0
    for g, generation in enumerate(cache["generations"]):
        for tid in generation:
            level[index[tid]] = g
            topo_rank[index[tid]] = rank
            rank += 1
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
    forward = _sweep(src, dst, level[dst], level)
    backward = _sweep(dst, src, (n_levels - 1) - level[src], level)
    by_src = np.lexsort((dst, src)) if src.size else src
    s_sorted = src[by_src]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(s_sorted)) + 1)) if src.size else src
    has_succ = np.zeros(n, dtype=bool)
    has_succ[src] = True
    groups = len(forward.groups) + len(backward.groups)
    python_cost = 2 * (_PY_TASK_COST * n + _PY_LINK_COST * src.size)
    net = Network(
        ids=ids,
        src=src,
        dst=dst,
        kind=kind,
        lag=lag,
        forward=forward,
        backward=backward,
        has_succ=has_succ,
        by_src_perm=by_src,
        by_src_starts=starts,
        by_src_heads=s_sorted[starts] if src.size else src,
        topo_rank=topo_rank,
        use_numpy=groups * _NUMPY_GROUP_COST < python_cost,
    )
    cache["network"] = net
    return net


def _longest(sweep: _Sweep, base: np.ndarray, weight: np.ndarray, use_numpy: bool) -> np.ndarray:
    """val[h] = max(base[h], max over arranged links (val[tail] + weight)), in sweep order."""
    w = weight[sweep.perm]
    if use_numpy:
        val = base.copy()
        tail, head = sweep.tail, sweep.head
        for lo, hi, starts, heads in sweep.groups:
            cand = val[tail[lo:hi]] + w[lo:hi]
            best = np.maximum.reduceat(cand, starts) if starts.size > 1 else cand.max(keepdims=True)
            val[heads] = np.maximum(val[heads], best)
        del head
        return val
    vals = base.tolist()
    tails = sweep.tail.tolist()
    ws = w.tolist()
    ptr = sweep.ptr
    for i, h in enumerate(sweep.visit):
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


def run_passes(
    net: Network,
    duration: np.ndarray,
    earliest: np.ndarray,
    latest_finish: np.ndarray,
    plan_deadline: int | None,
) -> Passes:
    """Forward and backward passes and floats for given durations and date limits.

    `earliest` is each task's lower bound on ES (0 or its not_before offset); `latest_finish`
    caps LF (a task deadline as k + 1, or a large number).
    """
    d = duration.astype(np.int64, copy=False)
    c = net.lag + d[net.src] * _FROM_FINISH[net.kind] - d[net.dst] * _TO_FINISH[net.kind]
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
    reason: str  # "link", "not_before" or "start"


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
            if j in first_for:
                out[task.id] = Driver(task.id, task.depends_on[int(link_pos[first_for[j]])], "link")
            elif task.not_before is not None and p.es[j] > 0:
                out[task.id] = Driver(task.id, None, "not_before")
            else:
                out[task.id] = Driver(task.id, None, "start")
        return out

    def row(self, task_id: str) -> dict:
        """One task's schedule row as a plain dict."""
        return self.table.loc[self.table["id"] == task_id].iloc[0].to_dict()


def _limits(plan: Plan, cal: WorkCalendar) -> tuple[np.ndarray, np.ndarray, int | None]:
    n = len(plan.tasks)
    earliest = np.zeros(n, dtype=np.int64)
    latest = np.full(n, np.iinfo(np.int64).max // 4, dtype=np.int64)
    for j, t in enumerate(plan.tasks):
        if t.not_before is not None:
            earliest[j] = cal.offset_on_or_after(t.not_before)
        if t.deadline is not None:
            latest[j] = cal.offset_on_or_before(t.deadline) + 1
    plan_deadline = cal.offset_on_or_before(plan.deadline) + 1 if plan.deadline else None
    return earliest, latest, plan_deadline


def _critical_path(net: Network, p: Passes, critical: np.ndarray) -> tuple[str, ...]:
    """Critical tasks joined by zero-slack links, walked back from those that end the plan."""
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
    order = np.lexsort((net.topo_rank[members], p.ef[members], p.es[members]))
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
        start_links = (p.slack == 0) & _STARTS_AT_START[net.kind]
        anchored[net.dst[start_links]] = True
        day = np.where(anchored, p.es, np.maximum(p.es - 1, 0))
        start = np.where(zero, day, start)
        finish = np.where(zero, day, finish)
    return start, finish


def schedule(plan: Plan) -> Schedule:
    """Schedules a validated plan (DESIGN.md rules); raises PlanError if it is not valid."""
    net = prepare(plan)
    cal = plan.work_calendar()
    duration = np.fromiter((t.duration for t in plan.tasks), dtype=np.int64, count=len(plan.tasks))
    earliest, latest, plan_deadline = _limits(plan, cal)
    p = run_passes(net, duration, earliest, latest, plan_deadline)
    total = p.ls - p.es
    critical = total <= 0
    start_off, finish_off = _date_offsets(net, p, duration, earliest)
    tasks = plan.tasks
    table = pd.DataFrame(
        {
            "id": list(net.ids),
            "name": [t.name for t in tasks],
            "phase": [t.phase for t in tasks],
            "wave": pd.array([t.wave for t in tasks], dtype="Int64"),
            "owner": [t.owner or "" for t in tasks],
            "duration": duration,
            "es": p.es,
            "ef": p.ef,
            "ls": p.ls,
            "lf": p.lf,
            "start": cal.iso_of(start_off),
            "finish": cal.iso_of(finish_off),
            "total_float": total,
            "free_float": p.free_float,
            "critical": critical,
            "milestone": np.fromiter((t.is_milestone for t in tasks), dtype=bool, count=len(tasks)),
        },
        columns=COLUMNS,
    )
    last = int(finish_off.max()) if len(tasks) else 0
    return Schedule(
        plan=plan,
        table=table,
        finish=cal.date_of(last),
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
