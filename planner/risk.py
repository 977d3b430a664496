"""Schedule risk: Monte Carlo over three-point estimates, vectorised across iterations.

Each iteration draws every estimated task's duration (BetaPERT by default, or triangular) and
rounds it to whole working days; a task without an estimate keeps its duration. The CPM passes
then run on a whole chunk of iterations at once: the same generation-by-generation kernel as
`schedule`, on (links x iterations) arrays, so the cost is numpy work per generation, not
Python work per iteration. Chunks bound memory on big plans.

Correlation (DOMAIN.md section 6): with `risk.correlation` = rho, a task's percentile comes from
a Gaussian copula z = sqrt(rho) * common + sqrt(1 - rho) * own; rho = 1 puts every task at the
same percentile in an iteration. Same seed, same result.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from planner.model import Plan, PlanError, Problem
from planner.schedule import Network, prepare, schedule

PERCENTILES = (10, 50, 80, 90)
DISTRIBUTIONS = ("pert", "triangular")
MAX_ITERATIONS = 1_000_000


@dataclass(frozen=True)
class RiskResult:
    """Monte Carlo result: finish percentiles, criticality and P80 finish per task."""

    iterations: int
    seed: int
    distribution: str
    correlation: float
    uplift: float
    deterministic_days: int
    deterministic_date: dt.date
    finish_days: dict[int, int]  # percentile -> working-day offset of the plan finish (EF, exclusive)
    finish_dates: dict[int, dt.date]
    uplifted_p80_days: int
    uplifted_p80_date: dt.date
    deadline_probability: float | None
    task_ids: tuple[str, ...]
    criticality: np.ndarray
    task_p50: np.ndarray  # EF offsets
    task_p80: np.ndarray
    task_p80_dates: tuple[dt.date, ...]
    finish_samples: np.ndarray  # plan finish offset per iteration (for the histogram and S-curve)

    def to_json(self) -> dict:
        return {
            "iterations": self.iterations,
            "seed": self.seed,
            "distribution": self.distribution,
            "correlation": self.correlation,
            "deterministic": {"days": self.deterministic_days, "date": self.deterministic_date.isoformat()},
            "finish": {
                f"p{p}": {"days": self.finish_days[p], "date": self.finish_dates[p].isoformat()} for p in PERCENTILES
            },
            "uplift": {
                "factor": self.uplift,
                "p80": {"days": self.uplifted_p80_days, "date": self.uplifted_p80_date.isoformat()},
            },
            "deadline_probability": self.deadline_probability,
            "tasks": [
                {"id": tid, "criticality": round(float(c), 4), "finish_p80": d.isoformat()}
                for tid, c, d in zip(self.task_ids, self.criticality, self.task_p80_dates, strict=True)
            ],
        }


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz and Stegun 7.1.26 (error below 1.5e-7): numpy has no erf and scipy is not a dependency."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def _triangular_ppf(u: np.ndarray, o: np.ndarray, m: np.ndarray, p: np.ndarray) -> np.ndarray:
    span = np.where(p > o, p - o, 1.0)
    cut = (m - o) / span
    left = o + np.sqrt(u * span * (m - o))
    right = p - np.sqrt((1.0 - u) * span * (p - m))
    return np.where(p > o, np.where(u < cut, left, right), o)


def _pert_quantiles(
    rng: np.random.Generator, o: np.ndarray, m: np.ndarray, p: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The BetaPERT inverse CDF as a table: k quantiles (of rounded durations) per distinct
    (o, m, p), so a draw is a uniform number and a lookup, and correlated draws use the same table.
    Returns the tables (triples x k) and each estimated task's row in them."""
    triples, inverse = np.unique(np.stack([o, m, p], axis=1), axis=0, return_inverse=True)
    to, tm, tp = triples[:, 0], triples[:, 1], triples[:, 2]
    span = np.where(tp > to, tp - to, 1.0)
    alpha = 1.0 + 4.0 * (tm - to) / span
    beta = 1.0 + 4.0 * (tp - tm) / span
    draws = np.sort(rng.beta(alpha[:, None], beta[:, None], size=(triples.shape[0], 4 * k)), axis=1)
    table = draws[:, 2::4]  # the (i + 0.5) / k quantiles of 4k sorted draws
    table = np.rint(to[:, None] + table * (tp - to)[:, None]).astype(np.int32)  # cast to the run's dtype later
    return table, inverse.ravel().astype(np.int64)


def _durations(
    rng: np.random.Generator,
    base: np.ndarray,
    est_idx: np.ndarray,
    o: np.ndarray,
    m: np.ndarray,
    p: np.ndarray,
    distribution: str,
    rho: float,
    n: int,
    quantiles: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """Durations (tasks x n) for one chunk of iterations, whole working days."""
    d = np.repeat(base[:, None], n, axis=1)
    if est_idx.size == 0:
        return d
    if distribution == "pert" and rho == 0:
        table, row = quantiles
        k = table.shape[1]  # a uniform quantile index is a BetaPERT draw
        idx = rng.integers(0, k, size=(est_idx.size, n), dtype=np.int64)
        idx += (row * k)[:, None]
        d[est_idx] = table.ravel().take(idx)
        return d
    if rho > 0:
        common = rng.standard_normal(n)
        own = rng.standard_normal((est_idx.size, n))
        u = _normal_cdf(math.sqrt(rho) * common[None, :] + math.sqrt(1.0 - rho) * own)
    else:
        u = rng.random((est_idx.size, n))
    if distribution == "triangular":
        x = np.rint(_triangular_ppf(u, o[:, None], m[:, None], p[:, None]))
        d[est_idx] = x.astype(d.dtype)
    else:
        table, row = quantiles
        k = table.shape[1]
        idx = (u * k).astype(np.int64)
        np.minimum(idx, k - 1, out=idx)
        idx += (row * k)[:, None]
        d[est_idx] = table.ravel().take(idx)
    return d


MAX_PADDED_DEGREE = 8


def _padded(net: Network, sweep) -> list[tuple]:
    """Per generation, each head's links as a row of a (heads x degree) index matrix, padded with
    the head's own base value: one gather and one max(axis=1) settle the generation for a whole
    chunk of iterations (reduceat along rows is several times slower on 2-D arrays)."""
    key = id(sweep)
    cache = net.__dict__.setdefault("_risk_padded", {})
    if key in cache:
        return cache[key]
    out = []
    zero = net.src.size
    for lo, hi, starts, heads in sweep.groups:
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
    cache[key] = out
    return out


def _sweep2d(net: Network, sweep, base: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The longest-path kernel of `schedule` on (tasks x iterations) arrays."""
    n = base.shape[0]
    val = np.concatenate((base, base), axis=0)
    zero = np.zeros((1, weight.shape[1]), dtype=weight.dtype)
    w_ext = np.concatenate((weight, zero), axis=0)
    w_perm = None
    for step in _padded(net, sweep):
        if step[0] == "padded":
            _, t2, p2, heads = step
            val[heads] = (val[t2] + w_ext[p2]).max(axis=1)
        else:
            _, lo, hi, starts, heads = step
            if w_perm is None:
                w_perm = w_ext[sweep.perm]
            val[heads] = np.maximum.reduceat(val[sweep.tail[lo:hi]] + w_perm[lo:hi], starts, axis=0)
    return val[:n]


def _work_dtype(net: Network, base: np.ndarray, p: np.ndarray, est_idx: np.ndarray, earliest: np.ndarray) -> type:
    """int16 when every value of the passes fits (half the memory traffic of int32), else int32.

    The plan finish grows with durations on every link type, so the finish with all pessimistic
    durations bounds every iteration; values stay within that plus one task and one lag.
    """
    from planner.schedule import run_passes

    worst = base.copy()
    worst[est_idx] = np.maximum(worst[est_idx], p.astype(np.int64))
    n = base.size
    if n == 0:
        return np.int16
    passes = run_passes(net, worst, earliest, np.full(n, 1 << 40, dtype=np.int64), None)
    bound = passes.finish + int(worst.max()) + int(np.abs(net.lag).max(initial=0)) + 64
    return np.int16 if bound < 30_000 else np.int32


def _row_percentiles(store: np.ndarray, qs: tuple[int, ...], block: int = 256) -> list[np.ndarray]:
    """Per-task percentiles ("higher" method) from per-row counts of the (integer) finish
    offsets: a bincount per block of rows instead of a sort, and small temporaries."""
    n = store.shape[1]
    ranks = [min(n - 1, math.ceil(q / 100 * (n - 1))) for q in qs]
    out = [np.zeros(store.shape[0], dtype=np.int64) for _ in qs]
    lo_v, hi_v = int(store.min()), int(store.max())
    span = hi_v - lo_v + 1
    for lo in range(0, store.shape[0], block):
        rows = store[lo : lo + block]
        flat = (rows.astype(np.int64) - lo_v) + (np.arange(rows.shape[0], dtype=np.int64) * span)[:, None]
        counts = np.bincount(flat.ravel(), minlength=rows.shape[0] * span).reshape(rows.shape[0], span)
        cum = np.cumsum(counts, axis=1)
        for arr, rank in zip(out, ranks, strict=True):
            arr[lo : lo + rows.shape[0]] = lo_v + np.argmax(cum > rank, axis=1)
    return out


def simulate(
    plan: Plan,
    iterations: int = 10_000,
    seed: int = 1,
    distribution: str = "pert",
    correlation: float | None = None,
    uplift: float | None = None,
    chunk: int | None = None,
    progress=None,
) -> RiskResult:
    """Monte Carlo of the plan finish; `progress(done, total)` is called after each chunk."""
    if distribution not in DISTRIBUTIONS:
        raise PlanError([Problem("simulate", "distribution", f"use one of {', '.join(DISTRIBUTIONS)}")])
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise PlanError([Problem("simulate", "iterations", f"must be from 1 to {MAX_ITERATIONS:,}")])
    spec = plan.risk
    rho = float(correlation if correlation is not None else (spec.correlation if spec else 0.0))
    factor = float(uplift if uplift is not None else (spec.uplift if spec else 0.0))
    if not 0 <= rho <= 1:
        raise PlanError([Problem("simulate", "correlation", "must be between 0 and 1")])
    det = schedule(plan)
    net = prepare(plan)
    cal = det.calendar
    tasks = plan.tasks
    t_count = len(tasks)
    base = np.array([t.duration for t in tasks], dtype=np.int64)
    est_idx = np.array([j for j, t in enumerate(tasks) if t.estimate is not None], dtype=np.int64)
    o = np.array([tasks[j].estimate.optimistic for j in est_idx], dtype=float)
    m = np.array([tasks[j].estimate.likely for j in est_idx], dtype=float)
    p = np.array([tasks[j].estimate.pessimistic for j in est_idx], dtype=float)
    earliest = np.zeros(t_count, dtype=np.int64)
    for j, t in enumerate(tasks):
        if t.not_before is not None:
            earliest[j] = max(0, cal.offset_on_or_after(t.not_before))
    work = _work_dtype(net, base, p, est_idx, earliest)
    earliest = earliest.astype(work)
    rng = np.random.default_rng(seed)
    quantiles = _pert_quantiles(rng, o, m, p, 1024) if (distribution == "pert" and o.size) else None
    base = base.astype(work)
    if quantiles is not None:
        quantiles = (quantiles[0].astype(work), quantiles[1])
    rows = 2 * net.src.size + 6 * t_count  # cells per iteration in the working arrays
    cells = 20_000_000 if work is np.int16 else 10_000_000  # about 40 MB per working array
    chunk = chunk or int(max(8, min(4096, cells // max(rows, 1))))
    finish = np.empty(iterations, dtype=np.int64)
    critical_count = np.zeros(t_count, dtype=np.int64)
    ef_store = np.empty((t_count, iterations), dtype=np.uint16 if t_count else np.int64)
    a_from = net.from_finish[:, None].astype(work)
    a_to = net.to_finish[:, None].astype(work)
    lag = net.lag[:, None].astype(work)
    done = 0
    while done < iterations:
        n = min(chunk, iterations - done)
        d = _durations(rng, base, est_idx, o, m, p, distribution, rho, n, quantiles)
        c = lag + d[net.src] * a_from - d[net.dst] * a_to
        es = _sweep2d(net, net.forward, np.repeat(earliest[:, None], n, axis=1), c)
        ef = es + d
        f = ef.max(axis=0) if t_count else np.zeros(n, dtype=work)
        ls = -_sweep2d(net, net.backward, -(f[None, :] - d), c)
        critical_count += (ls - es <= 0).sum(axis=1)
        finish[done : done + n] = f
        ef_store[:, done : done + n] = np.clip(ef, 0, 65535)
        done += n
        if progress is not None:
            progress(done, iterations)
    pct = {q: int(np.percentile(finish, q, method="higher")) for q in PERCENTILES}

    def date_of(days: int) -> dt.date:
        return cal.date_of(max(days - 1, 0))

    up_days = math.ceil(pct[80] * (1 + factor)) if factor else pct[80]
    deadline_p = None
    if plan.deadline:
        cap = cal.offset_on_or_before(plan.deadline) + 1
        deadline_p = float((finish <= cap).mean())
    p50, p80 = _row_percentiles(ef_store, (50, 80)) if t_count else (np.zeros(0), np.zeros(0))
    p80_dates = tuple(date_of(int(v)) for v in p80)  # the day a task's P80 early finish falls on
    return RiskResult(
        iterations=iterations,
        seed=seed,
        distribution=distribution,
        correlation=rho,
        uplift=factor,
        deterministic_days=det.finish_offset,
        deterministic_date=det.finish,
        finish_days=pct,
        finish_dates={q: date_of(v) for q, v in pct.items()},
        uplifted_p80_days=up_days,
        uplifted_p80_date=date_of(up_days),
        deadline_probability=deadline_p,
        task_ids=tuple(t.id for t in tasks),
        criticality=critical_count / iterations,
        task_p50=p50,
        task_p80=p80,
        task_p80_dates=p80_dates,
        finish_samples=finish,
    )
