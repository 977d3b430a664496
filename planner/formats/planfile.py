"""Plan files in YAML and JSON (DESIGN.md, "The plan model").

YAML is read with the safe loader only (the C one when libyaml is present): a plan file is
data and must never construct Python objects.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import yaml

from planner.limits import shorten
from planner.problems import PlanError, Problem

if TYPE_CHECKING:
    from planner.core.model import Plan

try:
    _Dumper: type = yaml.CSafeDumper
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # libyaml not compiled in
    _Dumper, _BaseLoader = yaml.SafeDumper, yaml.SafeLoader


MAX_ALIAS_EVENTS = 100_000  # nodes that aliases may replay in one document
MAX_ALIAS_TEXT = 1_000_000  # characters of text they may replay: a 1 MB file once became 4.6 GB


class _Yaml12Loader(_BaseLoader):
    """PyYAML's safe loader with YAML 1.2's booleans (only true/false), a key given twice
    refused, and aliases limited to replaying MAX_ALIAS_EVENTS nodes and MAX_ALIAS_TEXT characters
    in all (a "billion laughs" of 700 bytes would otherwise expand to millions of nodes, and an alias
    to a long text repeated a hundred thousand times to gigabytes, downstream)."""

    def construct_document(self, node: Any) -> Any:
        sizes: dict[int, tuple[int, int]] = {}  # node -> (nodes, characters) once expanded
        written = 0  # characters of the scalars as written, each once

        def expanded(n: Any) -> tuple[int, int]:
            nonlocal written
            key = id(n)
            if key not in sizes:
                sizes[key] = (0, 0)  # a recursive alias counts once
                if isinstance(n, yaml.MappingNode | yaml.SequenceNode):
                    parts = [expanded(x) for item in n.value for x in (item if isinstance(item, tuple) else (item,))]
                    sizes[key] = (1 + sum(p[0] for p in parts), sum(p[1] for p in parts))
                else:
                    text = len(n.value) if isinstance(n.value, str) else 0
                    written += text
                    sizes[key] = (1, text)
            return sizes[key]

        nodes, chars = expanded(node)
        if nodes - len(sizes) > MAX_ALIAS_EVENTS:
            raise yaml.constructor.ConstructorError(
                None, None, f"aliases expand to {nodes:,} nodes; at most {MAX_ALIAS_EVENTS:,} may be repeated"
            )
        if chars - written > MAX_ALIAS_TEXT:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"aliases repeat {chars - written:,} characters of text; at most {MAX_ALIAS_TEXT:,} may be repeated",
            )
        return super().construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, list | dict):
                    continue
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate mapping key: {shorten(repr(key))}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in _BaseLoader.yaml_implicit_resolvers.copy().items()  # type: ignore[attr-defined]
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _decimal_int(loader: Any, node: Any) -> int | str:
    """YAML 1.2 integers: 010 is ten (PyYAML's 1.1 rules read it as octal eight)."""
    text = loader.construct_scalar(node).replace("_", "")
    if text.lower().startswith(("0x", "-0x", "+0x")):
        return int(text, 16)
    if text.lower().startswith(("0o", "-0o", "+0o")):
        return int(text.replace("o", "").replace("O", ""), 8)
    return int(text, 10) if ":" not in text else text  # 1:30 is text in YAML 1.2, not base 60


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _decimal_int)


def read_yaml(text: str, source: str = "plan") -> Any:
    """Parses YAML as data only, on every thread the same way: PyYAML's safe loader (the C one
    where libyaml is present) with YAML 1.2 booleans and integers, a key given twice refused and
    alias expansion bounded. A syntax error becomes a PlanError naming line and column."""
    try:
        return yaml.load(text, Loader=_Yaml12Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PlanError([Problem(source, "", f"not valid YAML{where}: {shorten(str(problem))}")]) from None
    except RecursionError:
        raise PlanError([Problem(source, "", "not valid YAML: nested too deeply")]) from None


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (the last would silently win)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def read_json(text: str, source: str = "plan") -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        key = shorten(repr(exc.args[0]))
        raise PlanError([Problem(source, "", f"not valid: key {key} appears twice in one object")]) from None
    except json.JSONDecodeError as exc:
        raise PlanError(
            [Problem(source, "", f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
        ) from None
    except RecursionError:
        raise PlanError([Problem(source, "", "not valid JSON: nested too deeply")]) from None


def _plain(value: Any) -> Any:
    """Tuples as lists, recursively: safe dumpers write only lists, mappings and scalars. Money
    (at most 15 digits, 2 after the point) is written as a number whose text reads back exactly."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def plan_to_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain data, defaults left out so files stay short and readable."""
    return _plain(_plan_data(plan))


def _plan_data(plan: Plan) -> dict[str, Any]:
    data = plan.model_dump(mode="python", exclude_defaults=True, exclude={"tasks", "calendar"})
    data = {"name": plan.name, "start": plan.start, **{k: v for k, v in data.items() if k not in ("name", "start")}}
    cal = plan.calendar
    cal_data: dict[str, Any] = {"weekend": cal.weekend_names}
    if cal.region:
        cal_data["holidays"] = cal.region
    if cal.closures:
        cal_data["closures"] = list(cal.closures)
    data["calendar"] = cal_data
    if "parties" in data:
        data["parties"] = list(plan.parties)
    if plan.resources:
        data["resources"] = [
            {
                k: (int(v) if k == "capacity" and float(v).is_integer() else v)
                for k, v in r.model_dump(exclude_defaults=True).items()
            }
            for r in plan.resources
        ]
    if plan.generated is not None:  # every field, defaults too: it says how the plan was made
        data["generated"] = plan.generated.model_dump(mode="python")
    data["tasks"] = [_task_data(t) for t in plan.tasks]
    return data


def _task_data(task: Any) -> dict[str, Any]:
    out = task.model_dump(mode="python", exclude_defaults=True, exclude={"depends_on", "gate", "estimate"})
    out.setdefault("duration", task.duration)
    ordered = {k: out[k] for k in ("id", "name", "phase", "wave", "owner", "duration") if k in out}
    ordered.update({k: v for k, v in out.items() if k not in ordered})
    if task.uses:
        ordered["uses"] = dict(task.uses)
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
