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
from planner.generate.build import Generated, generate

OPTION_ITERATIONS = 2_000
MAX_OPTIONS = 60


@dataclass(frozen=True)
class Option:
    """One template option: its dates and its odds of meeting the deadline and the contract end."""

    waves: int
    pilot_share: float
    finish: dt.date
    handover: dt.date
    p80: dt.date
    deadline_chance: float | None
    contract_end_chance: float | None
    warnings: tuple[str, ...]


def _handover_date(gen: Generated) -> dt.date:
    from planner.scheduling import solution

    sol = solution(gen.plan)
    handover = gen.plan.handover(sol.finish_off.tolist())
    return sol.finish_of(gen.plan.ids.index(handover)) if handover else sol.finish


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
    iterations: int = OPTION_ITERATIONS,
    seed: int = 1,
) -> Option:
    from planner.risk.montecarlo import simulate

    gen = generate(
        template,
        waves,
        pilot_share,
        size=size,
        start=start,
        deadline=deadline,
        contract_end=contract_end,
        holidays=holidays,
    )
    risk = simulate(gen.plan, iterations=iterations, seed=seed)
    contract = next((d.probability for d in risk.task_deadlines if d.id == gen.handover), None)
    return Option(
        waves=waves,
        pilot_share=pilot_share,
        finish=risk.deterministic_date,
        handover=_handover_date(gen),
        p80=risk.finish_dates[80],
        deadline_chance=risk.deadline_probability,
        contract_end_chance=contract if contract_end is not None else None,
        warnings=gen.warnings,
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

    def differs(self, task_id: str) -> bool:
        dates = {c.milestones.get(task_id) for c in self.columns}
        return len(dates) > 1

    def shift(self, task_id: str) -> int | None:
        """Calendar days from the first plan's date to the last plan's (None if either lacks it)."""
        first, last = self.columns[0].milestones.get(task_id), self.columns[-1].milestones.get(task_id)
        return None if first is None or last is None else (last - first).days


def compare_plans(
    plans: Sequence[tuple[str, Plan]], iterations: int = OPTION_ITERATIONS, seed: int = 1
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
