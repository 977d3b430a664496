"""Plan files in YAML and JSON (DESIGN.md, "The plan model").

YAML is read with the safe loader only (the C one when libyaml is present): a plan file is
data and must never construct Python objects.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import yaml
import yaml_rs

from planner.model import Plan, PlanError, Problem

try:
    _Dumper: type = yaml.CSafeDumper
except AttributeError:  # libyaml not compiled in
    _Dumper = yaml.SafeDumper


_ALIAS_LIMITS = yaml_rs.AliasLimits(max_total_replayed_events=100_000, max_replay_stack_depth=16)


def read_yaml(text: str, source: str = "plan") -> Any:
    """Parses YAML as data only (no tags that build objects; alias expansion is limited).

    yaml-rs reads a 10k-task plan in 0.15 s where PyYAML's C loader takes 2 s (README).
    A syntax error becomes a PlanError naming line and column.
    """
    try:
        return yaml_rs.loads(text, alias_limits=_ALIAS_LIMITS)
    except yaml_rs.YAMLDecodeError as exc:
        lines = [line for line in str(exc).splitlines() if line.strip()]
        detail = lines[0] if lines else "unreadable"
        tail = lines[-1].strip() if len(lines) > 1 else ""
        if tail and not tail.startswith(("|", "^")) and tail not in detail:
            detail = f"{detail}: {tail}"
        raise PlanError([Problem(source, "", f"not valid YAML: {detail}")]) from None
    except (ValueError, OverflowError) as exc:
        raise PlanError([Problem(source, "", f"not valid YAML: {exc}")]) from None


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
