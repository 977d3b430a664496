"""Transition and pilot planner: plan files in, a scheduled dependency graph out.

>>> from planner import load_plan, schedule
>>> sched = schedule(load_plan("plan.yaml"))
>>> sched.finish, sched.critical_path
"""

from planner.files import load_plan, plan_from_bytes
from planner.model import Link, Plan, PlanError, Problem, Task
from planner.schedule import Schedule, schedule
from planner.validate import parse_plan

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
