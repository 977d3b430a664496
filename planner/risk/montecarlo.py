"""Schedule risk: Monte Carlo over three-point estimates, vectorised across iterations.

Each iteration draws every estimated task's duration (BetaPERT by default, or triangular) as a
fraction of a day (see `_work_units`); a task without an estimate keeps its duration. The passes
then run on a whole chunk of iterations at once: the same generation-by-generation kernel as
`schedule`, on (links x iterations) arrays, so the cost is numpy work per generation, not
Python work per iteration. Chunks bound memory on big plans. Finishes are reported to the
nearest whole working day.

Correlation (DOMAIN.md section 6): with `risk.correlation` = rho, a task's percentile comes from
a Gaussian copula z = sqrt(rho) * common + sqrt(1 - rho) * own; rho = 1 puts every task at the
same percentile in an iteration. Same seed, same result.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection

import numpy as np

from planner.core.model import Plan, PlanError, Problem
from planner.core.network import Network, run_passes, sweep2d
from planner.core.schedule import Schedule, Solution, solve
from planner.core.windows import Windows
from planner.limits import MAX_SPAN
from planner.risk.cost_draws import CostDraws
from planner.risk.draws import add_risk_delays, centred, draw_durations, estimates, risk_impacts, worst_delays
from planner.risk.result import PERCENTILES, DeadlineRisk, MilestoneRisk, RiskResult

DISTRIBUTIONS = ("pert", "triangular")
MAX_ITERATIONS = 1_000_000


def _work_units(
    net: Network,
    base: np.ndarray,
    p: np.ndarray,
    est_idx: np.ndarray,
    earliest: np.ndarray,
    inactive: np.ndarray,
    extra: np.ndarray,
) -> tuple[type, int, int]:
    """The passes' integer type, time unit (1/scale day) and bound on their values, in units.

    Durations are drawn as fractions of a day and the passes run in integers of 1/8 to 1/64
    day, exact (criticality compares floats exactly) and in int16 when the values fit (half
    the memory traffic of int32). Rounding each draw to whole days instead would add 1/12 day²
    of variance per task, nearly doubling the spread of a narrow estimate such as (1, 2, 3).
    The plan finish with all pessimistic durations (and every risk firing at its pessimistic
    delay) bounds every iteration's; values stay within
    that plus one task and one lag. An inactive link adds minus the bound to a value, so with
    inactive links the sums need twice the range.
    """
    worst = base.copy()
    worst[est_idx] = np.maximum(worst[est_idx], np.ceil(p).astype(np.int64))
    worst += extra  # risks that fire add their delay
    n = base.size
    if n == 0:
        return np.int16, 64, 64
    limit = 15_000 if inactive.any() else 30_000
    spread = int(worst.max()) + int(np.abs(net.lag).max(initial=0)) + 2
    bound = int(earliest.max()) + int(worst.sum()) + int(np.abs(net.lag).sum()) + spread  # no path is longer
    if bound * 64 >= limit:  # a small plan fits on that alone; a larger one asks the passes
        passes = run_passes(net, worst, earliest, np.full(n, 1 << 40, dtype=np.int64), None, ~inactive)
        bound = passes.finish + spread
    for scale in (64, 32, 16, 8):
        if bound * scale < limit:
            return np.int16, scale, bound * scale
    for scale in (64, 32, 16, 8):  # int32 with room for the sums of two values
        if bound * scale < 1 << 29:
            return np.int32, scale, bound * scale
    return np.int64, 64, bound * 64


def _rank(q: int, n: int) -> int:
    """Where the q-th percentile of n sorted values sits, by numpy's "higher" method."""
    return min(n - 1, math.ceil(q / 100 * (n - 1)))


def _finish_dates(cal, ef: np.ndarray) -> list[dt.date]:
    """The day each early finish (EF, exclusive offset) falls on: working day EF - 1, or day 0."""
    return cal.dates_of(np.maximum(np.asarray(ef, dtype=np.int64) - 1, 0))


class _FinishSamples:
    """Every early finish kept, for small runs where sorting them beats building histograms."""

    def __init__(self, rows: int, iterations: int) -> None:
        self.samples = np.empty((rows, iterations), dtype=np.int32)
        self.total = 0

    def add(self, values: np.ndarray) -> None:
        self.samples[:, self.total : self.total + values.shape[1]] = values
        self.total += values.shape[1]

    def percentiles(self, qs: tuple[int, ...]) -> list[np.ndarray]:
        """Per-task percentiles, numpy's "higher" method."""
        ordered = np.sort(self.samples[:, : self.total], axis=1)
        return [ordered[:, _rank(q, self.total)].astype(np.int64) for q in qs]


SMALL_RUN = 250_000  # tasks x iterations below which finishes are kept and sorted


class _FinishCounts:
    """Per-task histogram of early-finish offsets, filled chunk by chunk.

    Keeping every sample would take tasks x iterations cells (200 MB at 10k x 10k); counts take
    tasks x span, where span is the widest range of one task's finishes, tens of days in practice.
    Each task has its own first bin. Whenever a value falls outside, the layout is rebuilt with a
    task's whole range as headroom on both sides, which the first chunk's range almost always
    covers for the rest of the run. Past `max_cells` the bins double in width and a percentile
    reports its bin's last day, so a freak plan costs at most width - 1 days of pessimism, never
    memory.
    """

    def __init__(self, rows: int, max_cells: int = 4_000_000) -> None:
        self.rows = rows
        self.max_cells = max_cells
        self.width = 1
        self.lo = np.zeros(rows, dtype=np.int64)  # per task, the first day of bin 0
        self.first = np.zeros(rows, dtype=np.int64)  # per task, the earliest finish counted
        self.hi = np.full(rows, -1, dtype=np.int64)  # per task, the latest finish counted
        self.counts = np.zeros((rows, 0), dtype=np.int64)  # bincount's type: adding is a plain add
        self.total = 0

    def _coarsen(self) -> None:
        counts = self.counts
        if counts.shape[1] % 2:
            counts = np.concatenate((counts, np.zeros((self.rows, 1), dtype=counts.dtype)), axis=1)
        self.counts = counts[:, 0::2] + counts[:, 1::2]
        self.width *= 2

    def _relayout(self, v_lo: np.ndarray, v_hi: np.ndarray) -> None:
        """Room for every task's values seen so far plus its range again on either side."""
        first = np.minimum(self.first, v_lo) if self.total else v_lo
        last = np.maximum(self.hi, v_hi) if self.total else v_hi
        room = last - first + 1
        while True:
            w = self.width
            for headroom in (room, 0):
                target = first - headroom
                lo = self.lo - np.maximum(-((target - self.lo) // w), 0) * w if self.total else target
                bins = int(((last + headroom - lo) // w).max()) + 1
                if self.rows * bins <= self.max_cells:
                    break
            if self.rows * bins <= self.max_cells or bins <= 2:
                break
            self._coarsen()
        grown = np.zeros((self.rows, bins), dtype=np.int64)
        if self.total:
            used = (self.hi - self.lo) // w + 1  # occupied bins per task
            r, c = np.nonzero(np.arange(self.counts.shape[1])[None, :] < used[:, None])
            grown[r, c + (self.lo - lo)[r] // w] = self.counts[r, c]
        self.counts, self.lo, self.first = grown, lo, first

    def add(self, values: np.ndarray) -> None:
        """Counts a (tasks x iterations) block of early finishes."""
        if self.rows == 0:
            self.total += values.shape[1]
            return
        v_lo = values.min(axis=1).astype(np.int64)
        v_hi = values.max(axis=1).astype(np.int64)
        bins = self.counts.shape[1]
        if not self.total or (v_lo < self.lo).any() or (v_hi >= self.lo + bins * self.width).any():
            self._relayout(v_lo, v_hi)
            bins = self.counts.shape[1]
        self.hi = np.maximum(self.hi, v_hi)
        self.first = np.minimum(self.first, v_lo)
        offsets = self.lo - (np.arange(self.rows, dtype=np.int64) * bins * self.width)  # row r starts at r x bins
        small = bins * self.rows < 1 << 31 and int(np.abs(offsets).max()) < 1 << 30
        idx = values - offsets.astype(np.int32 if small else np.int64)[:, None]
        if self.width > 1:
            idx //= self.width
        counted = np.bincount(idx.ravel(), minlength=self.rows * bins)
        self.counts += counted.reshape(self.rows, bins)
        self.total += values.shape[1]

    def percentiles(self, qs: tuple[int, ...]) -> list[np.ndarray]:
        """Per-task percentiles, numpy's "higher" method (exact while the bins are one day wide)."""
        n = self.total
        out = [np.zeros(self.rows, dtype=np.int64) for _ in qs]
        if self.total == 0 or self.rows == 0:
            return out
        ranks = [_rank(q, n) for q in qs]
        block = max(1, 1_000_000 // self.counts.shape[1])
        for lo in range(0, self.rows, block):
            cum = np.cumsum(self.counts[lo : lo + block], axis=1, dtype=np.int64)
            for arr, rank in zip(out, ranks, strict=True):
                first = np.argmax(cum > rank, axis=1)
                arr[lo : lo + cum.shape[0]] = self.lo[lo : lo + cum.shape[0]] + first * self.width + self.width - 1
        return out


def _uplifted(ef: np.ndarray, anchor: int, factor: float) -> np.ndarray:
    """EF offsets with the time after `anchor` stretched by 1 + factor (whole days, rounded up)."""
    stretched = anchor + np.ceil((ef - anchor) * (1 + factor) - 1e-9).astype(np.int64)
    return np.where(ef > anchor, stretched, ef)


def _uplift_anchor(plan: Plan, sol: Solution) -> int:
    """Where the reference-class check starts (DESIGN.md: from the contract, G0, on): the end of
    the earliest gate on the schedule (contract signature in the templates, exit invoked in the
    exit), or the status date when that is later; the plan start when there is no gate."""
    cal = sol.calendar
    now = cal.offset_on_or_after(plan.status_date + dt.timedelta(days=1)) if plan.status_date else 0
    gates = [j for j, t in enumerate(plan.tasks) if t.is_gate]
    g0 = int(min(sol.passes.ef[gates])) if gates else 0
    return max(now, g0)


def _milestone_dates(
    plan: Plan, sol: Solution, by_q: dict[int, np.ndarray], anchor: int, factor: float
) -> tuple[MilestoneRisk, ...]:
    """Percentile dates of milestones and gates, on the schedule's date rule: a milestone a
    start drives sits on day ES, not ES - 1 (see `schedule._date_offsets`), in every iteration.
    With an uplift, each one's reference-class date: its most likely date stretched from the
    anchor as the plan finish is."""
    key = np.array([j for j, t in enumerate(plan.tasks) if t.is_key_date], dtype=np.int64)
    if key.size == 0:
        return ()
    cal = sol.calendar
    shift = (sol.passes.ef[key] - 1) - sol.finish_off[key]  # -1 where a start drives the milestone
    dates = {q: _finish_dates(cal, by_q[q][key] - shift) for q in PERCENTILES}
    up = _finish_dates(cal, _uplifted(sol.passes.ef[key], anchor, factor) - shift) if factor else None
    deterministic = cal.dates_of(sol.finish_off[key])
    return tuple(
        MilestoneRisk(
            plan.tasks[j].id,
            plan.tasks[j].name,
            deterministic[i],
            {q: dates[q][i] for q in PERCENTILES},
            up[i] if up is not None else None,
        )
        for i, j in enumerate(key.tolist())
    )


def _held(held: Windows, es: np.ndarray, base: np.ndarray, sweep, scale: int) -> np.ndarray:
    """Each draw's starts with the client gates on a meeting day and the cutovers out of freezes
    (`core.windows`), settled as the schedule settles them; `es` in work units (`scale` a day)."""
    rows = np.concatenate((held.gates, held.cutovers))
    for _ in range(rows.size + 1):
        days = -(-es // scale)  # a start part-way into a day is on the next whole day
        snapped = held.snap(days)
        later = snapped[rows] > days[rows]
        if not later.any():
            break
        base[rows] = np.maximum(base[rows], np.where(later, snapped[rows] * scale, base[rows]).astype(base.dtype))
        es = sweep(base)
    return es


def levels(plan: Plan) -> bool:
    return bool(plan.level) and any(t.uses for t in plan.tasks)


def drawn_plan(plan: Plan, levelled: Schedule | None = None, network: Network | None = None) -> Plan:
    """The plan a run draws on: a plan that levels keeps its levelled order of each resource's
    work in every draw (`resource_order`), so no draw's schedule needs more people than there
    are; any other plan as it is. Made once by a caller that simulates the same plan again."""
    if not levels(plan):
        return plan
    from planner.levelling.levelled import resource_order
    from planner.scheduling import schedule

    return resource_order(
        levelled if levelled is not None and levelled.plan is plan else schedule(plan, network=network)
    )


def _past_span(plan: Plan, reached: int, muted: Collection[str]) -> PlanError:
    """Draws ran past MAX_SPAN: when the pessimistic estimates alone fit, the RAID risks' delays are
    what ran it past, and the largest are named; otherwise the estimates are."""
    risks = [r for r in plan.schedule_risks if r.id not in muted]
    pessimistic = {t.id: int(t.estimate.pessimistic) for t in plan.tasks if t.estimate is not None}
    try:
        within = solve(plan.with_durations(pessimistic)).passes.finish <= MAX_SPAN
    except PlanError:
        within = False
    said = f"drawn durations run the plan to {reached:,} working days, past the limit of {MAX_SPAN:,}"
    if risks and within:
        worst = sorted(risks, key=lambda r: -r.schedule_impact.delay.pessimistic)[:3]  # type: ignore[union-attr]
        named = "; ".join(
            f"{r.id} ({r.title[:60]}: up to {r.schedule_impact.delay.pessimistic:g} working days on "  # type: ignore[union-attr]
            f"{', '.join(r.tasks)})"
            for r in worst
        )
        return PlanError([Problem(f"risk {worst[0].id}", "schedule_impact", f"{said} with the risks' delays: {named}")])
    return PlanError([Problem("simulate", "estimate", f"{said}; check the pessimistic estimates")])


def simulate(
    plan: Plan,
    iterations: int = 10_000,
    seed: int = 1,
    distribution: str = "pert",
    correlation: float | None = None,
    uplift: float | None = None,
    chunk: int | None = None,
    progress=None,
    muted_risks: Collection[str] = (),
    network: Network | None = None,
    levelled: Schedule | None = None,
) -> RiskResult:
    """Monte Carlo of the plan finish; `progress(done, total)` is called after each chunk.
    `muted_risks` names RAID risks that do not fire in this run (to measure what each one costs);
    `network` is the plan's prepared network, when the caller keeps one (`core.network.prepare`);
    `levelled` its levelled schedule, when the plan levels and the caller has it."""
    if levels(plan):
        plan, network = drawn_plan(plan, levelled, network), None
    if distribution not in DISTRIBUTIONS:
        raise PlanError([Problem("simulate", "distribution", f"use one of {', '.join(DISTRIBUTIONS)}")])
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise PlanError([Problem("simulate", "iterations", f"must be from 1 to {MAX_ITERATIONS:,}")])
    spec = plan.risk
    rho = float(correlation if correlation is not None else (spec.correlation if spec else 0.0))
    factor = float(uplift if uplift is not None else (spec.uplift if spec else 0.0))
    if not 0 <= rho <= 1:
        raise PlanError([Problem("simulate", "correlation", "must be between 0 and 1")])
    sol = solve(plan, network=network)
    net, cal = sol.net, sol.calendar
    steps = net.padded
    tasks = plan.tasks
    t_count = len(tasks)
    base = sol.duration.astype(np.int64)
    fixed = sol.fixed if sol.fixed is not None else np.zeros(t_count, dtype=bool)
    est_idx, likely, p, table, written_row = estimates(plan, fixed, distribution)
    p, table, row = centred(base[est_idx], likely, p, table, written_row)
    earliest = np.maximum(sol.earliest, 0)
    inactive = fixed[net.dst]
    has_inactive = bool(inactive.any())
    impacts = risk_impacts(plan, distribution, muted_risks)
    extra = worst_delays(impacts, t_count)
    if sol.windows is not None:
        extra = extra + sol.windows.worst_waits(t_count)
    work, scale, bound = _work_units(net, base, p, est_idx, earliest, inactive, extra)
    shift, half = scale.bit_length() - 1, scale // 2  # units -> nearest whole day: (x + half) >> shift
    earliest = (earliest * scale).astype(work)
    rng = np.random.default_rng(seed)
    quantiles = (np.rint(table * scale).astype(work), row)
    base = (base * scale).astype(work)
    rows = 2 * net.src.size + 6 * t_count  # cells per iteration in the working arrays
    cells = 20_000_000 if work is np.int16 else 10_000_000  # about 40 MB per working array
    chunk = chunk or int(max(8, min(4096, cells // max(rows, 1))))
    finish = np.empty(iterations, dtype=np.int64)
    critical_count = np.zeros(t_count, dtype=np.int64)
    finishes = _FinishSamples(t_count, iterations) if t_count * iterations <= SMALL_RUN else _FinishCounts(t_count)
    a_from: np.ndarray = net.from_finish[:, None].astype(work)
    a_to: np.ndarray = net.to_finish[:, None].astype(work)
    lag: np.ndarray = (net.lag[:, None] * scale).astype(work)
    dl_idx = np.array([j for j, t in enumerate(tasks) if t.deadline is not None], dtype=np.int64)
    dl_cap = np.array([cal.deadline_offset(tasks[j].deadline) for j in dl_idx], dtype=np.int64)[:, None]
    dl_met = np.zeros(dl_idx.size, dtype=np.int64)
    spend = CostDraws(plan, sol, iterations) if plan.costs is not None else None
    done = 0
    while done < iterations:
        n = min(chunk, iterations - done)
        d = draw_durations(rng, base, est_idx, rho, n, quantiles)
        if impacts:
            add_risk_delays(rng, d, impacts, scale)
        c = lag + d[net.src] * a_from - d[net.dst] * a_to
        if has_inactive:
            c[inactive] = -bound  # a link into a started task no longer constrains
        base2d = np.repeat(earliest[:, None], n, axis=1)
        es = sweep2d(net.forward, steps[0], base2d, c)
        if sol.windows is not None:
            es = _held(sol.windows, es, base2d, lambda b, c=c: sweep2d(net.forward, steps[0], b, c), scale)
        ef = es + d
        f = ef.max(axis=0) if t_count else np.zeros(n, dtype=work)
        ls = -sweep2d(net.backward, steps[1], -(f[None, :] - d), c)
        critical_count += (ls - es <= 0).sum(axis=1)
        finish[done : done + n] = (f + half) >> shift
        ef += half
        if dl_idx.size:
            dl_met += ((ef[dl_idx] >> shift) <= dl_cap).sum(axis=1)
        finishes.add(ef >> shift)
        if spend is not None:
            spend.add(done, d, ef >> shift, scale)
        done += n
        if progress is not None:
            progress(done, iterations)
    if t_count and int(finish.max()) > MAX_SPAN:
        raise _past_span(plan, int(finish.max()), muted_risks)
    ordered = np.sort(finish)  # numpy's "higher" percentile method, one sort for all four
    pct = {q: int(ordered[_rank(q, iterations)]) for q in PERCENTILES}

    anchor = _uplift_anchor(plan, sol)
    most_likely = int(sol.passes.finish)
    reference = int(_uplifted(np.array([most_likely]), anchor, factor)[0]) if factor else most_likely
    deadline_p = None
    if plan.deadline:
        cap = cal.deadline_offset(plan.deadline)
        deadline_p = float((finish <= cap).mean())
    by_q = dict(zip(PERCENTILES, finishes.percentiles(PERCENTILES), strict=True))
    p50, p80 = by_q[50], by_q[80]
    finish_dates = dict(zip(PERCENTILES, _finish_dates(cal, np.array([pct[q] for q in PERCENTILES])), strict=True))
    return RiskResult(
        iterations=iterations,
        seed=seed,
        distribution=distribution,
        correlation=rho,
        uplift=factor,
        deterministic_days=sol.passes.finish,
        deterministic_date=sol.finish,
        finish_days=pct,
        finish_dates=finish_dates,
        reference_days=reference,
        reference_date=_finish_dates(cal, np.array([reference]))[0],
        uplift_from=cal.date_of(max(anchor - 1, 0)),
        deadline_probability=deadline_p,
        task_ids=tuple(t.id for t in tasks),
        criticality=critical_count / iterations,
        task_p50=p50,
        task_p80=p80,
        task_p80_dates=tuple(_finish_dates(cal, p80)),
        milestones=_milestone_dates(plan, sol, by_q, anchor, factor),
        cost=spend.result(PERCENTILES) if spend is not None else None,
        finish_samples=finish,
        task_deadlines=tuple(
            DeadlineRisk(tasks[j].id, tasks[j].name, tasks[j].deadline, float(met / iterations))
            for j, met in zip(dl_idx.tolist(), dl_met.tolist(), strict=True)
        ),
    )
