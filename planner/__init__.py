"""Transition and pilot planner: plan files in, a scheduled dependency graph out.

>>> from planner import load_plan, schedule
>>> sched = schedule(load_plan("plan.yaml"))
>>> sched.finish, sched.critical_path

The names below load on first use, so `import planner.cli` (or any submodule) does not pay
for pandas and the scheduler when the command needs neither.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.files import load_plan, plan_from_bytes
    from planner.model import Link, Plan, PlanError, Problem, Task
    from planner.schedule import Schedule, schedule
    from planner.validate import parse_plan

_WHERE = {
    "Link": "planner.model",
    "Plan": "planner.model",
    "PlanError": "planner.model",
    "Problem": "planner.model",
    "Task": "planner.model",
    "parse_plan": "planner.validate",
    "load_plan": "planner.files",
    "plan_from_bytes": "planner.files",
    "Schedule": "planner.schedule",
    "schedule": "planner.schedule",
}

__all__ = [
    "Link",
    "Plan",
    "PlanError",
    "Problem",
    "Schedule",
    "Task",
    "load_plan",
    "parse_plan",
    "plan_from_bytes",
    "schedule",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)


class _Package(types.ModuleType):
    """Loading the submodule `planner.schedule` would bind the package attribute `schedule` to
    the module; the public name stays the function (DESIGN.md's `from planner import schedule`)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "schedule" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
