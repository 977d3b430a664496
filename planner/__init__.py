"""Transition and pilot planner: plan files in, a scheduled dependency graph out.

>>> from planner import load_plan, schedule
>>> sched = schedule(load_plan("plan.yaml"))
>>> sched.finish, sched.critical_path

The names below load on first use (PEP 562), so `import planner.cli.main` does not pay for
pydantic, numpy and pandas when the command needs none of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.core.model import Link, Plan, Task
    from planner.core.schedule import Schedule
    from planner.core.validate import parse_plan
    from planner.files import load_plan, plan_from_bytes
    from planner.problems import PlanError, Problem
    from planner.scheduling import schedule

_WHERE = {
    "Link": "planner.core.model",
    "Plan": "planner.core.model",
    "Task": "planner.core.model",
    "PlanError": "planner.problems",
    "Problem": "planner.problems",
    "parse_plan": "planner.core.validate",
    "load_plan": "planner.files",
    "plan_from_bytes": "planner.files",
    "Schedule": "planner.core.schedule",
    "schedule": "planner.scheduling",
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
