"""Tests of progress (status date, actuals, percent complete) and baselines per DESIGN.md."""

from __future__ import annotations

import csv
import datetime as dt
import io

from planner.formats.csvfile import milestones_csv, schedule_csv
from planner.schedule import COLUMNS, baseline_of, schedule
from planner.validate import parse_plan
from tests.conftest import plan_data, task


def rows(sched):
    return {r["id"]: r for r in sched.table.to_dict(orient="records")}


def test_finished_task_keeps_actual_dates_and_successors_follow():
    """Tests a done task: its actual dates stand, even against its links; successors follow them."""
    data = plan_data(
        task("A", 5, actual_start=dt.date(2027, 1, 5), actual_finish=dt.date(2027, 1, 13)),
        task("B", 2, "A"),
        status_date=dt.date(2027, 1, 13),
    )
    r = rows(schedule(parse_plan(data)))
    assert (r["A"]["start"], r["A"]["finish"]) == ("2027-01-05", "2027-01-13")
    assert r["B"]["start"] == "2027-01-14"


def test_started_task_remaining_work_runs_after_status_date():
    """Tests ceil(duration x (100 - pc) / 100) remaining days from the day after the status date."""
    data = plan_data(
        task("A", 10, actual_start=dt.date(2027, 1, 4), percent_complete=35),
        task("B", 1, "A"),
        status_date=dt.date(2027, 1, 15),  # Friday; remaining ceil(6.5) = 7 from Monday 18 Jan
    )
    r = rows(schedule(parse_plan(data)))
    assert r["A"]["start"] == "2027-01-04" and r["A"]["finish"] == "2027-01-26"
    assert r["B"]["start"] == "2027-01-27"


def test_tasks_not_started_start_after_status_date():
    """Tests that with a status date, unstarted tasks begin the first working day after it."""
    data = plan_data(task("A", 3), task("B", 2, "A"), status_date=dt.date(2027, 1, 20))
    s = schedule(parse_plan(data))
    r = rows(s)
    assert r["A"]["start"] == "2027-01-21" and r["B"]["start"] == "2027-01-26"
    assert s.drivers["A"].reason == "status_date"


def test_baseline_columns_and_variance():
    """Tests baseline PLAN: variance 0 at once, then +N working days after a slip."""
    plan = parse_plan(plan_data(task("A", 5), task("M", 0, "A"), task("B", 3, "M")))
    based = baseline_of(schedule(plan), taken=dt.date(2027, 1, 1))
    s = schedule(based)
    assert list(s.table.columns) == [*COLUMNS, "baseline_start", "baseline_finish", "finish_variance"]
    assert s.table["finish_variance"].tolist() == [0, 0, 0]
    slipped = based.with_durations({"A": 8})
    r = rows(schedule(slipped))
    assert r["B"]["finish_variance"] == 3 and r["M"]["baseline_finish"] == "2027-01-08"
    ms = list(csv.DictReader(io.StringIO(milestones_csv(schedule(slipped)))))
    assert ms[0]["baseline_date"] == "2027-01-08" and ms[0]["variance"] == "3"
    header = schedule_csv(schedule(slipped).table).splitlines()[0]
    assert header.endswith("baseline_start,baseline_finish,finish_variance")


def test_actual_validation():
    """Tests that an actual finish needs an actual start and cannot precede it."""
    import pytest

    from planner.model import PlanError

    with pytest.raises(PlanError, match="actual_finish needs an actual_start"):
        parse_plan(plan_data(task("A", 1, actual_finish=dt.date(2027, 1, 5))))
    with pytest.raises(PlanError, match="is before actual_start"):
        parse_plan(plan_data(task("A", 1, actual_start=dt.date(2027, 1, 5), actual_finish=dt.date(2027, 1, 4))))


def test_mspdi_carries_actuals_status_date_and_baseline():
    """Tests that MS Project XML export and import keep actual dates, the status date and the baseline."""
    from planner.formats.mspdi import to_mspdi
    from planner.formats.mspdi_read import read_mspdi

    data = plan_data(
        task("A", 5, actual_start=dt.date(2027, 1, 4), actual_finish=dt.date(2027, 1, 8), percent_complete=100),
        task("B", 4, "A", actual_start=dt.date(2027, 1, 11), percent_complete=50),
        task("C", 2, "B"),
        status_date=dt.date(2027, 1, 12),
    )
    plan = baseline_of(schedule(parse_plan(data)), taken=dt.date(2027, 1, 12))
    later = plan.with_durations({"C": 4})
    back, warnings = read_mspdi(to_mspdi(schedule(later)))
    assert warnings == []
    assert back.status_date == dt.date(2027, 1, 12)
    assert back.task("A").actual_finish == dt.date(2027, 1, 8) and back.task("B").actual_start == dt.date(2027, 1, 11)
    assert back.baseline.tasks["C"] == later.baseline.tasks["C"]
    a, b = schedule(later).table, schedule(back).table
    assert (
        a.sort_values("id")[["id", "start", "finish", "finish_variance"]].astype(str).values.tolist()
        == b.sort_values("id")[["id", "start", "finish", "finish_variance"]].astype(str).values.tolist()
    )
