"""`schedule(plan)`: the one way in to a plan's dates, levelled when the plan says so.

The critical-path schedule lives in `planner.core.schedule`; levelling builds on it
(`planner.levelling.levelled`), so the choice between them is made here, above both.
"""

from __future__ import annotations

from planner.core.model import Plan
from planner.core.network import Network
from planner.core.schedule import Schedule, Solution, solve, table_of


def schedule(
    plan: Plan, level: bool | None = None, level_time: float | None = None, network: Network | None = None
) -> Schedule:
    """Schedules a validated plan (DESIGN.md rules); raises PlanError if it is not valid.
    `level` (default: the plan's `level`) levels resources, spending up to `level_time` seconds
    on a better answer; `network`, prepared before for the same links (`core.network.prepare`),
    saves preparing it again."""
    if (plan.level if level is None else level) and any(t.uses for t in plan.tasks):
        from planner.levelling.levelled import levelled  # OR-Tools loads only for plans that level

        return levelled(plan, level_time, network)
    return table_of(plan, solve(plan, network=network))


def solution(plan: Plan, network: Network | None = None) -> Solution:
    """The dates `schedule` gives, without its table: levelled when the plan levels."""
    if plan.level and any(t.uses for t in plan.tasks):
        from planner.levelling.levelled import levelled_solution

        return levelled_solution(plan, network=network)
    return solve(plan, network=network)


def unlevelled_and_levelled(sched: Schedule) -> tuple[Schedule, Schedule | None]:
    """The two schedules a resource view compares: without levelling and with it (None when no
    task uses a resource); `sched` is one of them, the other is computed."""
    plan = sched.plan
    if not any(t.uses for t in plan.tasks):
        return sched, None
    if sched.levelling is not None:
        return schedule(plan, level=False, network=sched.network), sched
    return sched, schedule(plan, level=True, network=sched.network)
