"""Built-in templates and the pilot-to-waves generator.

A template file (`templates/NAME.yaml`) holds the fixed tasks (due diligence to pilot), a
per-wave block and the tasks after the last wave. `build_plan` repeats the block N times with
DOMAIN.md's overlap rules, written into the block itself:

- inside the block, `X` is this wave's task X (ids become `W2-X`);
- `prev.X` is the previous wave's X; for wave 1 the block's `first` mapping says which fixed
  tasks stand in (usually the pilot gates);
- after the block, `last.X` is the last wave's X, or the `no_waves` stand-ins when N = 0.

Names and criteria may use {pilot_share}, {n}, {share}, {cumulative}, {final_share} and
{waves}; shares are percentages of the service volume.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from planner.deps import format_link, parse_link
from planner.formats.planfile import read_yaml
from planner.model import Plan, PlanError, Problem
from planner.validate import parse_plan


def _template_dir() -> Path:
    """templates/ beside the package (a checkout or editable install), else the installed copy."""
    import sys

    here = Path(__file__).resolve().parent.parent / "templates"
    installed = Path(sys.prefix) / "share" / "transition-planner" / "templates"
    return here if here.is_dir() or not installed.is_dir() else installed


TEMPLATE_DIR = _template_dir()
MAX_WAVES = 20
_PLACEHOLDER = re.compile(r"\{(pilot_share|n|share|cumulative|final_share|waves|next)\}")


@dataclass(frozen=True)
class TemplateInfo:
    """What the start page and `planner templates` show about a template."""

    name: str
    title: str
    description: str
    size_note: str
    default_waves: int
    default_pilot_share: int
    phases: tuple[str, ...]


def _template_path(name: str) -> Path:
    return TEMPLATE_DIR / f"{name}.yaml"


@lru_cache(maxsize=32)
def _raw(name: str) -> dict[str, Any]:
    path = _template_path(name)
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
        known = ", ".join(template_names())
        raise PlanError([Problem("template", "name", f"no template {name!r}; built-in templates: {known}")])
    data = read_yaml(path.read_text(encoding="utf-8"), source=f"template {name}")
    if not isinstance(data, dict):
        raise PlanError([Problem(f"template {name}", "", "must be a mapping")])
    return data


def template_names() -> list[str]:
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.yaml"))


def template_info(name: str) -> TemplateInfo:
    raw = _raw(name)
    defaults = raw.get("defaults", {})
    phases: list[str] = []
    sections = [raw.get("tasks", []), raw.get("wave", {}).get("tasks", []), raw.get("after", {}).get("tasks", [])]
    for section in sections:
        for t in section:
            if t.get("phase") and t["phase"] not in phases:
                phases.append(t["phase"])
    return TemplateInfo(
        name=name,
        title=raw.get("title", name),
        description=_fill(
            " ".join(str(raw.get("description", "")).split()),
            _share_values(int(defaults.get("pilot_share", 15)), int(defaults.get("waves", 2))),
        ),
        size_note=" ".join(str(raw.get("size_note", "")).split()),
        default_waves=int(defaults.get("waves", 2)),
        default_pilot_share=int(defaults.get("pilot_share", 15)),
        phases=tuple(phases),
    )


def list_templates() -> list[TemplateInfo]:
    return [template_info(n) for n in template_names()]


def next_monday(today: dt.date | None = None) -> dt.date:
    """Default plan start: the next Monday (today if it is one)."""
    today = today or dt.date.today()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)


def _fill(text: Any, values: Mapping[str, Any]) -> Any:
    if not isinstance(text, str):
        return text
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def _fill_task(task: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _fill(v, values) for k, v in task.items() if k not in ("depends_on", "gate")}
    if "gate" in task:
        criteria = task["gate"].get("criteria", [])
        out["gate"] = {"criteria": [{k: _fill(v, values) for k, v in c.items()} for c in criteria]}
    return out


def _resolve(refs: Sequence[str], local: Mapping[str, str], prev: Mapping[str, Sequence[str]]) -> list[str]:
    """Maps block references to plan ids, keeping each link's type and lag."""
    out: list[str] = []
    for ref in refs:
        task, kind, lag = parse_link(ref)
        if "." in task:
            scope, key = task.split(".", 1)
            targets = prev.get(key, []) if scope in ("prev", "last") else [task]
        else:
            targets = [local.get(task, task)]
        for target in targets:
            link = format_link(target, kind, lag)
            if link not in out:
                out.append(link)
    return out


def _share_values(pilot_share: int, waves: int) -> dict[str, Any]:
    return {"pilot_share": pilot_share, "waves": waves, "final_share": 100 if waves else pilot_share}


def build_plan(
    name: str,
    waves: int | None = None,
    pilot_share: int | None = None,
    start: dt.date | None = None,
    plan_name: str | None = None,
    holidays: str | None = None,
) -> Plan:
    """A validated plan from a built-in template, with N rollout waves after the pilot."""
    raw = _raw(name)
    info = template_info(name)
    waves = info.default_waves if waves is None else waves
    pilot_share = info.default_pilot_share if pilot_share is None else pilot_share
    problems = []
    if not 0 <= waves <= MAX_WAVES:
        problems.append(Problem("template", "waves", f"must be between 0 and {MAX_WAVES} (got {waves})"))
    if not 1 <= pilot_share <= 90:
        problems.append(Problem("template", "pilot_share", f"must be a percentage from 1 to 90 (got {pilot_share})"))
    if problems:
        raise PlanError(problems)
    values = _share_values(pilot_share, waves)
    tasks = [{**_fill_task(t, values), "depends_on": list(t.get("depends_on", []))} for t in raw.get("tasks", [])]
    block = raw.get("wave", {})
    block_ids = [t["id"] for t in block.get("tasks", [])]
    prev: dict[str, list[str]] = {k: list(v) for k, v in block.get("first", {}).items()}
    for n in range(1, waves + 1):
        share = (100 - pilot_share) / waves
        wave_values = {
            **values,
            "n": n,
            "next": n + 1,
            "share": round(share),
            "cumulative": round(pilot_share + n * share),
        }
        local = {bid: f"W{n}-{bid}" for bid in block_ids}
        for t in block.get("tasks", []):
            filled = _fill_task(t, wave_values)
            filled["id"] = local[t["id"]]
            filled["wave"] = n
            filled["depends_on"] = _resolve(t.get("depends_on", []), local, prev)
            tasks.append(filled)
        prev = {bid: [local[bid]] for bid in block_ids}
    after = raw.get("after", {})
    last = prev if waves else {k: list(v) for k, v in after.get("no_waves", {}).items()}
    for t in after.get("tasks", []):
        filled = _fill_task(t, values)
        filled["depends_on"] = _resolve(t.get("depends_on", []), {}, last)
        tasks.append(filled)
    plan_data = dict(raw.get("plan", {}))
    plan_data["name"] = _fill(plan_name or plan_data.get("name", info.title), values)
    plan_data["start"] = start or next_monday()
    if holidays:
        plan_data["calendar"] = {**plan_data.get("calendar", {}), "holidays": holidays}
    plan_data["description"] = _fill(" ".join(str(raw.get("description", "")).split()), values)
    plan_data["tasks"] = tasks
    return parse_plan(plan_data)
