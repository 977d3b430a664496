"""Both schedules a resource view compares: without levelling and with it, the one the plan does
not ask for computed once per plan (kept with the plan in `planner.memo`)."""

from __future__ import annotations

from planner import memo
from planner.core.schedule import Schedule
from planner.scheduling import schedule


def both(sched: Schedule) -> tuple[Schedule, Schedule | None]:
    plan = sched.plan
    if not any(t.uses for t in plan.tasks):
        return sched, None
    if sched.levelling is not None:
        return memo.cached(memo.own(plan), "plain schedule", lambda: schedule(plan, level=False)), sched
    return sched, memo.cached(memo.own(plan), "levelled schedule", lambda: schedule(plan, level=True))
