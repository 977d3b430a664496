"""Resource use per working day, and where it exceeds capacity (DESIGN.md, "Resources and
levelling"): for the CPM schedule, so a planner sees the clashes levelling would resolve, and for
the levelled one, which has none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from planner.core.schedule import Schedule

EPS = 1e-9


@dataclass(frozen=True)
class OverAllocation:
    """A run of consecutive working days on which a resource is asked for more than it has."""

    resource: str
    first: dt.date
    last: dt.date
    peak: float
    capacity: float
    tasks: tuple[str, ...] = ()  # the tasks that use the resource in these days: the clash

    def to_json(self) -> dict:
        return {
            "resource": self.resource,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "peak": self.peak,
            "capacity": self.capacity,
            "tasks": list(self.tasks),
        }

    def __str__(self) -> str:
        return (
            f"{self.resource} over-allocated {self.first.isoformat()} to {self.last.isoformat()}: "
            f"peak {self.peak:g} against a capacity of {self.capacity:g} ({', '.join(self.tasks)})"
        )


def use_per_day(sched: Schedule) -> dict[str, np.ndarray]:
    """Units of each resource in use on each working day (offset 0 = the plan's first working day)
    through the last day any task uses it. A task uses its units on every day from its start to
    its finish."""
    plan = sched.plan
    if not plan.resources:
        return {}
    start = sched.table["es"].to_numpy()
    end = sched.table["ef"].to_numpy()
    horizon = int(end.max()) if end.size else 0
    out = {r.id: np.zeros(max(horizon, 1) + 1) for r in plan.resources}
    for j, task in enumerate(plan.tasks):
        a, b = max(int(start[j]), 0), int(end[j])
        if b <= a:
            continue
        for rid, units in task.uses:
            if rid in out:
                out[rid][a] += units
                out[rid][b] -= units
    return {rid: np.cumsum(diff)[:-1] for rid, diff in out.items()}


def over_allocations(sched: Schedule) -> list[OverAllocation]:
    """Every run of days on which a resource's use exceeds its capacity, by resource then date."""
    use = use_per_day(sched)
    cal = sched.calendar
    start = sched.table["es"].to_numpy()
    end = sched.table["ef"].to_numpy()
    found = []
    for r in sched.plan.resources:
        over = use[r.id] > r.capacity + EPS
        if not over.any():
            continue
        users = [j for j, t in enumerate(sched.plan.tasks) if any(rid == r.id for rid, _ in t.uses)]
        edges = np.diff(np.concatenate([[0], over.astype(np.int8), [0]]))
        for a, b in zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True):
            peak = float(use[r.id][a:b].max())
            clash = tuple(sched.plan.tasks[j].id for j in users if start[j] < b and end[j] > a)
            found.append(OverAllocation(r.id, cal.date_of(a), cal.date_of(b - 1), peak, r.capacity, clash))
    return found


def weekly_use(sched: Schedule) -> list[dict]:
    """Per resource and calendar week (Monday): the peak daily use and the capacity, for the
    histogram; weeks with no use are left out."""
    use = use_per_day(sched)
    cal = sched.calendar
    rows = []
    for r in sched.plan.resources:
        series = use.get(r.id)
        if series is None or not series.size:
            continue
        days = cal.dates_of(np.arange(series.size))
        weeks: dict[dt.date, float] = {}
        for day, units in zip(days, series.tolist(), strict=True):
            monday = day - dt.timedelta(days=day.weekday())
            weeks[monday] = max(weeks.get(monday, 0.0), units)
        for monday, peak in weeks.items():
            if peak > 0:
                rows.append({"resource": r.id, "week": monday, "use": peak, "capacity": r.capacity})
    return rows
