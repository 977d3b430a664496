"""Options side by side (DESIGN.md, `compare`): how big a pilot, how many waves, and which saved
plan or revision finishes when.

Each template option is generated and simulated with the same seed, so two options differ only
by their structure, not by the luck of their draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from planner.core.model import Plan
from planner.costs import PlanCost
from planner.generate.build import TERMINATION_ASSISTANCE_DAYS, generate
from planner.risk.contract import COMMITTED_ITERATIONS, ContractEnd
from planner.risk.cost_draws import CostRisk

MAX_OPTIONS = 60


@dataclass(frozen=True)
class Option:
    """One template option: its most likely and committed (P80) dates, its odds of meeting the
    deadline, and the contract end both ways (`planner.risk.contract`)."""

    waves: int
    pilot_share: float
    finish: dt.date
    handover: dt.date
    p50: dt.date
    p80: dt.date
    deadline_chance: float | None
    contract: ContractEnd | None
    warnings: tuple[str, ...]
    cost: PlanCost | None = None  # the schedule's exact costs, when the plan has a cost model
    cost_risk: CostRisk | None = None  # the committed run's P50 and P80 cost

    @property
    def contract_end_chance(self) -> float | None:
        return self.contract.chance if self.contract is not None else None

    def to_json(self) -> dict:
        return {
            "waves": self.waves,
            "pilot_share": self.pilot_share,
            "finish": self.finish.isoformat(),
            "handover": self.handover.isoformat(),
            "p50": self.p50.isoformat(),
            "p80": self.p80.isoformat(),
            "deadline_chance": self.deadline_chance,
            "contract_end_chance": self.contract_end_chance,
            "contract_end": self.contract.to_json() if self.contract is not None else None,
            "cost": None if self.cost is None else self.cost.to_json(),
            "cost_risk": None if self.cost_risk is None else self.cost_risk.to_json(),
            "warnings": list(self.warnings),
        }


def option(
    template: str,
    waves: int,
    pilot_share: float,
    *,
    size: str = "medium",
    start: dt.date | None = None,
    deadline: dt.date | None = None,
    contract_end: dt.date | None = None,
    holidays: str | None = None,
    termination_assistance: int = TERMINATION_ASSISTANCE_DAYS,
) -> Option:
    """One option, with the committed run (`committed_run`): the same P80 the plan shows once made."""
    from planner.costs import plan_cost
    from planner.risk.contract import committed_run, verdict

    gen = generate(
        template,
        waves,
        pilot_share,
        size=size,
        start=start,
        deadline=deadline,
        contract_end=contract_end,
        holidays=holidays,
        termination_assistance=termination_assistance,
    )
    sched = gen.schedule  # levelled: the dates the plan shows
    run = committed_run(gen.plan, sched.network, sched)
    finishes = sched.table["finish"].tolist()
    handover = gen.plan.handover(finishes)
    return Option(
        waves=waves,
        pilot_share=pilot_share,
        finish=sched.finish,
        handover=dt.date.fromisoformat(finishes[gen.plan.ids.index(handover)]) if handover else sched.finish,
        p50=run.finish_dates[50],
        p80=run.finish_dates[80],
        deadline_chance=run.deadline_probability,
        contract=verdict(gen.plan, run, sched.passes.ef),
        warnings=gen.warnings,
        cost=plan_cost(sched),
        cost_risk=run.cost,
    )


def options(
    template: str,
    waves: Sequence[int],
    pilot_shares: Sequence[float],
    progress: Callable[[int, int], None] | None = None,
    **kwargs: object,
) -> list[Option]:
    """Every combination of waves and pilot share, waves first (the order a table reads best)."""
    pairs = [(w, p) for w in waves for p in pilot_shares]
    out = []
    for k, (w, p) in enumerate(pairs, 1):
        out.append(option(template, w, p, **kwargs))  # type: ignore[arg-type]
        if progress is not None:
            progress(k, len(pairs))
    return out


@dataclass(frozen=True)
class PlanColumn:
    """One plan (or revision) in a side-by-side comparison."""

    label: str
    finish: dt.date
    p80: dt.date
    milestones: dict[str, dt.date]  # id -> date


@dataclass(frozen=True)
class PlanComparison:
    """Plans side by side: finish, P80 and every milestone's date (rows in first-seen order)."""

    columns: tuple[PlanColumn, ...]
    rows: tuple[tuple[str, str], ...]  # (id, name) of every milestone or gate in any plan

    def shift(self, task_id: str) -> int | None:
        """Calendar days from the first plan's date to the last plan's (None if either lacks it)."""
        first, last = self.columns[0].milestones.get(task_id), self.columns[-1].milestones.get(task_id)
        return None if first is None or last is None else (last - first).days


def compare_plans(
    plans: Sequence[tuple[str, Plan]], iterations: int = COMMITTED_ITERATIONS, seed: int = 1
) -> PlanComparison:
    from planner.risk.montecarlo import simulate
    from planner.scheduling import solution

    columns = []
    rows: dict[str, str] = {}
    for label, plan in plans:
        sol = solution(plan)  # levelled when the plan levels
        risk = simulate(plan, iterations=iterations, seed=seed)
        dates = {}
        for j, t in enumerate(plan.tasks):
            if t.is_key_date:
                rows.setdefault(t.id, t.name)
                dates[t.id] = sol.finish_of(j)
        columns.append(PlanColumn(label, sol.finish, risk.finish_dates[80], dates))
    return PlanComparison(tuple(columns), tuple(rows.items()))
