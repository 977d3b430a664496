"""Go/no-go gates: is each KPI exit criterion met, and is the gate passed, failed or pending?

DESIGN.md: a gate is passed when every criterion has an actual that meets its target, failed
when one actual misses, pending otherwise. Targets are comparisons (`>= 95%`, `<= 20`,
`== yes`); numbers compare as numbers (a trailing % or unit is ignored), anything else as
case-insensitive text.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from planner.core.model import Criterion, Task

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
_TARGET = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(.+?)\s*$")
_NUMBER = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*(%|[A-Za-z ]*)?\s*$")


def _value(text: str) -> float | str:
    m = _NUMBER.match(text)
    return float(m.group(1).replace(",", ".")) if m else text.strip().lower()


def criterion_status(c: Criterion) -> str:
    """ "met", "missed" or "pending" (no actual yet)."""
    if c.actual is None or not str(c.actual).strip():
        return "pending"
    m = _TARGET.match(c.target)
    if not m:
        return "pending"
    op, target = _OPS[m.group(1)], _value(m.group(2))
    actual = _value(str(c.actual))
    if isinstance(target, float) != isinstance(actual, float):
        return "missed" if m.group(1) in ("==", ">=", "<=", ">", "<") else "met"
    return "met" if op(actual, target) else "missed"


def gate_status(task: Task) -> str | None:
    """ "passed", "failed" or "pending" for a gate; None for a task without one."""
    if task.gate is None:
        return None
    states = [criterion_status(c) for c in task.gate.criteria]
    if "missed" in states:
        return "failed"
    if states and all(s == "met" for s in states):
        return "passed"
    return "pending"


def criterion_text(c: Criterion) -> str:
    """`KPI target`, with the actual and its verdict once one is recorded (milestone CSV)."""
    text = f"{c.kpi} {c.target}"
    if c.actual is None:
        return text
    return f"{text} (actual {c.actual}: {criterion_status(c)})"
