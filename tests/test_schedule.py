"""Tests of the CPM passes, floats, dates and the critical path (planner.core.schedule)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.core.model import PlanError
from planner.core.network import prepare, run_passes
from planner.core.schedule import COLUMNS, phase_rows
from planner.core.validate import parse_plan
from planner.scheduling import schedule
from tests.conftest import MONDAY, plan_data, task
from tests.reference_cpm import RefTask, reference_cpm


def rows(sched) -> dict[str, dict]:
    return {r["id"]: r for r in sched.table.to_dict(orient="records")}


def test_textbook_network_floats_and_finish():
    """Tests that a hand-checked six-task network gets the textbook dates, floats and path."""
    plan = parse_plan(
        plan_data(
            task("A", 3),
            task("B", 4, "A"),
            task("C", 2, "A"),
            task("D", 5, "B"),
            task("E", 3, "C"),
            task("F", 2, "D", "E"),
        )
    )
    s = schedule(plan)
    r = rows(s)
    expected = {  # es, ef, ls, lf, total float, free float
        "A": (0, 3, 0, 3, 0, 0),
        "B": (3, 7, 3, 7, 0, 0),
        "C": (3, 5, 7, 9, 4, 0),
        "D": (7, 12, 7, 12, 0, 0),
        "E": (5, 8, 9, 12, 4, 4),
        "F": (12, 14, 12, 14, 0, 0),
    }
    for tid, (es, ef, ls, lf, tf, ff) in expected.items():
        got = r[tid]
        assert (got["es"], got["ef"], got["ls"], got["lf"], got["total_float"], got["free_float"]) == (
            es,
            ef,
            ls,
            lf,
            tf,
            ff,
        ), tid
    assert s.finish_offset == 14
    assert s.critical_path == ("A", "B", "D", "F")
    assert s.finish == dt.date(2027, 1, 21)  # 14 working days from Mon 4 Jan: Thu 21 Jan
    assert list(s.table.columns) == COLUMNS


@pytest.mark.parametrize(
    ("link", "b_es"),
    [
        ("A", 5),  # FS: ES(B) >= EF(A) = 5
        ("A:FS+2", 7),
        ("A:FS-2", 3),  # lead
        ("A:SS", 0),
        ("A:SS+3", 3),
        ("A:FF", 2),  # EF(B) >= EF(A): 5 - 3
        ("A:FF+1", 3),
        ("A:SF+6", 3),  # EF(B) >= ES(A) + 6: 6 - 3
        ("A:SF", 0),  # 0 - 3 clamps to day 0
        ("A:FS-9", 0),  # lead past the plan start clamps to day 0
    ],
)
def test_each_link_type_sets_the_early_start(link, b_es):
    """Tests the four link inequalities with lags, leads and the day-0 clamp."""
    s = schedule(parse_plan(plan_data(task("A", 5), task("B", 3, link))))
    assert rows(s)["B"]["es"] == b_es


def test_not_before_delays_start_to_next_working_day():
    """Tests that a start-no-earlier-than on a Saturday moves the task to Monday."""
    s = schedule(parse_plan(plan_data(task("A", 2), task("B", 1, "A", not_before=dt.date(2027, 1, 16)))))
    b = rows(s)["B"]
    assert b["start"] == "2027-01-18"
    assert b["es"] == 10
    assert rows(s)["A"]["free_float"] == 8


def test_task_deadline_missed_gives_negative_float():
    """Tests that a missed finish-no-later-than shows as negative float on its chain."""
    data = plan_data(task("A", 5), task("B", 5, "A", deadline=dt.date(2027, 1, 12)), task("C", 1))
    r = rows(schedule(parse_plan(data)))
    # deadline Tue 12 Jan = day 6 -> LF cap 7; EF(B) = 10 -> float -3 on B and A.
    assert r["B"]["total_float"] == -3
    assert r["A"]["total_float"] == -3
    assert r["A"]["critical"] and r["B"]["critical"]
    assert r["C"]["total_float"] == 9


def test_plan_deadline_caps_tasks_without_successors():
    """Tests the plan deadline: only end tasks are capped; met deadlines keep float."""
    data = plan_data(task("A", 5), task("B", 5, "A"), deadline=dt.date(2027, 1, 22))  # day 14 -> cap 15
    r = rows(schedule(parse_plan(data)))
    assert r["B"]["total_float"] == 0  # the plan finish (10) still caps LF
    data["deadline"] = dt.date(2027, 1, 13)  # day 7 -> cap 8
    r = rows(schedule(parse_plan(data)))
    assert r["B"]["total_float"] == -2 and r["A"]["total_float"] == -2


def test_deadline_on_a_weekend_counts_the_friday():
    """Tests that a deadline on a non-working day uses the last working day before it."""
    data = plan_data(task("A", 5, deadline=dt.date(2027, 1, 10)))  # Sunday; Friday 8 Jan = day 4
    assert rows(schedule(parse_plan(data)))["A"]["total_float"] == 0


def test_holidays_and_closures_are_skipped():
    """Tests that GB bank holidays and extra closures are not working days."""
    data = plan_data(
        task("A", 3),
        start=dt.date(2027, 12, 23),
        calendar={"holidays": "GB", "closures": [dt.date(2027, 12, 29)]},
    )
    r = rows(schedule(parse_plan(data)))
    # 23, 24 Dec; 25-26 weekend; 27, 28 Dec bank holidays (substitute days); 29 closed; 30 Dec.
    assert (r["A"]["start"], r["A"]["finish"]) == ("2027-12-23", "2027-12-30")


def test_start_on_weekend_begins_on_monday():
    """Tests that day 0 is the first working day on or after the plan start."""
    r = rows(schedule(parse_plan(plan_data(task("A", 1), start=dt.date(2027, 1, 2)))))
    assert r["A"]["start"] == "2027-01-04"


def test_milestone_dates():
    """Tests milestone dates: the day a finish-driven milestone's predecessors finish, the
    start day for a start-driven one, day 0 at the plan start."""
    data = plan_data(
        task("A", 5),
        task("M1", 0, "A"),
        task("M2", 0, "A:SS+2"),
        task("M0", 0),
        task("M3", 0, "A:FF"),
    )
    r = rows(schedule(parse_plan(data)))
    assert r["M1"]["start"] == r["M1"]["finish"] == "2027-01-08"  # A finishes Fri
    assert r["M2"]["start"] == "2027-01-06"  # day 2
    assert r["M0"]["start"] == "2027-01-04"
    assert r["M3"]["start"] == "2027-01-08"
    assert r["M1"]["milestone"] and not r["A"]["milestone"]


def test_successor_of_milestone_starts_next_day():
    """Tests that a task after a milestone starts the working day after the milestone date."""
    r = rows(schedule(parse_plan(plan_data(task("A", 5), task("M", 0, "A"), task("B", 2, "M")))))
    assert r["B"]["start"] == "2027-01-11"


def test_drivers_explain_each_start():
    """Tests the driving predecessor: the binding link, a not-before date, or the plan start."""
    data = plan_data(
        task("A", 5),
        task("B", 2),
        task("C", 1, "B", "A"),
        task("D", 1, "B", not_before=dt.date(2027, 2, 1)),
    )
    d = schedule(parse_plan(data)).drivers
    assert d["A"].reason == "start"
    assert d["C"].link is not None and d["C"].link.task == "A"
    assert d["D"].reason == "not_before"


def test_critical_path_follows_zero_slack_links_to_finish():
    """Tests the ordered critical path through SS and FF links."""
    data = plan_data(task("A", 4), task("B", 6, "A:SS+1"), task("C", 2, "B:FF+1"), task("D", 1, "A"))
    s = schedule(parse_plan(data))
    assert s.critical_path == ("A", "B", "C")
    assert s.finish_offset == 8


def test_empty_plan_schedules_to_its_start():
    """Tests that a plan with no tasks has an empty table and finishes at its start."""
    s = schedule(parse_plan(plan_data()))
    assert s.table.empty and s.finish == MONDAY and s.critical_path == ()


def test_phase_rows_span_their_tasks():
    """Tests phase summary rows: first appearance order, earliest start to latest finish."""
    data = plan_data(
        task("A", 2, phase="Due diligence"), task("B", 3, "A", phase="Pilot"), task("C", 1, phase="Due diligence")
    )
    ph = phase_rows(schedule(parse_plan(data)))
    assert list(ph["phase"]) == ["Due diligence", "Pilot"]
    assert ph.iloc[0]["start"] == "2027-01-04" and ph.iloc[0]["finish"] == "2027-01-05"
    assert ph.iloc[1]["finish"] == "2027-01-08"


def test_duration_edit_reuses_structure_and_moves_finish():
    """Tests that a network prepared for a plan serves its duration edits (same links), not a
    plan with other links, and that the edit reschedules correctly."""
    plan = parse_plan(plan_data(task("A", 3), task("B", 4, "A")))
    net = prepare(plan)
    edited = plan.with_durations({"A": 10})
    assert net.fits(edited) and schedule(edited, network=net).network is net
    assert schedule(edited, network=net).finish_offset == 14 == schedule(edited).finish_offset
    assert schedule(plan, network=net).finish_offset == 7
    relinked = parse_plan(plan_data(task("A", 3), task("B", 4, "A:SS")))
    assert not net.fits(relinked)
    assert schedule(relinked, network=net).finish_offset == 4
    with pytest.raises(PlanError, match="no such task"):
        plan.with_durations({"Z": 1})
    with pytest.raises(PlanError, match=r"task A.*whole number"):
        plan.with_durations({"A": -1})
    assert edited.task("A").duration == 10 and plan.task("A").duration == 3


def test_editing_a_schedule_table_does_not_leak_into_the_next_schedule():
    """Tests that a caller writing into sched.table cannot corrupt cached columns or later schedules."""
    plan = parse_plan(plan_data(task("A", 3, name="Kick-off"), task("B", 4, "A")))
    first = schedule(plan)
    first.table.loc[0, "name"] = "changed"
    first.table.loc[1, "es"] = 99
    first.table.loc[0, "duration"] = 50
    again = schedule(plan)
    assert again.table.loc[0, "name"] == "Kick-off"
    assert again.table.loc[1, "es"] == 3 and first.passes.es[1] == 3
    assert again.table.loc[0, "duration"] == 3


# ---------------------------------------------------------------- properties on random DAGs

LINK_TYPES = st.sampled_from(["FS", "SS", "FF", "SF"])


@st.composite
def random_plans(draw, deadlines: bool = False):
    n = draw(st.integers(1, 14))
    tasks = []
    for i in range(n):
        preds = draw(st.lists(st.integers(0, i - 1), unique=True, max_size=3)) if i else []
        deps = [f"T{p}:{draw(LINK_TYPES)}{draw(st.integers(-4, 6)):+d}" for p in preds]
        t = task(f"T{i}", draw(st.integers(0, 8)), *deps)
        if draw(st.booleans()) and draw(st.booleans()):
            t["not_before"] = MONDAY + dt.timedelta(days=draw(st.integers(0, 30)))
        if deadlines and draw(st.booleans()):
            t["deadline"] = MONDAY + dt.timedelta(days=draw(st.integers(0, 40)))
        tasks.append(t)
    order = draw(st.permutations(range(n)))  # file order is not topological order
    extra = (
        {"deadline": MONDAY + dt.timedelta(days=draw(st.integers(0, 60)))} if deadlines and draw(st.booleans()) else {}
    )
    return plan_data(*[tasks[i] for i in order], **extra)


def _reference(plan, sched):
    cal = sched.calendar
    ref_tasks = [
        RefTask(
            t.id,
            t.duration,
            [(link.task, link.type, link.lag) for link in t.depends_on],
            cal.offset_on_or_after(t.not_before) if t.not_before else 0,
            cal.offset_on_or_before(t.deadline) + 1 if t.deadline else None,
        )
        for t in plan.tasks
    ]
    deadline = cal.offset_on_or_before(plan.deadline) + 1 if plan.deadline else None
    return reference_cpm(ref_tasks, deadline)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(random_plans(deadlines=True))
def test_matches_reference_cpm(data):
    """Tests es/ef/ls/lf, both floats and the critical flag against the plain reference CPM."""
    plan = parse_plan(data)
    sched = schedule(plan)
    ref = _reference(plan, sched)
    for r in sched.table.to_dict(orient="records"):
        want = ref[r["id"]]
        for key, value in want.items():
            assert r[key] == value, (r["id"], key)


@SETTINGS
@given(random_plans(deadlines=True))
def test_numpy_and_python_paths_agree(data):
    """Tests that the generation-wise numpy kernel and the task-by-task kernel agree."""
    plan = parse_plan(data)
    net = prepare(plan)
    sched = schedule(plan)
    d = np.array([t.duration for t in plan.tasks])
    cal = sched.calendar
    earliest = np.array([cal.offset_on_or_after(t.not_before) if t.not_before else 0 for t in plan.tasks])
    latest = np.array([cal.offset_on_or_before(t.deadline) + 1 if t.deadline else 10**9 for t in plan.tasks])
    dl = cal.offset_on_or_before(plan.deadline) + 1 if plan.deadline else None
    a = run_passes(dataclasses.replace(net, use_numpy=True), d, earliest, latest, dl)
    b = run_passes(dataclasses.replace(net, use_numpy=False), d, earliest, latest, dl)
    for field in ("es", "ef", "ls", "lf", "free_float", "slack"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field


@SETTINGS
@given(random_plans())
def test_schedule_properties_without_deadlines(data):
    """Tests CPM invariants: links hold on early and late dates, floats >= 0, ES >= 0,
    the critical path ends at the plan finish and lists predecessors before successors."""
    plan = parse_plan(data)
    s = schedule(plan)
    r = rows(s)
    for t in plan.tasks:
        me = r[t.id]
        assert me["es"] >= 0 and me["total_float"] >= 0 and me["free_float"] >= 0
        for link in t.depends_on:
            p = r[link.task]
            for es_s, ef_s, es_p, ef_p in (
                (me["es"], me["ef"], p["es"], p["ef"]),
                (me["ls"], me["lf"], p["ls"], p["lf"]),
            ):
                lhs, rhs = {
                    "FS": (es_s, ef_p),
                    "SS": (es_s, es_p),
                    "FF": (ef_s, ef_p),
                    "SF": (ef_s, es_p),
                }[link.type]
                assert lhs >= rhs + link.lag
    assert s.finish_offset == max(v["ef"] for v in r.values())
    path = s.critical_path
    assert path and r[path[-1]]["ef"] == s.finish_offset
    assert all(r[i]["critical"] for i in path)
    pos = {tid: i for i, tid in enumerate(path)}
    for t in plan.tasks:
        for link in t.depends_on:
            if t.id in pos and link.task in pos:
                assert pos[link.task] < pos[t.id]


def test_public_api_names_are_functions():
    """Tests `from planner import load_plan, schedule` gives the functions of DESIGN.md."""
    import planner.core.schedule  # noqa: F401  (importing the submodule must not shadow the function)
    from planner import load_plan
    from planner import schedule as schedule_fn

    assert callable(schedule_fn) and callable(load_plan)
    assert schedule_fn(parse_plan(plan_data(task("A", 1)))).finish_offset == 1
