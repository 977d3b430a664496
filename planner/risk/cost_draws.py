"""The cost of every Monte Carlo draw (DESIGN.md, "Costs"): the same lines as `planner.costs`, on
each draw's durations and dates, so P50 and P80 cost come with P50 and P80 dates, and the chance of
staying within a budget. Draws are summed in floating point and their percentiles rounded to the
cent: the exact figures are the schedule's (`planner.cost`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from planner.core.model import Plan
from planner.core.schedule import Solution
from planner.costs import (
    DAYS_PER_MONTH,
    EPOCH,
    cents,
    incumbent_days,
    incumbent_terms,
    task_day_rates,
    transfer_steps,
)


@dataclass(frozen=True)
class CostRisk:
    """Cost percentiles of a run and the chance of staying within the budget."""

    currency: str
    percentiles: dict[int, Decimal]
    budget: Decimal | None
    budget_chance: float | None

    def to_json(self) -> dict:
        return {
            "currency": self.currency,
            **{f"p{q}": str(v) for q, v in self.percentiles.items()},
            "budget": None if self.budget is None else str(self.budget),
            "budget_chance": self.budget_chance,
        }


class CostDraws:
    """Each draw's total, filled chunk by chunk inside one run (it lives only as long as the run)."""

    def __init__(self, plan: Plan, sol: Solution, iterations: int) -> None:
        model = plan.costs
        assert model is not None
        self.model = model
        cal = sol.calendar
        self.cal = cal
        ids = [t.id for t in plan.tasks]
        finish_of = dict(zip(ids, cal.dates_of(sol.finish_off), strict=True))
        handover = plan.handover(sol.finish_off.tolist()) or ids[-1]
        self.handover = ids.index(handover)
        self.rate = np.array(
            [float(sum((units * rate for _, units, rate in payers), Decimal(0))) for payers in task_day_rates(plan)]
        )
        end, self.assistance = incumbent_terms(plan, handover)
        self.end = None if end is None else (end - EPOCH).days
        self.start = (plan.start - EPOCH).days
        steps = transfer_steps(plan, finish_of, handover)
        self.steps = np.array([ids.index(tid) for tid, _ in steps], dtype=np.int64)
        self.shares = np.array([float(share) for _, share in steps])
        self.fixed = float(sum((o.amount for o in model.one_offs), Decimal(0)))
        self.totals = np.empty(iterations)

    def add(self, done: int, d: np.ndarray, ef_days: np.ndarray, scale: int) -> None:
        """One chunk: `d` the drawn durations in work units (`scale` a day), `ef_days` the end
        offsets in whole working days (tasks x draws)."""
        m = self.model
        total = (self.rate[:, None] * d).sum(axis=0) / scale + self.fixed
        day = self.cal.day_numbers
        handed = day(np.maximum(ef_days[self.handover] - 1, 0))
        paid_until, extension = incumbent_days(handed, self.end, self.assistance)
        monthly = float(DAYS_PER_MONTH)
        if m.incumbent_monthly is not None:
            total += float(m.incumbent_monthly) * (paid_until - self.start + 1 - extension) / monthly
        price = m.extension_monthly if m.extension_monthly is not None else m.incumbent_monthly
        if price is not None:
            total += float(price) * extension / monthly
        if m.provider_monthly is not None:
            at = day(np.maximum(ef_days[self.steps] - 1, 0))
            finish = day(np.maximum(ef_days.max(axis=0) - 1, 0))
            bounds = np.vstack((at[1:], finish[None, :]))
            total += float(m.provider_monthly) * (self.shares[:, None] * (bounds - at)).sum(axis=0) / monthly
        self.totals[done : done + d.shape[1]] = total

    def result(self, percentiles: tuple[int, ...]) -> CostRisk:
        found = np.percentile(self.totals, percentiles, method="higher")
        values = {q: cents(Decimal(repr(float(v)))) for q, v in zip(percentiles, found, strict=True)}
        budget = self.model.budget
        chance = None if budget is None else float((self.totals <= float(budget) + 0.005).mean())
        return CostRisk(self.model.currency, values, budget, chance)
