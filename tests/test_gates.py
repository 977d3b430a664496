"""Tests of gate criteria evaluation (planner.core.gates)."""

from __future__ import annotations

import pytest

from planner.core.gates import criterion_status, gate_status
from planner.core.model import Criterion
from planner.core.validate import parse_plan
from tests.conftest import plan_data, task


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        (">= 95%", "96%", "met"),
        (">= 95%", "94.5%", "missed"),
        ("<= 5%", "5", "met"),
        ("<= 20", "21", "missed"),
        ("== yes", "Yes", "met"),
        ("== yes", "no", "missed"),
        ("!= 0", "0", "missed"),
        ("> 3", "3,5", "met"),
        ("< 15 min", "12 min", "met"),
        (">= 95%", None, "pending"),
        (">= 95%", "n/a", "missed"),
    ],
)
def test_criterion_status(target, actual, expected):
    """Tests numeric, percentage, unit and text comparisons against targets."""
    assert criterion_status(Criterion(kpi="KPI", target=target, actual=actual)) == expected


def test_gate_passed_failed_pending():
    """Tests a gate's status from its criteria: any miss fails it, all met passes it."""

    def gate(*actuals):
        crit = [{"kpi": f"K{i}", "target": ">= 90%", **({"actual": a} if a else {})} for i, a in enumerate(actuals)]
        return parse_plan(plan_data(task("G", 0, gate={"criteria": crit}))).task("G")

    assert gate_status(gate("95%", "91%")) == "passed"
    assert gate_status(gate("95%", "80%")) == "failed"
    assert gate_status(gate("95%", None)) == "pending"
    assert gate_status(gate(None, "80%")) == "failed"
    assert gate_status(parse_plan(plan_data(task("A", 1))).task("A")) is None
