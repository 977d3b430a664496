"""Tests of plan validation: every rule of DESIGN.md, all problems at once (planner.core.model)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from planner.core.model import PlanError
from planner.core.validate import parse_plan
from tests.conftest import plan_data, task


def problems_of(data) -> list[str]:
    with pytest.raises(PlanError) as info:
        parse_plan(data)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        ([task("A", 1), task("A", 2)], "task A (#2): id: duplicate id 'A', also used by task #1"),
        ([task("A B", 1)], "id: id 'A B' may use only letters"),
        ([task("A", 1, "Z")], "task A: depends_on[1]: unknown predecessor 'Z'"),
        ([task("A", 1, "A")], "task A: depends_on[1]: A depends on itself"),
        ([task("A", 1), task("B", 1, "A", "A:SS")], "task B: depends_on[2]: links to A more than once"),
        ([task("A", -1)], "task A: duration: must be >= 0 (got -1)"),
        ([task("A", 2.5)], "task A: duration: must be a whole number of working days (got 2.5)"),
        ([task("A", "two")], "task A: duration: must be a whole number (got 'two')"),
        ([task("A", 1), task("B", 1, "A:XX")], "task B: depends_on[1]: unknown link type 'XX'"),
        ([task("A", 1), task("B", 1, "A:FS+x")], "task B: depends_on[1]: cannot read dependency 'A:FS+x'"),
        ([task("A", 1, not_before="2027-02-30")], "task A: not_before: is not a date; write YYYY-MM-DD"),
        ([task("A", 1, deadline="soon")], "task A: deadline: is not a date"),
        ([task("A", 1, owner="bob")], "task A: owner: 'bob' is not a party of this plan (client, vendor, joint)"),
        (
            [task("A", 1, estimate={"optimistic": 5, "likely": 3, "pessimistic": 8})],
            "task A: estimate: must satisfy optimistic <= likely <= pessimistic (got 5/3/8)",
        ),
        ([task("A", 1, durtion=3)], "task A: durtion: unknown field (check the spelling)"),
        ([{"id": "A", "duration": 1}], "task A: name: is required"),
        ([{"name": "no id", "duration": 1}], "task #1: id: is required"),
        ([task("A", 1, percent_complete=120)], "task A: percent_complete: must be <= 100"),
        (
            [task("A", 1, gate={"criteria": [{"kpi": "SLA", "target": "95%"}]})],
            "target '95%' must start with >=, <=, >, <, == or !=",
        ),
        ([task("A", 1, wave=-1)], "task A: wave: must be >= 0"),
    ],
)
def test_each_rule_names_task_and_field(tasks, expected):
    """Tests that every validation rule reports the task and the field."""
    assert any(expected in p for p in problems_of(plan_data(*tasks))), problems_of(plan_data(*tasks))


def test_cycle_is_named_in_order():
    """Tests that a dependency cycle is reported as A -> B -> C -> A."""
    data = plan_data(task("A", 1, "C"), task("B", 1, "A:SS+2"), task("C", 1, "B"), task("D", 1))
    assert problems_of(data) == ["task A: depends_on: dependency cycle A -> B -> C -> A"]


def test_two_cycles_are_both_named():
    """Tests that separate cycles are each reported."""
    data = plan_data(task("A", 1, "B"), task("B", 1, "A"), task("C", 1, "D"), task("D", 1, "C"))
    found = problems_of(data)
    assert len(found) == 2 and all("dependency cycle" in p for p in found)


def test_all_problems_reported_at_once():
    """Tests that field, link, owner and cycle problems all come back in one error."""
    data = plan_data(
        task("A", -3, "Z"),
        task("B", 1, "C", owner="bob"),
        task("C", 1, "B"),
        task("A", 1),
    )
    found = problems_of(data)
    assert any("duration" in p for p in found)
    assert any("unknown predecessor 'Z'" in p for p in found)
    assert any("'bob' is not a party" in p for p in found)
    assert any("dependency cycle" in p for p in found)
    assert any("duplicate id" in p for p in found)


@pytest.mark.parametrize(
    ("plan_fields", "expected"),
    [
        ({"start": "tomorrow"}, "plan: start: is not a date"),
        ({"name": ""}, "plan: name: must not be empty"),
        ({"calendar": {"weekend": ["sat", "funday"]}}, "unknown weekday 'funday'"),
        ({"calendar": {"weekend": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}}, "at least one working day"),
        ({"calendar": {"holidays": "XX"}}, "unknown holiday country 'XX'"),
        ({"calendar": {"closures": ["2027-13-01"]}}, "calendar.closures[1]: is not a date"),
        ({"deadline": "2027-02-30"}, "plan: deadline: is not a date"),
        ({"parties": ["client", "client"]}, "party 'client' is listed twice"),
        ({"colour": "red"}, "plan: colour: unknown field"),
    ],
)
def test_plan_level_rules(plan_fields, expected):
    """Tests plan-level validation: dates, calendar, parties and unknown fields."""
    data = plan_data(task("A", 1), **plan_fields)
    assert any(expected in p for p in problems_of(data)), problems_of(data)


def test_missing_start_and_tasks_not_a_list():
    """Tests a plan without a start and with tasks that are not a list."""
    found = problems_of({"name": "x", "tasks": "A,B"})
    assert "plan: start: is required" in found
    assert "plan: tasks: must be a list of tasks" in found


def test_not_a_mapping():
    """Tests that a file holding a list instead of a plan is refused clearly."""
    assert problems_of([1, 2]) == ["plan: a plan file must be a mapping with name, start and tasks"]


def test_dependency_notation_forms():
    """Tests ID, ID:TYPE, ID:TYPE+N, ID:TYPE-N, lower case and the long form."""
    data = plan_data(
        task("A", 1),
        task("B", 1, "A:ss"),
        task("C", 1, "A:FF-2", "B:sf+3"),
        task("D", 1, {"task": "A", "type": "ss", "lag": 2}),
    )
    plan = parse_plan(data)
    assert [str(link) for link in plan.task("C").depends_on] == ["A:FF-2", "B:SF+3"]
    assert str(plan.task("B").depends_on[0]) == "A:SS"
    assert (plan.task("D").depends_on[0].type, plan.task("D").depends_on[0].lag) == ("SS", 2)


def test_custom_parties_and_subdivision_holidays():
    """Tests exit-plan parties and a holiday subdivision written as US-CA."""
    data = plan_data(
        task("A", 1, owner="incumbent"),
        parties=["client", "incumbent", "successor", "joint"],
        calendar={"holidays": "US-CA", "weekend": "sat, sun"},
    )
    plan = parse_plan(data)
    assert plan.calendar.holidays == "US" and plan.calendar.subdiv == "CA"
    assert plan.task("A").owner == "incumbent"


def test_estimate_list_form_sets_duration():
    """Tests the compact [o, m, p] estimate, which also gives the duration when none is set."""
    plan = parse_plan(plan_data({"id": "A", "name": "a", "estimate": [2, 4, 9]}))
    assert plan.task("A").duration == 4
    assert plan.task("A").estimate.pessimistic == 9


def test_plans_are_immutable():
    """Tests that a Plan and its tasks cannot be changed in place."""
    plan = parse_plan(plan_data(task("A", 1)))
    with pytest.raises(ValidationError, match="frozen"):
        plan.name = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        plan.tasks[0].duration = 5  # type: ignore[misc]
    assert plan.start == dt.date(2027, 1, 4)
