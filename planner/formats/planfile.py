"""Plan files in YAML and JSON (DESIGN.md, "The plan model").

YAML is read with the safe loader only (the C one when libyaml is present): a plan file is
data and must never construct Python objects.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import yaml

from planner.model import Plan, PlanError, Problem

try:
    _Loader: type = yaml.CSafeLoader
    _Dumper: type = yaml.CSafeDumper
except AttributeError:  # libyaml not compiled in
    _Loader, _Dumper = yaml.SafeLoader, yaml.SafeDumper


def read_yaml(text: str, source: str = "plan") -> Any:
    """Parses YAML safely; a syntax error becomes a PlanError naming line and column."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError([Problem(source, "", f"not valid YAML{where}: {problem}")]) from None


def read_json(text: str, source: str = "plan") -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(
            [Problem(source, "", f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
        ) from None


def plan_to_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain data, defaults left out so files stay short and readable."""
    data = plan.model_dump(mode="python", exclude_defaults=True, exclude={"tasks", "calendar"})
    data = {"name": plan.name, "start": plan.start, **{k: v for k, v in data.items() if k not in ("name", "start")}}
    cal = plan.calendar
    cal_data: dict[str, Any] = {"weekend": cal.weekend_names}
    if cal.holidays:
        cal_data["holidays"] = cal.holidays if not cal.subdiv else f"{cal.holidays}-{cal.subdiv}"
    if cal.closures:
        cal_data["closures"] = list(cal.closures)
    data["calendar"] = cal_data
    if "parties" in data:
        data["parties"] = list(plan.parties)
    data["tasks"] = [_task_data(t) for t in plan.tasks]
    return data


def _task_data(task: Any) -> dict[str, Any]:
    out = task.model_dump(mode="python", exclude_defaults=True, exclude={"depends_on", "gate", "estimate"})
    out.setdefault("duration", task.duration)
    ordered = {k: out[k] for k in ("id", "name", "phase", "wave", "owner", "duration") if k in out}
    ordered.update({k: v for k, v in out.items() if k not in ordered})
    if task.estimate is not None:
        ordered["estimate"] = task.estimate.model_dump()
    if task.depends_on:
        ordered["depends_on"] = [str(link) for link in task.depends_on]
    if task.gate is not None:
        ordered["gate"] = {"criteria": [c.model_dump(exclude_none=True) for c in task.gate.criteria]}
    if isinstance(ordered.get("percent_complete"), float) and ordered["percent_complete"].is_integer():
        ordered["percent_complete"] = int(ordered["percent_complete"])
    return ordered


def dump_yaml(plan: Plan) -> str:
    """YAML text of a plan; only plain scalars, lists and mappings (safe to load anywhere)."""
    return yaml.dump(plan_to_data(plan), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dump_json(plan: Plan) -> str:
    return json.dumps(plan_to_data(plan), default=_json_default, indent=2, ensure_ascii=False)
