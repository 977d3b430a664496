"""Duration draws for the Monte Carlo: three-point estimates as quantile tables, and draws
that are independent or tied by a common factor (DOMAIN.md section 6).

A draw is an index into a task's row of QUANTILES midpoint quantiles, so one table lookup
replaces evaluating a distribution, and correlated draws index the same rows. Durations come
out as fractions of a day, in the run's integer units (`risk._work_units`).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from functools import lru_cache
from typing import Any

import numpy as np

from planner.core.model import Plan


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz and Stegun 7.1.26 (error below 1.5e-7): numpy has no erf and scipy is not a dependency."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def _triangular_ppf(u: np.ndarray, o: float, m: float, p: float) -> np.ndarray:
    cut = (m - o) / (p - o)
    left = o + np.sqrt(u * (p - o) * (m - o))
    right = p - np.sqrt((1.0 - u) * (p - o) * (p - m))
    return np.where(u < cut, left, right)


def _pert_ppf(u: np.ndarray, o: float, m: float, p: float) -> np.ndarray:
    """BetaPERT inverse CDF by inverting the Beta CDF integrated on a fine grid (the shape
    parameters are between 1 and 5, so the density is bounded and the trapezoid rule is ample)."""
    alpha = 1.0 + 4.0 * (m - o) / (p - o)
    beta = 1.0 + 4.0 * (p - m) / (p - o)
    x = np.linspace(0.0, 1.0, 16_385)
    pdf = x ** (alpha - 1.0) * (1.0 - x) ** (beta - 1.0)
    cdf = np.concatenate(([0.0], np.cumsum((pdf[1:] + pdf[:-1]) * 0.5)))
    return o + (p - o) * np.interp(u, cdf / cdf[-1], x)


QUANTILES = 1024  # draws are quantile indices: (i + 0.5) / QUANTILES


@lru_cache(maxsize=1024)  # 8 KB a row
def _quantile_row(o: float, m: float, p: float, distribution: str) -> np.ndarray:
    """A task's duration in days at each of the QUANTILES midpoint quantiles: a uniform index
    into this row is a draw, and correlated draws index the same row."""
    if p <= o:
        row = np.full(QUANTILES, o, dtype=float)
    else:
        u = (np.arange(QUANTILES) + 0.5) / QUANTILES
        row = (_triangular_ppf if distribution == "triangular" else _pert_ppf)(u, o, m, p)
    row.flags.writeable = False
    return row


def _quantile_table(o: np.ndarray, m: np.ndarray, p: np.ndarray, distribution: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows for the distinct estimates (triples x QUANTILES) and each estimated task's row."""
    scale = int(p.max()) + 1  # estimates are whole days: one integer key per triple
    if scale < 1 << 20:
        key = (o.astype(np.int64) * scale + m.astype(np.int64)) * scale + p.astype(np.int64)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(np.stack([o, m, p], axis=1), axis=0, return_index=True, return_inverse=True)
    table = np.stack([_quantile_row(float(o[j]), float(m[j]), float(p[j]), distribution) for j in first.tolist()])
    return table, inverse.ravel().astype(np.int64)


_NORMAL_LEVELS = 4096  # a task's own normal draw, as one of this many equiprobable levels
_Z_STEPS, _Z_MAX = 2048, 6.0  # the normal -> quantile index table: steps per sigma, range


def _normal_tables() -> tuple[np.ndarray, np.ndarray]:
    grid = np.linspace(-_Z_MAX, _Z_MAX, int(2 * _Z_MAX * _Z_STEPS) + 1)
    cdf = _normal_cdf(grid)
    scores = np.interp((np.arange(_NORMAL_LEVELS) + 0.5) / _NORMAL_LEVELS, cdf, grid)
    mids = grid[:-1] + 0.5 / _Z_STEPS
    to_quantile = np.minimum((_normal_cdf(mids) * QUANTILES).astype(np.int64), QUANTILES - 1)
    return scores, to_quantile


_NORMAL_SCORES, _Z_TO_QUANTILE = _normal_tables()


def _quantile_indices(rng: np.random.Generator, rows: int, n: int, rho: float) -> np.ndarray:
    """Quantile indices (rows x n) for one chunk: uniform, or through a Gaussian copula with a
    common factor, z = sqrt(rho) * common + sqrt(1 - rho) * own. Tables replace erf and the
    normal generator: own z is one of 4096 equiprobable normal scores, and z maps to a quantile
    index through a table 1/2048 sigma fine (finer than the 1/1024 quantile steps)."""
    if rho == 0:
        return rng.integers(0, QUANTILES, size=(rows, n), dtype=np.int64)
    common = rng.standard_normal(n) * (math.sqrt(rho) * _Z_STEPS) + _Z_MAX * _Z_STEPS
    own = _NORMAL_SCORES.take(rng.integers(0, _NORMAL_LEVELS, size=(rows, n), dtype=np.int16))
    own *= math.sqrt(1.0 - rho) * _Z_STEPS
    own += common[None, :]
    cell = own.astype(np.int64)
    np.clip(cell, 0, _Z_TO_QUANTILE.size - 1, out=cell)
    return _Z_TO_QUANTILE.take(cell)


def draw_durations(
    rng: np.random.Generator,
    base: np.ndarray,
    est_idx: np.ndarray,
    rho: float,
    n: int,
    quantiles: tuple[np.ndarray, np.ndarray | None],
) -> np.ndarray:
    """Durations (tasks x n) for one chunk of iterations, in the run's units (`_work_units`)."""
    d = np.repeat(base[:, None], n, axis=1)
    table, row = quantiles
    if est_idx.size == 0 or row is None:
        return d
    idx = _quantile_indices(rng, est_idx.size, n, rho)
    idx += (row * QUANTILES)[:, None]
    d[est_idx] = table.ravel().take(idx)
    return d


def estimates(plan: Plan, fixed: np.ndarray, distribution: str) -> tuple[Any, ...]:
    """The estimated tasks still ahead, their likely and pessimistic values and the quantile
    table of their estimates as written (and each task's row in it). Started tasks keep their
    actual or remaining duration; the rest of the plan is uncertain."""
    tasks = plan.tasks
    est_idx = np.array([j for j, t in enumerate(tasks) if t.estimate is not None and not fixed[j]], dtype=np.int64)
    o = np.array([tasks[j].estimate.optimistic for j in est_idx], dtype=float)
    m = np.array([tasks[j].estimate.likely for j in est_idx], dtype=float)
    p = np.array([tasks[j].estimate.pessimistic for j in est_idx], dtype=float)
    table, row = _quantile_table(o, m, p, distribution) if o.size else (np.zeros((0, QUANTILES)), None)
    return est_idx, m, p, table, row


def centred(
    duration: np.ndarray, likely: np.ndarray, p: np.ndarray, table: np.ndarray, row: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The estimates re-centred on the plan: a task's duration is its most likely value, so when
    it differs from the estimate's likely value (the duration was edited) the draws scale by
    duration / likely, keeping the estimate's shape and relative spread. An estimate whose likely
    value is 0 cannot be scaled and is shifted by the duration instead. Tasks that need it get
    rows of their own appended to the table; the rest share the rows as written."""
    moved = np.flatnonzero(duration != likely)
    if moved.size == 0 or row is None:
        return p, table, row
    own = table[row[moved]]
    m = likely[moved]
    d = duration[moved].astype(float)
    scalable = m > 0
    factor = np.where(scalable, d / np.where(scalable, m, 1.0), 1.0)
    own = np.where(scalable[:, None], own * factor[:, None], own + d[:, None])
    row = row.copy()
    row[moved] = table.shape[0] + np.arange(moved.size)
    p = p.copy()
    p[moved] = np.where(scalable, p[moved] * factor, p[moved] + d)
    return p, np.concatenate((table, own)), row


Impact = tuple[np.ndarray, float, np.ndarray]  # tasks delayed, probability, delay quantile row


def risk_impacts(plan: Plan, distribution: str, muted: Collection[str] = ()) -> list[Impact]:
    """The open risks with a schedule impact (DESIGN.md): the plan positions of the tasks each
    delays (those not finished yet), its probability and its delay's quantile row. A muted risk
    keeps its place with probability 0, so it draws the same random numbers and never fires: the
    other risks and tasks then draw exactly what they drew with it (see `risk_drivers`)."""
    position = {t.id: j for j, t in enumerate(plan.tasks)}
    out = []
    for item in plan.schedule_risks:
        impact = item.schedule_impact
        assert impact is not None
        idx = [position[t] for t in item.tasks if plan.tasks[position[t]].actual_finish is None]
        if not idx:
            continue
        e = impact.delay
        row = _quantile_row(float(e.optimistic), float(e.likely), float(e.pessimistic), distribution)
        chance = 0.0 if item.id in muted else impact.probability
        out.append((np.array(idx, dtype=np.int64), chance, row))
    return out


def add_risk_delays(rng: np.random.Generator, d: np.ndarray, impacts: list[Impact], scale: int) -> None:
    """Adds, in place, each risk's delay (in the run's units) to its tasks in the iterations where
    it fires; the same delay hits every task the risk names in that iteration."""
    n = d.shape[1]
    for idx, probability, row in impacts:
        fires = rng.random(n) < probability
        delay = np.rint(row[rng.integers(0, QUANTILES, size=n)] * scale).astype(d.dtype)
        d[idx] += np.where(fires, delay, 0).astype(d.dtype)[None, :]


def worst_delays(impacts: list[Impact], tasks: int) -> np.ndarray:
    """Per task, the most its risks can add (whole days): every risk firing at its pessimistic."""
    extra = np.zeros(tasks, dtype=np.int64)
    for idx, _, row in impacts:
        extra[idx] += int(np.ceil(row[-1]))
    return extra
