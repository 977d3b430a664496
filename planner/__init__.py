"""Transition and pilot planner: plan files in, a scheduled dependency graph out.

    >>> from planner import load_plan, schedule
    >>> sched = schedule(load_plan("plan.yaml"))
    >>> sched.finish, sched.critical_path

Names are imported on first use, so `python -m planner templates` does not pay for pandas.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "load_plan": "planner.files",
    "plan_from_bytes": "planner.files",
    "Link": "planner.model",
    "Plan": "planner.model",
    "PlanError": "planner.model",
    "Problem": "planner.model",
    "Task": "planner.model",
    "parse_plan": "planner.model",
    "Schedule": "planner.schedule",
    "schedule": "planner.schedule",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
