"""Tracking: progress against a status date, actual dates, and baselines (DESIGN.md).

The CPM in `schedule` asks this module for effective durations and which tasks keep their
actual start; the baseline columns and `baseline_of` live here too, so progress rules are in
one place.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.core.calendar import WorkCalendar
from planner.core.model import Plan

if TYPE_CHECKING:
    import pandas as pd


def progress(
    plan: Plan, cal: WorkCalendar, duration: np.ndarray, earliest: np.ndarray, started: Sequence[int]
) -> tuple[np.ndarray, np.ndarray] | None:
    """Effective durations and which tasks keep their actual start (DESIGN.md, progress).

    A finished task keeps its actual dates; a started one keeps its actual start and its remaining
    work, ceil(duration x (100 - percent) / 100), runs from the first working day after the status
    date; with a status date, tasks not started start after it. `earliest` is updated in place.
    `started` lists the tasks with an actual start (cached by the caller, so a plan without
    progress costs nothing here).
    """
    status = plan.status_date
    if status is None and not started:
        return None
    after = cal.offset_on_or_after(status + dt.timedelta(days=1)) if status else None
    effective = duration.copy()
    fixed = np.zeros(len(plan.tasks), dtype=bool)
    fixed[list(started)] = True
    if after is not None:
        earliest[~fixed] = np.maximum(earliest[~fixed], after)
    for j in started:
        t = plan.tasks[j]
        assert t.actual_start is not None  # `started` lists the tasks with one
        start = cal.offset_on_or_after(t.actual_start)
        if t.actual_finish is not None:
            end = cal.offset_on_or_before(t.actual_finish) + 1
            if t.duration == 0:
                start = end
            effective[j] = max(end - start, 0)
        elif after is not None:
            remaining = math.ceil(t.duration * (100 - t.percent_complete) / 100)
            effective[j] = max(start, after) + remaining - start
        earliest[j] = start
    return effective, fixed


def actual_dates(
    plan: Plan, cal: WorkCalendar, start_off: np.ndarray, finish_off: np.ndarray, started: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    start_off, finish_off = start_off.copy(), finish_off.copy()
    for j in started:
        t = plan.tasks[j]
        assert t.actual_start is not None
        start_off[j] = cal.offset_on_or_after(t.actual_start)
        if t.actual_finish is not None:
            finish_off[j] = cal.offset_on_or_before(t.actual_finish)
            if t.duration == 0:
                start_off[j] = finish_off[j]
    return start_off, finish_off


def add_baseline(table: pd.DataFrame, plan: Plan, cal: WorkCalendar, finish_off: np.ndarray) -> None:
    """baseline_start, baseline_finish and finish_variance (working days, positive = late)."""
    import pandas as pd

    base = plan.baseline.tasks if plan.baseline else {}
    starts: list[str | None] = []
    finishes: list[str | None] = []
    variance: list[int | None] = []
    for j, t in enumerate(plan.tasks):
        b = base.get(t.id)
        if b is None:
            starts.append(None)
            finishes.append(None)
            variance.append(None)
            continue
        starts.append(b.start.isoformat())
        finishes.append(b.finish.isoformat())
        variance.append(int(finish_off[j]) - cal.offset_on_or_before(b.finish))
    table["baseline_start"] = pd.array(starts, dtype="str")
    table["baseline_finish"] = pd.array(finishes, dtype="str")
    table["finish_variance"] = pd.array(variance, dtype="Int64")


def baseline_of(sched: Any, taken: dt.date | None = None) -> Plan:
    """The plan with the current schedule written into it as its baseline."""
    from planner.core.validate import parse_plan

    t = sched.table
    tasks = {i: {"start": s, "finish": f} for i, s, f in zip(t["id"], t["start"], t["finish"], strict=True)}
    data = sched.plan.model_dump()
    data["baseline"] = {"taken": taken or dt.date.today(), "tasks": tasks}
    return parse_plan(data)
