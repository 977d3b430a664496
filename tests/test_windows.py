"""Tests DESIGN.md's steering cadence and freeze windows (issue 27 item 5): client gates wait for
the committee's next meeting, cutovers and their hypercare keep out of freezes, in the schedule,
the levelled schedule, every Monte Carlo draw and the generator's warnings."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.core.model import PlanError
from planner.core.validate import parse_plan
from planner.explain import explain
from planner.formats.planfile import dump_yaml, read_yaml
from planner.generate.build import build_plan, generate
from planner.levelling.usage import over_allocations
from planner.risk.montecarlo import simulate
from planner.scheduling import schedule
from tests.conftest import MONDAY, plan_data, task

GATE = {"criteria": [{"kpi": "Evidence accepted", "target": "== yes"}]}


def _meeting_days(first: dt.date, weeks: int, until: dt.date) -> set[dt.date]:
    out, day = set(), first
    while day <= until:
        out.add(day)
        day += dt.timedelta(weeks=weeks)
    return out


def test_a_client_gate_waits_for_the_next_steering_meeting():
    """Tests the cadence on a small plan: evidence ready on a Wednesday, the committee meets every
    two weeks on Thursday; the client's gate falls on the next meeting on or after the day after
    the evidence, a vendor's gate does not wait, and the work after the gate starts the next day."""
    data = plan_data(
        task("EVIDENCE", 8),  # Mon 4 Jan to Wed 13 Jan 2027
        task("GO", 0, "EVIDENCE", owner="client", gate=GATE),
        task("VENDOR-GO", 0, "EVIDENCE", owner="vendor", gate=GATE),
        task("WORK", 5, "GO"),
        steering={"every_weeks": 2, "weekday": "thu", "first": dt.date(2027, 1, 7)},
    )
    sched = schedule(parse_plan(data))
    table = sched.table.set_index("id")
    assert table.loc["EVIDENCE", "finish"] == "2027-01-13"
    assert table.loc["GO", "start"] == "2027-01-21"  # 7 Jan, then every two weeks: 21 Jan
    assert table.loc["VENDOR-GO", "start"] == "2027-01-13"
    assert table.loc["WORK", "start"] == "2027-01-21" and sched.drivers["WORK"].reason == "link"
    assert sched.drivers["GO"].reason == "steering"
    assert "steering committee's next meeting" in explain(sched, "GO")[0]


def test_a_cutover_and_its_hypercare_keep_out_of_a_freeze():
    """Tests a freeze: a cutover whose hypercare would run into it moves to the first working day
    after it, says why, and its successors follow; one that ends with its hypercare before the
    freeze stays."""
    data = plan_data(
        task("PREP", 20),
        task("W1-CUTOVER", 2, "PREP", phase="Cutover"),
        task("W1-HYPERCARE", 10, "W1-CUTOVER", phase="Hypercare"),
        task("EARLY-CUTOVER", 2, phase="Cutover"),
        task("EARLY-HYPERCARE", 5, "EARLY-CUTOVER", phase="Hypercare"),
        freezes=[{"name": "Spring freeze", "start": dt.date(2027, 2, 8), "end": dt.date(2027, 2, 19)}],
    )
    sched = schedule(parse_plan(data))
    table = sched.table.set_index("id")
    assert table.loc["W1-CUTOVER", "start"] == "2027-02-22"  # PREP ends 29 Jan; hypercare would reach the freeze
    assert table.loc["W1-HYPERCARE", "start"] == "2027-02-24"
    assert table.loc["EARLY-CUTOVER", "start"] == "2027-01-04"  # it and its hypercare end 13 Jan
    driver = sched.drivers["W1-CUTOVER"]
    assert driver.reason == "freeze" and "Spring freeze" in driver.resource
    assert "moved after the Spring freeze (2027-02-08 to 2027-02-19)" in explain(sched, "W1-CUTOVER")[0]


def test_every_draw_and_the_levelled_schedule_keep_the_windows():
    """Tests the windows beyond the plain schedule on a template that levels, with a fortnightly
    Thursday committee and a summer freeze: every client gate of the levelled schedule is on a
    meeting day and no resource is over-allocated; every simulated percentile date of a client
    gate is a meeting day (or the day after: a decision may take a day); no cutover starts in the
    freeze or has its hypercare in it."""
    plan = build_plan("service-desk", waves=2, start=MONDAY)
    freeze = (dt.date(2027, 7, 1), dt.date(2027, 7, 20))
    plan = plan.model_copy(
        update={
            "steering": parse_plan({**plan_data(), "steering": {"weekday": "thu"}}).steering,
            "freezes": parse_plan({**plan_data(), "freezes": [{"start": freeze[0], "end": freeze[1]}]}).freezes,
        }
    )
    sched = schedule(plan)
    assert sched.levelling is not None and over_allocations(sched) == []
    table = sched.table.set_index("id")
    meetings = _meeting_days(MONDAY + dt.timedelta(days=3), 2, dt.date(2029, 1, 1))
    client_gates = [t.id for t in plan.tasks if t.gate is not None and t.owner == "client"]
    assert all(dt.date.fromisoformat(table.loc[g, "start"]) in meetings for g in client_gates)
    for n in (1, 2):
        first = dt.date.fromisoformat(table.loc[f"W{n}-CUTOVER", "start"])
        last = dt.date.fromisoformat(table.loc[f"W{n}-HYPERCARE", "finish"])
        assert last < freeze[0] or first > freeze[1], n
    run = simulate(plan, iterations=2000, seed=3)
    assert run.deterministic_days == sched.finish_offset
    decided = meetings | {d + dt.timedelta(days=1) for d in meetings}  # a gate's own 0-1 day estimate
    for m in run.milestones:
        if m.id in client_gates:
            assert all(day in decided for day in m.dates.values()), m.id


def test_windows_travel_in_the_plan_file_and_bad_ones_are_named():
    """Tests the plan file and the workbook: steering and freezes written and read back; a freeze
    that ends before it starts and an unknown weekday are refused with the field named."""
    data = plan_data(
        task("A", 3),
        steering={"every_weeks": 4, "weekday": "tue"},
        freezes=[{"name": "Peak", "start": dt.date(2027, 11, 20), "end": dt.date(2027, 12, 31)}],
    )
    plan = parse_plan(data)
    back = parse_plan(read_yaml(dump_yaml(plan)))
    assert back.steering == plan.steering and back.freezes == plan.freezes
    from planner.files import read_plan_bytes
    from planner.formats.xlsx import to_xlsx

    book, _ = read_plan_bytes(to_xlsx(schedule(plan)), "plan.xlsx")  # the workbook's Plan sheet
    assert book.steering == plan.steering and book.freezes == plan.freezes
    with pytest.raises(PlanError, match="freezes"):
        parse_plan({**data, "freezes": [{"start": dt.date(2027, 12, 31), "end": dt.date(2027, 12, 1)}]})
    with pytest.raises(PlanError, match="weekday"):
        parse_plan({**data, "steering": {"weekday": "thursday-ish"}})


def test_templates_keep_cutovers_out_of_the_year_end_freeze_and_say_so():
    """Tests the templates' default: the year-end change freeze (15 December to 5 January) every
    year the plan may span; a large service desk's wave that would cut over in it moves after it,
    with a warning naming the wave and the freeze."""
    gen = generate("service-desk", size="large", start=MONDAY, holidays="GB")
    assert any(f.start == dt.date(2027, 12, 15) and f.end == dt.date(2028, 1, 5) for f in gen.plan.freezes)
    assert "GB" in gen.plan.freezes[0].name
    moved = [w for w in gen.warnings if "moves after the year-end change freeze" in w]
    assert moved and moved[0].split()[0].endswith("CUTOVER")
    table = schedule(gen.plan).table.set_index("id")
    for t in gen.plan.tasks:
        if t.id.endswith("-CUTOVER"):
            hypercare = t.id.replace("CUTOVER", "HYPERCARE")
            first = dt.date.fromisoformat(table.loc[t.id, "start"])
            last = dt.date.fromisoformat(table.loc[hypercare, "finish"])
            assert last < dt.date(2027, 12, 15) or first > dt.date(2028, 1, 5), t.id


def test_settings_view_sets_the_committee_and_a_freeze(app):
    """Tests the Settings view: a cadence and a freeze typed in text apply to the plan and move its
    client gates to Thursdays; a freeze that does not read is refused with the field named and the
    plan kept."""
    from planner.ui import state

    app.segmented_control(key="plan-view").set_value("Settings").run()
    app.text_input(key="settings-steering").input("every 2 weeks on thu")
    app.text_area(key="settings-freezes").input("summer freeze: 2027-07-01 to 2027-07-20")
    next(b for b in app.button if b.label == "Apply settings").click().run()
    assert not app.exception
    plan = app.session_state[state.PLAN]
    assert (plan.steering.every_weeks, plan.steering.weekday) == (2, "thu")
    assert [(f.name, f.start, f.end) for f in plan.freezes] == [
        ("summer freeze", dt.date(2027, 7, 1), dt.date(2027, 7, 20))
    ]
    table = schedule(plan).table.set_index("id")
    gates = [t.id for t in plan.tasks if t.gate is not None and t.owner == "client"]
    assert {dt.date.fromisoformat(table.loc[g, "start"]).weekday() for g in gates} == {3}
    app.segmented_control(key="plan-view").set_value("Settings").run()
    app.text_area(key="settings-freezes").input("summer freeze: 2027-07-20 to 2027-07-01")
    next(b for b in app.button if b.label == "Apply settings").click().run()
    assert any("freezes" in e.value for e in app.error) and app.session_state[state.PLAN] is plan
