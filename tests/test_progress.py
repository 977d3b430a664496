"""Tests of progress (status date, actuals, percent complete) and baselines per DESIGN.md."""

from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.core.schedule import COLUMNS, baseline_of
from planner.core.validate import parse_plan
from planner.formats.csvfile import milestones_csv, schedule_csv
from planner.scheduling import schedule
from tests.conftest import MONDAY, plan_data, task
from tests.reference_cpm import RefTask, reference_cpm


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

    from planner.core.model import PlanError

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


def test_free_float_ignores_links_into_started_tasks():
    """Tests that a task whose only successor has already started floats to the plan finish
    (found by the random-plan test: the ignored link once showed as 2^40 days of free float)."""
    data = plan_data(
        task("A", 2),
        task("B", 3, "A", actual_start=dt.date(2027, 1, 4), percent_complete=50),
        task("C", 8),
        status_date=dt.date(2027, 1, 5),
    )
    r = rows(schedule(parse_plan(data)))
    assert r["A"]["free_float"] == r["C"]["ef"] - r["A"]["ef"]
    assert r["A"]["free_float"] == r["A"]["total_float"] == 6


# ---------------------------------------------------------------- progress on random plans


def _workdays_from_start(day: dt.date) -> int:
    """Working days (Mon-Fri) from the plan start to `day`, counted by walking the calendar."""
    count, d = 0, MONDAY
    while d < day:
        count += d.weekday() < 5
        d += dt.timedelta(days=1)
    return count


def _on_or_after(day: dt.date) -> int:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return _workdays_from_start(day)


def _on_or_before(day: dt.date) -> int:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return _workdays_from_start(day)


@st.composite
def plans_with_progress(draw):
    n = draw(st.integers(1, 12))
    status = MONDAY + dt.timedelta(days=draw(st.integers(0, 40))) if draw(st.booleans()) else None
    tasks = []
    for i in range(n):
        preds = draw(st.lists(st.integers(0, i - 1), unique=True, max_size=3)) if i else []
        kinds = st.sampled_from(["FS", "SS", "FF", "SF"])
        deps = [f"T{p}:{draw(kinds)}{draw(st.integers(-3, 5)):+d}" for p in preds]
        t = task(f"T{i}", draw(st.integers(0, 8)), *deps)
        if draw(st.integers(0, 4)) == 0:
            t["not_before"] = MONDAY + dt.timedelta(days=draw(st.integers(0, 30)))
        horizon = (status - MONDAY).days if status else 30
        state = draw(st.sampled_from(["ahead", "ahead", "started", "done"]))
        if state != "ahead":
            begun = MONDAY + dt.timedelta(days=draw(st.integers(0, horizon)))
            t["actual_start"] = begun
            if state == "done":
                t["actual_finish"] = begun + dt.timedelta(days=draw(st.integers(0, 12)))
                t["percent_complete"] = 100
            else:
                t["percent_complete"] = draw(st.integers(0, 99))
        tasks.append(t)
    order = draw(st.permutations(range(n)))
    return plan_data(*[tasks[i] for i in order], **({"status_date": status} if status else {}))


def _progress_reference(plan):
    """DESIGN.md's progress rules applied by hand, then the plain reference CPM: a done task keeps
    its actual dates, a started one its actual start with the remaining work after the status
    date, tasks not started begin after the status date, and links into started tasks no longer
    bind (successors follow the actual dates)."""
    after = _on_or_after(plan.status_date + dt.timedelta(days=1)) if plan.status_date else None
    ref, dates = [], {}
    for t in plan.tasks:
        if t.actual_start is None:
            earliest = max(_on_or_after(t.not_before) if t.not_before else 0, after or 0)
            preds = [(link.task, link.type, link.lag) for link in t.depends_on]
            ref.append(RefTask(t.id, t.duration, preds, earliest))
            continue
        start = _on_or_after(t.actual_start)
        if t.actual_finish is not None:
            end = _on_or_before(t.actual_finish) + 1
            if t.duration == 0:
                start = end
            work = max(end - start, 0)
            dates[t.id] = (start if t.duration else end - 1, end - 1)
        elif after is not None:
            remaining = -(-t.duration * (100 - int(t.percent_complete)) // 100)
            work = max(start, after) + remaining - start
            dates[t.id] = (start, None)
        else:
            work = t.duration
            dates[t.id] = (start, None)
        ref.append(RefTask(t.id, work, [], start))
    return reference_cpm(ref), dates


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans_with_progress())
def test_progress_matches_reference_cpm(data):
    """Tests es/ef/ls/lf, floats and critical flags with actual starts, actual finishes, percent
    complete and a status date against the plain reference CPM, and that actual dates stand."""
    plan = parse_plan(data)
    sched = schedule(plan)
    want, dates = _progress_reference(plan)
    cal = sched.calendar
    for r in sched.table.to_dict(orient="records"):
        for key, value in want[r["id"]].items():
            assert r[key] == value, (r["id"], key, r[key], value)
        if r["id"] in dates:
            start, finish = dates[r["id"]]
            assert r["start"] == cal.date_of(start).isoformat(), r["id"]
            if finish is not None:
                assert r["finish"] == cal.date_of(finish).isoformat(), r["id"]
