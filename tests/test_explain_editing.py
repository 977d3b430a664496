"""Tests of why-critical explanations, key figures and the grid editing model."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.core.model import PlanError
from planner.core.validate import parse_plan
from planner.editing import ORIGIN, apply_delta, plan_rows, plan_with_settings, rows_to_plan
from planner.explain import driving_chain, explain, key_figures
from planner.generate.build import build_plan, generate
from planner.scheduling import schedule
from tests.conftest import MONDAY, plan_data, task


@pytest.fixture(scope="module")
def sd():
    return schedule(build_plan("service-desk", waves=2, start=MONDAY))


def test_explain_names_driver_dates_and_float(sd):
    """Tests the sentence form: start, driving predecessor's finish, float."""
    lines = explain(sd, "W2-CUTOVER")
    table = sd.table.set_index("id")
    start, go = table.loc["W2-CUTOVER", "start"], table.loc["W2-GO", "finish"]
    assert go < start  # the cutover go falls on a Friday, the cutover starts on the Monday
    assert lines[0].startswith(f"W2-CUTOVER starts {start} because W2-GO finishes {go}")
    assert "0 working days of float" in lines[0]
    assert lines[-1] == "SD01 starts 2027-01-04, the plan start"


def test_explain_lags_leads_and_not_before():
    """Tests wording for SS lags, FF leads, milestones and not-before dates."""
    data = plan_data(
        task("A", 5),
        task("B", 2, "A:SS+2"),
        task("C", 3, "B:FF-1"),
        task("D", 1, not_before=dt.date(2027, 1, 5)),
        task("M", 0, "C"),
    )
    s = schedule(parse_plan(data))
    assert explain(s, "B")[0].startswith("B starts 2027-01-06 because A starts 2027-01-04 + 2 working days lag")
    assert "C finishes 2027-01-06 because B finishes 2027-01-07 - 1 working day lead" in explain(s, "C")[0]
    assert explain(s, "D")[0].startswith("D starts 2027-01-05, held by its not-before date 2027-01-05")
    assert explain(s, "M")[0].startswith("M falls on")
    assert "can slip" in explain(s, "D")[0]
    assert [d.task for d in driving_chain(s, "C")] == ["C", "B", "A"]


def test_handover_is_one_rule_for_plans_without_a_named_one():
    """Tests the handover of a plan the generator did not name one for: the last cutover to
    finish, else the last key date; and a generated plan whose named task was deleted falls back."""
    cut = plan_data(
        task("A", 5, phase="Cutover"),
        task("B", 2, "A", phase="Cutover"),
        task("C", 9, phase="Cutover"),
        task("M", 0, "B"),
    )
    assert key_figures(schedule(parse_plan(cut))).handover.id == "C"
    plain = plan_data(task("A", 5), task("M1", 0, "A"), task("B", 3, "A"), task("M2", 0, "B"), task("Z", 4, "M2"))
    assert key_figures(schedule(parse_plan(plain))).handover.id == "M2"
    assert key_figures(schedule(parse_plan(plan_data(task("A", 5))))).handover is None
    generated = build_plan("service-desk", waves=2, pilot_share=15, start=MONDAY)
    renamed = generated.model_copy(update={"generated": generated.generated.model_copy(update={"handover": "GONE"})})
    assert renamed.handover(schedule(renamed).table["finish"].tolist()) == "SD40"  # last of phase Cutover


def test_key_figures(sd):
    """Tests plan finish, critical count, next milestone, pilot go/no-go and handover."""
    k = key_figures(sd, today=dt.date(2027, 3, 1))
    assert k.finish == sd.finish and k.critical_count == int(sd.table["critical"].sum())
    assert k.next_milestone.id == "SD32"
    assert k.pilot_go.id == "SD14"
    assert k.handover.id == sd.plan.generated.handover == "W2-CUTOVER"  # the generator's, one rule
    assert k.handover.date.isoformat() == sd.table.set_index("id").loc["SD40", "finish"]  # service commencement
    assert k.handover.date.isoformat() == sd.table.set_index("id").loc["W2-CUTOVER", "finish"]
    assert k.deadline_margin is None
    late = plan_with_settings(sd.plan, {"deadline": dt.date(2027, 7, 30)})
    assert key_figures(schedule(late)).deadline_margin < 0


def test_grid_rename_updates_links_and_keeps_gates():
    """Tests that renaming an id in the grid renames links to it, and the one-off cost on it,
    and keeps gate criteria."""
    plan = build_plan("service-desk", waves=1, start=MONDAY)
    rows = plan_rows(plan)
    i = [r["id"] for r in rows].index("SD04")
    new = rows_to_plan(plan, apply_delta(rows, {"edited_rows": {i: {"id": "CONTRACT"}}}))
    assert new.task("CONTRACT").gate == plan.task("SD04").gate
    assert "CONTRACT" in {link.task for link in new.task("SD05").depends_on}
    assert "CONTRACT" in {o.task for o in new.costs.one_offs}  # the transition fee follows it


def test_grid_problems_name_rows():
    """Tests grid problems: row number, field, message; partial estimates refused."""
    plan = parse_plan(plan_data(task("A", 2), task("B", 1, "A")))
    rows = apply_delta(plan_rows(plan), {"added_rows": [{"id": "C", "name": "c", "duration": -1, "likely": 3}]})
    with pytest.raises(PlanError) as info:
        rows_to_plan(plan, rows)
    found = [str(p) for p in info.value.problems]
    assert "row 3: estimate: give optimistic, likely and pessimistic together" in found
    assert any(p.startswith("row 3 (C): duration: must be >= 0") for p in found)


def test_grid_delete_and_values_from_editor():
    """Tests deleting rows and editor-style values (floats, NaN, ISO date strings)."""
    plan = parse_plan(plan_data(task("A", 2), task("B", 1, "A"), task("C", 4)))
    rows = plan_rows(plan)
    rows = apply_delta(rows, {"deleted_rows": [2], "edited_rows": {1: {"duration": 3.0, "not_before": "2027-02-01"}}})
    new = rows_to_plan(plan, rows)
    assert [t.id for t in new.tasks] == ["A", "B"]
    assert new.task("B").duration == 3 and new.task("B").not_before == dt.date(2027, 2, 1)
    assert rows[0][ORIGIN] == "A"


def test_the_grid_is_kept_only_when_it_already_shows_the_plan():
    """Tests the rule that decides whether a grid edit rebuilds the grid: kept when the plan took
    the edit as typed (a whole number typed as 9.0, a date typed as text), rebuilt when the plan
    reads it differently (an estimate scaled with its days, a name with its spaces trimmed)."""
    from planner.editing import apply_delta, plan_rows, rows_to_plan, same_rows

    plan = parse_plan(plan_data(task("A", 5), task("B", 3, "A", estimate=[2, 3, 5])))
    rows = plan_rows(plan)
    for delta, kept in (
        ({0: {"duration": 9.0}}, True),
        ({0: {"not_before": "2027-03-01T00:00:00"}}, True),
        ({1: {"duration": 6}}, False),  # the estimate 2/3/5 becomes 4/6/10
        ({0: {"name": "  Kick-off  "}}, False),
    ):
        draft = apply_delta(rows, {"edited_rows": delta})
        assert same_rows(draft, plan_rows(rows_to_plan(plan, draft))) is kept, delta


def test_why_critical_says_what_a_slip_really_does():
    """Tests issue 30 item 3: in a levelled exit plan, a task with no float on paper whose slip the
    levelling absorbs is not called critical; the slip it names is checked against the schedule
    itself (rescheduled here), and a task called critical moves the finish when slipped a day."""
    import re

    plan = generate("vendor-exit", waves=2, start=MONDAY, contract_end=dt.date(2027, 12, 31)).plan
    sched = schedule(plan)

    def moved(tid: str, days: int) -> int:
        slipped = plan.with_durations({tid: plan.task(tid).duration + days})
        return schedule(slipped).finish_offset - sched.finish_offset

    ready = explain(sched, "W2-READY")[0]
    assert "any slip" not in ready and "critical," not in ready
    room = int(re.search(r"it can slip (\d+) working days? before the plan finish moves", ready).group(1))
    assert moved("W2-READY", room) == 0 and moved("W2-READY", room + 1) > 0
    said = explain(sched, "W2-CUTOVER")[0]
    by = int(re.search(r"critical, a 1-working-day slip moves the plan finish by (\d+)", said).group(1))
    assert moved("W2-CUTOVER", 1) == by > 0
