"""`schedule(plan)`: the one way in to a plan's dates, levelled when the plan says so.

The critical-path schedule lives in `planner.core.schedule`; levelling builds on it
(`planner.levelling.levelled`), so the choice between them is made here, above both.
"""

from __future__ import annotations

from planner.core.model import Plan
from planner.core.schedule import Schedule, solve, table_of


def schedule(plan: Plan, level: bool | None = None, level_time: float | None = None) -> Schedule:
    """Schedules a validated plan (DESIGN.md rules); raises PlanError if it is not valid.
    `level` (default: the plan's `level`) levels resources, spending up to `level_time` seconds
    on a better answer."""
    if (plan.level if level is None else level) and any(t.uses for t in plan.tasks):
        from planner.levelling.levelled import levelled  # OR-Tools loads only for plans that level

        return levelled(plan, level_time)
    return table_of(plan, solve(plan))
