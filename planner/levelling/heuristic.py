"""Resource levelling (DESIGN.md, "Resources and levelling"): start days such that every link and
constraint holds, no task is split, and on every working day each resource's use is within its
capacity, with the plan finish as early as the method can make it.

The method, and why: a serial schedule-generation scheme (SGS) places tasks one by one, in an
order that respects the links, at the earliest day their links allow and their resources are
free for their whole duration. Commercial tools stop there with one priority rule (latest finish
first), about 5% over the optimum on PSPLIB's j30. Here every schedule is then improved by
forward-backward justification (Valls, Ballestín & Quintanilla 2005): right-justify every task in
order of decreasing finish, then left-justify in order of increasing start, as long as the finish
improves, which never makes a schedule worse. Many schedules are drawn (regret-biased sampling on
the latest-finish rule, a fixed seed and a fixed number of draws: same input, same result) and
the best is kept. `planner.levelling.solver` can then improve it with a constraint solver.

Links of every type and lag are start-to-start constraints S(s) >= S(p) + w, with w from the
link type and the two durations (DESIGN.md's inequalities). Started and finished tasks keep their
dates and use capacity; links into them no longer constrain.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from planner.core.model import Plan
from planner.core.network import link_weights
from planner.core.windows import Windows
from planner.limits import MAX_SPAN

EPS = 1e-9
DEFAULT_DRAWS = 64
WORK_BUDGET = 4e8  # resource-days the draws may touch: a plan of long tasks and many resources draws fewer


class SpanExceeded(Exception):
    """A placement ran past MAX_SPAN: the capacities cannot carry the work within the limit."""

    def __init__(self, task: int, end: int):
        super().__init__(task, end)
        self.task, self.end = task, end


@dataclass(frozen=True)
class Instance:
    """A plan as the levelling passes see it: integer days, start-to-start constraints."""

    d: list[int]  # effective durations
    release: list[int]  # earliest start of each task
    preds: list[list[tuple[int, int]]]  # (predecessor, weight) of active links
    succs: list[list[tuple[int, int]]]
    rows: list[np.ndarray]  # resource rows each task uses
    units: list[np.ndarray]  # its units on those rows
    capacity: np.ndarray  # per resource
    fixed: list[int | None]  # start of a task that keeps its dates
    fixed_span: list[tuple[int, int]]  # first and last day a fixed task occupies
    resource_ids: tuple[str, ...]
    lft: list[int]  # latest finish with precedence only (the priority rule)
    rank: list[int]  # each task's place in the natural order of the ids: ties never depend on row order
    held: Windows | None = None  # meetings and freezes a placement must respect (`core.windows`)

    @property
    def size(self) -> int:
        return len(self.d)

    @cached_property
    def uses(self) -> list[bool]:
        """Whether each task is booked on resources (it uses some, for at least a day); the rest
        are placed by their links alone. Read by every serial pass."""
        return [bool(r.size) and dj > 0 for r, dj in zip(self.rows, self.d, strict=True)]


def build(
    plan: Plan,
    net,
    duration: np.ndarray,
    earliest: np.ndarray,
    es: np.ndarray,
    lf: np.ndarray,
    fixed: np.ndarray | None,
    start_off: np.ndarray,
    finish_off: np.ndarray,
    held: Windows | None = None,
) -> Instance:
    """The levelling instance of a solved plan (`planner.core.schedule.solve`'s arrays)."""
    n = len(plan.tasks)
    d = [int(x) for x in duration]
    index = {r.id: k for k, r in enumerate(plan.resources)}
    capacity = np.array([r.capacity for r in plan.resources], dtype=float)
    rows, units = [], []
    for t in plan.tasks:
        pairs = [(index[rid], u) for rid, u in t.uses if rid in index]
        rows.append(np.array([p[0] for p in pairs], dtype=np.int64))
        units.append(np.array([p[1] for p in pairs], dtype=float))
    is_fixed = [bool(fixed[j]) if fixed is not None else False for j in range(n)]
    preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    succs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    weights = link_weights(net, np.asarray(duration)).tolist()
    for p, s, w in zip(net.src.tolist(), net.dst.tolist(), weights, strict=True):
        if is_fixed[s]:
            continue  # a link into a started task no longer constrains
        preds[s].append((p, w))
        succs[p].append((s, w))
    release = [max(int(earliest[j]), 0) for j in range(n)]
    fixed_start = [int(es[j]) if is_fixed[j] else None for j in range(n)]
    span = [(max(int(start_off[j]), 0), int(finish_off[j])) if is_fixed[j] else (0, -1) for j in range(n)]
    return Instance(
        d,
        release,
        preds,
        succs,
        rows,
        units,
        capacity,
        fixed_start,
        span,
        tuple(r.id for r in plan.resources),
        [int(x) for x in lf],
        id_rank([t.id for t in plan.tasks]),
        held,
    )


def id_rank(ids: list[str]) -> list[int]:
    """Each id's place in natural order (W2 before W10), so that a plan whose rows are in another
    order levels to the same dates."""

    def natural(text: str) -> list:
        return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]

    order = sorted(range(len(ids)), key=lambda j: natural(ids[j]))
    rank = [0] * len(ids)
    for place, j in enumerate(order):
        rank[j] = place
    return rank


class _Profile:
    """Free capacity per resource and day; grows when a task is placed beyond it."""

    def __init__(self, inst: Instance, horizon: int):
        self.cap = inst.capacity[:, None]
        self.free = np.repeat(self.cap, max(horizon, 1), axis=1)
        for j, (a, b) in enumerate(inst.fixed_span):
            if b >= a and inst.rows[j].size:
                self.take(inst, j, a, b - a + 1)

    def _grow(self, end: int) -> None:
        size = self.free.shape[1]
        if end > size:
            self.free = np.concatenate([self.free, np.repeat(self.cap, max(end - size, size), axis=1)], axis=1)

    def take(self, inst: Instance, j: int, t: int, d: int) -> None:
        self._grow(t + d)
        rows = inst.rows[j]
        if rows.size == 1:  # most tasks use one resource: a plain slice, not a gathered copy
            self.free[rows[0], t : t + d] -= inst.units[j][0]
        else:
            self.free[rows, t : t + d] -= inst.units[j][:, None]

    def earliest_fit(self, inst: Instance, j: int, t: int) -> int:
        """The first day >= t from which task j's resources are free for its whole duration:
        the first run of `d` days that all fit, searched a stretch at a time. A one-resource task
        that fits at `t` (the common case) is answered from a plain slice, four times quicker."""
        d, rows, need = inst.d[j], inst.rows[j], inst.units[j]
        if d == 0 or rows.size == 0:
            return t
        if rows.size == 1 and t <= MAX_SPAN:
            self._grow(t + d)
            if self.free[rows[0], t : t + d].min() >= need[0] - EPS:
                return t
        stretch = max(4 * d, 32)
        while True:
            if t > MAX_SPAN:
                return t  # no room within the limit: the caller refuses the placement
            self._grow(t + stretch + d)
            fits: np.ndarray = np.asarray((self.free[rows, t : t + stretch + d] >= need[:, None] - EPS).all(axis=0))
            if fits[:d].all():
                return t
            run = np.concatenate(([0], np.cumsum(fits)))
            ok = np.flatnonzero(run[d:] - run[:-d] == d)
            if ok.size:
                return t + int(ok[0])
            t += stretch + 1
            stretch *= 2


def serial(inst: Instance, order_key: list[float], horizon: int) -> list[int]:
    """Serial SGS: repeatedly place the eligible task with the smallest key at the earliest day
    its links and resources allow."""
    n = inst.size
    d, preds, succs, fixed, release = inst.d, inst.preds, inst.succs, inst.fixed, inst.release
    uses = inst.uses
    start = [0] * n
    missing = [len(p) for p in preds]
    heap = [(order_key[j], j) for j in range(n) if missing[j] == 0]
    heapq.heapify(heap)
    prof = _Profile(inst, horizon)
    held = inst.held.holds() if inst.held is not None else frozenset()
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        _, j = pop(heap)
        first = fixed[j]
        if first is not None:
            start[j] = first
        else:
            t = release[j]
            for p, w in preds[j]:
                if start[p] + w > t:
                    t = start[p] + w
            if uses[j]:
                t = prof.earliest_fit(inst, j, t)
            if j in held:
                t = _settled(inst, prof, j, t)
            if t + d[j] > MAX_SPAN:
                raise SpanExceeded(j, t + d[j])  # before the profile grows to hold it
            start[j] = t
            if uses[j]:
                prof.take(inst, j, t, d[j])
        for s, _w in succs[j]:
            missing[s] -= 1
            if missing[s] == 0:
                push(heap, (order_key[s], s))
    return start


def _settled(inst: Instance, prof: _Profile, j: int, t: int) -> int:
    """The first start from `t` that is both an allowed day (a meeting, out of a freeze) and fits
    the resources."""
    assert inst.held is not None
    while True:
        allowed = inst.held.next_start(j, t)
        if allowed == t:
            return t
        t = prof.earliest_fit(inst, j, allowed)


def makespan(inst: Instance, start: list[int]) -> int:
    return max((s + d for s, d in zip(start, inst.d, strict=True)), default=0)


def _reversed(inst: Instance, end: int, start: list[int]) -> Instance:
    """The mirror instance (time runs back from `end`): a forward pass on it right-justifies."""
    n = inst.size
    preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    succs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for s in range(n):
        for p, w in inst.preds[s]:
            w2 = w + inst.d[s] - inst.d[p]
            preds[p].append((s, w2))
            succs[s].append((p, w2))
    fixed = [end - start[j] - inst.d[j] if inst.fixed[j] is not None else None for j in range(n)]
    span = [(end - b - 1, end - a - 1) if b >= a else (0, -1) for a, b in inst.fixed_span]
    span = [(max(a, 0), b) for a, b in span]
    return Instance(
        inst.d,
        [0] * n,
        preds,
        succs,
        inst.rows,
        inst.units,
        inst.capacity,
        fixed,
        span,
        inst.resource_ids,
        inst.lft,
        inst.rank,
    )


def justify(inst: Instance, start: list[int], rounds: int = 8) -> list[int]:
    """Forward-backward improvement: right-justify in order of decreasing finish, left-justify in
    order of increasing start; repeated while the finish improves."""
    best, best_end = start, makespan(inst, start)
    for _ in range(rounds):
        end = best_end
        mirror = _reversed(inst, end, best)
        back = serial(mirror, [-(best[j] + inst.d[j]) + inst.rank[j] * 1e-7 for j in range(inst.size)], end + 1)
        right = [end - back[j] - inst.d[j] for j in range(inst.size)]
        fwd = serial(inst, [right[j] + inst.rank[j] * 1e-7 for j in range(inst.size)], end + 1)
        new_end = makespan(inst, fwd)
        if new_end >= best_end:
            if new_end == best_end:
                best = fwd
            break
        best, best_end = fwd, new_end
    return best


def draws_within_budget(inst: Instance, end: int) -> int:
    """How many draws WORK_BUDGET allows: a draw is about 17 serial passes, each touching every
    resource's profile to `end` and each task's resource-days. Counted, not timed, so the same plan
    always levels the same way on any machine."""
    per_pass = len(inst.capacity) * max(end, 1) + sum(d * r.size for d, r in zip(inst.d, inst.rows, strict=True))
    return int(WORK_BUDGET // (17 * max(per_pass, 1)))


def heuristic(inst: Instance, draws: int = DEFAULT_DRAWS, seed: int = 7, bound: int = 0) -> list[int]:
    """The best of the latest-finish rule and `draws` randomised variants of it, each justified.

    A variant adds noise to each task's latest finish (the rule's key), on a scale that grows
    from half a mean task to a few tasks across the draws, so orders near the rule are tried
    first and bolder ones later. Once a schedule finishes at `bound` (no schedule can finish
    earlier) the draws stop: none could replace it, as only a shorter one does."""
    n = inst.size
    horizon = max(min(sum(inst.d) + max(inst.release, default=0), MAX_SPAN + max(inst.d, default=0)) + 1, 1)
    lft = np.array(inst.lft, dtype=float)
    rank = np.array(inst.rank, dtype=np.int64)
    tie = rank * 1e-6
    best = justify(inst, serial(inst, (lft + tie).tolist(), horizon))
    best_end = makespan(inst, best)
    draws = min(draws, draws_within_budget(inst, best_end))
    rng = np.random.default_rng(seed)
    mean = max(float(np.mean([d for d in inst.d if d > 0] or [1])), 1.0)
    for k in range(draws):
        if best_end <= bound:
            break
        scale = mean * (0.5 + 3.0 * k / max(draws - 1, 1))
        key = lft + rng.random(n)[rank] * scale + tie
        cand = justify(inst, serial(inst, key.tolist(), best_end + 1))
        end = makespan(inst, cand)
        if end < best_end:
            best, best_end = cand, end
    return best
