"""The prepared link network and the longest-path passes over it (DESIGN.md, "Scheduling rules").

Every link type reduces to one inequality between early starts, ES(S) >= ES(P) + c, with
c = lag + d(P)·[FS or FF] − d(S)·[FF or SF]; the backward pass is the same inequality on late
starts, LS(P) <= LS(S) − c, and a link's slack is ES(S) − ES(P) − c. So one longest-path
kernel serves both passes. networkx supplies the topological generations once per link
structure (`validate.generations`); the passes run over prepared arrays: generation by
generation in numpy when generations are wide, task by task over flat lists when the plan is a
deep, narrow chain (where per-generation numpy calls would cost more than they save). The
Monte Carlo runs the same kernel on (tasks x iterations) arrays (`sweep2d`).

`prepare(plan)` returns the network; the scheduler takes it back (`solve(plan, network)`) for as
long as it `fits` the plan, so a caller that keeps it (the app, per session) reschedules a
duration edit without preparing again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from planner.core.links import FROM_FINISH, LINK_TYPES, TO_FINISH
from planner.core.model import Link, Plan
from planner.core.validate import generations

_KIND = {kind: k for k, kind in enumerate(LINK_TYPES)}
_FROM_FINISH = np.array([FROM_FINISH[kind] for kind in LINK_TYPES], dtype=np.int64)  # c gains d(P)
_TO_FINISH = np.array([TO_FINISH[kind] for kind in LINK_TYPES], dtype=np.int64)  # c loses d(S)
Steps = list[tuple[Any, ...]]
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


Structure = tuple[tuple[str, tuple[Link, ...]], ...]


def structure(plan: Plan) -> Structure:
    """What a prepared network depends on: each task's id and links, in plan order (a duration
    edit shares the links' tuples, so comparing with it is mostly identity checks)."""
    return tuple([(t.id, t.depends_on) for t in plan.tasks])


@dataclass(frozen=True)
class Network:
    """The link structure of a plan, prepared once and reused while links and ids are unchanged."""

    structure: Structure = field(repr=False)
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

    def fits(self, plan: Plan) -> bool:
        """Whether this network was prepared for the ids and links `plan` has."""
        return structure(plan) == self.structure

    @cached_property
    def padded(self) -> tuple[Steps, Steps]:
        """The forward and backward steps of `sweep2d` (the Monte Carlo), built on first use."""
        return _padded(self, self.forward), _padded(self, self.backward)


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
    """Arrays for the passes; raises PlanError when the plan's links are not valid."""
    return _build(plan, generations(plan))


def _build(plan: Plan, layers: list[list[str]]) -> Network:
    ids = tuple(t.id for t in plan.tasks)
    index = {tid: i for i, tid in enumerate(ids)}
    n = len(ids)
    level = np.zeros(n, dtype=np.int64)
    for g, generation in enumerate(layers):
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
    n_levels = len(layers)
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
    return Network(
        structure=structure(plan),
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

    @property
    def critical(self) -> np.ndarray:
        """Critical tasks: total float (LS - ES) <= 0."""
        return self.ls - self.es <= 0


_INACTIVE = np.int64(1) << 40  # weight of a link that no longer constrains (its successor has actuals)


def link_weights(net: Network, duration: np.ndarray) -> np.ndarray:
    """Each link as a start-to-start constraint ES(S) >= ES(P) + w: DESIGN.md's inequalities with
    the two durations folded in (FS: lag + d(P); SS: lag; FF: lag + d(P) - d(S); SF: lag - d(S))."""
    d = duration.astype(np.int64, copy=False)
    return net.lag + d[net.src] * net.from_finish - d[net.dst] * net.to_finish


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
    c = link_weights(net, d)
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
        heads = net.by_src_heads
        # a task whose successors have all started has no binding successor: it floats to the finish
        free[heads] = mins if active is None else np.where(mins >= _INACTIVE // 2, free[heads], mins)
    return Passes(es, ef, ls, lf, free, slack, finish)


MAX_PADDED_DEGREE = 8


def _padded(net: Network, sweep: _Sweep) -> Steps:
    """Per generation, each head's links as a row of a (heads x degree) index matrix, padded with
    the head's own base value: one gather and one max(axis=1) settle the generation for a whole
    chunk of iterations (reduceat along rows is several times slower on 2-D arrays)."""
    out: Steps = []
    zero = net.src.size
    for lo, hi, starts, heads in sweep_groups(sweep):
        counts = np.diff(np.append(starts, hi - lo))
        width = int(counts.max())
        if width > MAX_PADDED_DEGREE:
            out.append(("reduceat", lo, hi, starts, heads))
            continue
        tails = sweep.tail[lo:hi]
        perms = sweep.perm[lo:hi]
        rows = np.repeat(np.arange(starts.size), counts)
        cols = np.arange(hi - lo) - np.repeat(starts, counts)
        t2 = np.repeat(tails[starts][:, None], width, axis=1)  # the virtual base link comes first
        p2 = np.full((starts.size, width), zero, dtype=np.int64)
        t2[rows, cols] = tails
        p2[rows, cols] = perms
        out.append(("padded", t2, p2, heads))
    return out


def sweep2d(sweep: _Sweep, steps: Steps, base: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The longest-path kernel of the passes on (tasks x iterations) arrays."""
    n = base.shape[0]
    val = np.concatenate((base, base), axis=0)
    zero = np.zeros((1, weight.shape[1]), dtype=weight.dtype)
    w_ext = np.concatenate((weight, zero), axis=0)
    w_perm = None
    for step in steps:
        if step[0] == "padded":
            _, t2, p2, heads = step
            val[heads] = (val[t2] + w_ext[p2]).max(axis=1)
        else:
            _, lo, hi, starts, heads = step
            if w_perm is None:
                w_perm = w_ext[sweep.perm]
            val[heads] = np.maximum.reduceat(val[sweep.tail[lo:hi]] + w_perm[lo:hi], starts, axis=0)
    return val[:n]
