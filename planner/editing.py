"""The task grid: a plan as editable rows, and rows back to a validated plan.

The app keeps the canonical Plan and a draft of grid rows; each edit is a delta applied to
the draft, and the draft becomes the new Plan only if it validates. Fields the grid does not
show (gate criteria, notes, progress) are carried over from the task the row came from, and
renaming an id renames the links that point at it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from planner.core.links import format_link, parse_link, split_cell
from planner.core.model import Freeze, Plan, PlanError, Problem, Steering
from planner.core.validate import parse_plan

GRID_COLUMNS = [
    *("id", "name", "phase", "wave", "owner", "duration", "optimistic", "likely", "pessimistic"),
    *("depends_on", "uses", "milestone", "not_before", "deadline", "percent_complete", "actual_start"),
    "actual_finish",
]
ORIGIN = "_origin"  # hidden column: the id the row had when the grid was built
_CARRIED = ("gate", "notes")


def plan_rows(plan: Plan) -> list[dict[str, Any]]:
    """One grid row per task, in plan order."""
    rows = []
    for t in plan.tasks:
        est = t.estimate
        rows.append(
            {
                "id": t.id,
                "name": t.name,
                "phase": t.phase,
                "wave": t.wave,
                "owner": t.owner,
                "duration": t.duration,
                "optimistic": est.optimistic if est else None,
                "likely": est.likely if est else None,
                "pessimistic": est.pessimistic if est else None,
                "depends_on": "; ".join(str(link) for link in t.depends_on),
                "uses": "; ".join(f"{rid}:{units:g}" for rid, units in t.uses),
                "milestone": t.is_milestone,
                "not_before": t.not_before,
                "deadline": t.deadline,
                "percent_complete": t.percent_complete,
                "actual_start": t.actual_start,
                "actual_finish": t.actual_finish,
                ORIGIN: t.id,
            }
        )
    return rows


def apply_delta(rows: Sequence[Mapping[str, Any]], delta: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Applies a data-editor delta (`edited_rows`, `added_rows`, `deleted_rows`) to rows."""
    out = [dict(r) for r in rows]
    for index, changes in (delta.get("edited_rows") or {}).items():
        i = int(index)
        if 0 <= i < len(out):
            out[i].update(changes)
    deleted = {int(i) for i in delta.get("deleted_rows") or []}
    out = [r for i, r in enumerate(out) if i not in deleted]
    for added in delta.get("added_rows") or []:
        row = dict.fromkeys(GRID_COLUMNS)
        row.update(added)
        row[ORIGIN] = None
        out.append(row)
    return out


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    return value


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _shown(value: Any) -> Any:
    """A cell as the grid shows it: blanks alike, numbers as floats, dates as ISO days."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    day = _date(value)
    if isinstance(day, dt.date):
        return day.isoformat()
    return value[:10] if isinstance(value, str) and _ISO_DAY.match(value) else value


def same_rows(shown: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a grid showing `shown` already shows `rows` (a plan's rows): then an edit the plan
    took as typed need not rebuild the grid."""
    columns = [*GRID_COLUMNS, ORIGIN]
    return len(shown) == len(rows) and all(
        _shown(a.get(c)) == _shown(b.get(c)) for a, b in zip(shown, rows, strict=True) for c in columns
    )


def _renamed_links(text: str, renames: Mapping[str, str]) -> list[str]:
    out = []
    for part in split_cell(text):
        try:
            task, kind, lag = parse_link(part)
        except ValueError:
            out.append(part)  # left for validation to report
            continue
        out.append(format_link(renames.get(task, task), kind, lag))
    return out


def _estimate_for(source: Any, row: Mapping[str, Any]) -> list[Any]:
    """The row's estimate; when only Days changed, the task's estimate scaled with it, so the
    duration stays the most likely value and the estimate keeps its relative spread."""
    points = [row.get(k) for k in ("optimistic", "likely", "pessimistic")]
    est = getattr(source, "estimate", None)
    new = row.get("duration")
    if est is None or not isinstance(new, int | float) or new < 0 or new != int(new) or new == source.duration:
        return points  # nothing to scale, or a value validation will refuse as it stands
    new = int(new)
    if any(_blank(p) or p != old for p, old in zip(points, (est.optimistic, est.likely, est.pessimistic), strict=True)):
        return points  # the user edited the estimate too: theirs stands
    if est.likely == 0:
        return [est.optimistic + new, new, est.pessimistic + new]
    factor = new / est.likely
    return [round(est.optimistic * factor), new, round(est.pessimistic * factor)]


def _renamed_head(head: dict[str, Any], renames: Mapping[str, str]) -> dict[str, Any]:
    """Plan-level data that names tasks (RAID links, the baseline, one-off costs) follows renamed ids."""
    if not renames:
        return head
    for item in head.get("raid") or []:
        item["tasks"] = [renames.get(t, t) for t in item.get("tasks") or []]
    for item in (head.get("costs") or {}).get("one_offs") or []:
        item["task"] = renames.get(item["task"], item["task"])
    baseline = head.get("baseline")
    if baseline and baseline.get("tasks"):
        baseline["tasks"] = {renames.get(k, k): v for k, v in baseline["tasks"].items()}
    return head


def rows_to_plan(plan: Plan, rows: Sequence[Mapping[str, Any]]) -> Plan:
    """A new validated plan from grid rows; problems name the grid row (1-based) and field."""
    by_id = {t.id: t for t in plan.tasks}
    renames = {
        r[ORIGIN]: str(r["id"]).strip()
        for r in rows
        if r.get(ORIGIN) and not _blank(r.get("id")) and str(r["id"]).strip() != r[ORIGIN]
    }
    tasks: list[dict[str, Any]] = []
    labels: list[str] = []
    problems: list[Problem] = []
    for n, row in enumerate(rows, start=1):
        data: dict[str, Any] = {}
        for key in ("id", "name", "phase", "owner", "duration", "wave", "percent_complete"):
            value = row.get(key)
            if not _blank(value):
                data[key] = value.strip() if isinstance(value, str) else value
        for key in ("not_before", "deadline", "actual_start", "actual_finish"):
            if not _blank(row.get(key)):
                data[key] = _date(row[key])
        if not _blank(row.get("depends_on")):
            data["depends_on"] = _renamed_links(str(row["depends_on"]), renames)
        if not _blank(row.get("uses")):
            data["uses"] = str(row["uses"])
        source = by_id.get(row.get(ORIGIN) or "")
        points = _estimate_for(source, row)
        if all(not _blank(p) for p in points):
            data["estimate"] = points
        elif any(not _blank(p) for p in points):
            problems.append(Problem(f"row {n}", "estimate", "give optimistic, likely and pessimistic together"))
        duration = data.get("duration")
        milestone = row.get("milestone")
        if isinstance(milestone, bool) and isinstance(duration, int | float) and milestone != (duration == 0):
            data["milestone"] = milestone
        if source is not None:
            for key in _CARRIED:
                value = getattr(source, key)
                if value not in (None, "", 0):
                    data[key] = value.model_dump() if hasattr(value, "model_dump") else value
            if "milestone" not in data and source.milestone is not None and source.milestone != (duration == 0):
                data["milestone"] = source.milestone
        tasks.append(data)
        labels.append(f"row {n}")
    head = _renamed_head(plan.model_dump(exclude={"tasks"}), renames)
    try:
        new = parse_plan({**head, "tasks": tasks}, labels=labels)
    except PlanError as exc:
        raise PlanError(problems + list(exc.every)) from None
    if problems:
        raise PlanError(problems)
    return new


def plan_with_settings(plan: Plan, settings: Mapping[str, Any]) -> Plan:
    """A new validated plan with changed plan-level settings (name, start, calendar, ...)."""
    data = plan.model_dump()
    data.update(settings)
    return parse_plan(data)


def plan_with_gate(plan: Plan, task_id: str, criteria: Sequence[Mapping[str, Any]]) -> Plan:
    """A new validated plan with one gate's criteria (targets and actuals) replaced."""
    data = plan.model_dump()
    for task in data["tasks"]:
        if task["id"] == task_id:
            task["gate"] = {"criteria": list(criteria)}
    return parse_plan(data)


RAID_GRID = [
    *("id", "kind", "title", "owner", "status", "tasks", "due", "probability", "impact"),
    *("delay_chance", "delay_optimistic", "delay_likely", "delay_pessimistic", "mitigation"),
]
_DELAY = ("delay_chance", "delay_optimistic", "delay_likely", "delay_pessimistic")


def raid_rows(plan: Plan) -> list[dict[str, Any]]:
    """One editable row per RAID item (tasks as `A; B`, the schedule impact in four cells)."""
    rows = []
    for r in plan.raid:
        impact = r.schedule_impact
        rows.append(
            {
                "id": r.id,
                "kind": r.kind,
                "title": r.title,
                "owner": r.owner,
                "status": r.status,
                "tasks": "; ".join(r.tasks),
                "due": r.due,
                "probability": r.probability,
                "impact": r.impact,
                "delay_chance": impact.probability if impact else None,
                "delay_optimistic": impact.delay.optimistic if impact else None,
                "delay_likely": impact.delay.likely if impact else None,
                "delay_pessimistic": impact.delay.pessimistic if impact else None,
                "mitigation": r.mitigation,
            }
        )
    return rows


def plan_with_raid(plan: Plan, rows: Sequence[Mapping[str, Any]]) -> Plan:
    """A new validated plan with the RAID log replaced by `rows` (blank rows are dropped);
    problems name the RAID row (1-based) and the field, as the plan file's do."""
    items: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for n, row in enumerate((r for r in rows if not all(_blank(v) for v in r.values())), start=1):
        item: dict[str, Any] = {}
        for key in ("id", "kind", "title", "owner", "status", "mitigation", "probability", "impact"):
            value = row.get(key)
            if not _blank(value):
                item[key] = value.strip() if isinstance(value, str) else value
        if not _blank(row.get("tasks")):
            item["tasks"] = split_cell(str(row["tasks"]))
        if not _blank(row.get("due")):
            item["due"] = _date(row["due"])
        delay = [row.get(k) for k in _DELAY]
        if all(not _blank(v) for v in delay):
            item["schedule_impact"] = {"probability": delay[0], "delay": delay[1:]}
        elif any(not _blank(v) for v in delay):
            problems.append(
                Problem(f"RAID row {n}", "schedule impact", "give the chance and the three delays together")
            )
        items.append(item)
    data = plan.model_dump()
    data["raid"] = items
    try:
        new = parse_plan(data)
    except PlanError as exc:
        raise PlanError(problems + [_raid_problem(p) for p in exc.every]) from None
    if problems:
        raise PlanError(problems)
    return new


def _raid_problem(problem: Problem) -> Problem:
    """`plan: raid[2].title` reads as `RAID row 2: title` beside the RAID grid."""
    m = re.match(r"^raid\[(\d+)\]\.?(.*)$", problem.field)
    if problem.where == "plan" and m:
        return Problem(f"RAID row {m.group(1)}", m.group(2) or "row", problem.message)
    m = re.match(r"^raid (.+)$", problem.where)
    return Problem(f"RAID item {m.group(1)}", problem.field, problem.message) if m else problem


RESOURCE_GRID = ["id", "name", "party", "capacity"]


def resource_rows(plan: Plan) -> list[dict[str, Any]]:
    return [{"id": r.id, "name": r.name, "party": r.party, "capacity": r.capacity} for r in plan.resources]


def plan_with_resources(plan: Plan, rows: Sequence[Mapping[str, Any]], level: bool | None = None) -> Plan:
    """A new validated plan with its resources replaced (and levelling switched, if given);
    problems name the resource row and field, or the task that uses a removed resource."""
    resources, problems = [], []
    for n, row in enumerate(rows, start=1):
        if all(_blank(row.get(k)) for k in RESOURCE_GRID):
            continue
        item = {k: (row[k].strip() if isinstance(row.get(k), str) else row.get(k)) for k in RESOURCE_GRID}
        item = {k: v for k, v in item.items() if not _blank(v)}
        if "id" not in item:
            problems.append(Problem(f"resource row {n}", "id", "give every resource an id (e.g. INC-SME)"))
        if "capacity" not in item:
            problems.append(Problem(f"resource row {n}", "capacity", "give the units available each working day"))
        resources.append(item)
    if problems:
        raise PlanError(problems)
    data = plan.model_dump()
    data["resources"] = resources
    if level is not None:
        data["level"] = level
    return parse_plan(data)


def steering_text(steering: Steering | None) -> str:
    """A cadence as a person writes it: `every 2 weeks on thu from 2027-01-07` (empty: none)."""
    if steering is None:
        return ""
    return f"every {steering.every_weeks} weeks on {steering.weekday}" + (
        f" from {steering.first}" if steering.first else ""
    )


_STEERING = re.compile(r"every\s+(\d+)\s+weeks?\s+on\s+([a-z]+)(?:\s+from\s+(\S+))?", re.I)
_FREEZE = re.compile(r"(.*?):\s*(\S+)\s+to\s+(\S+)")


def steering_from_text(text: str) -> dict[str, Any] | None:
    """`steering_text` read back; text that does not parse goes on for validation to name."""
    if not text.strip():
        return None
    m = _STEERING.fullmatch(text.strip())
    if m is None:
        return {"weekday": text.strip()}
    return {"every_weeks": m.group(1), "weekday": m.group(2).lower(), **({"first": m.group(3)} if m.group(3) else {})}


def freezes_text(freezes: Sequence[Freeze]) -> str:
    """Freeze windows as `name: start to end; ...`."""
    return "; ".join(f"{f.name}: {f.start} to {f.end}" for f in freezes)


def freezes_from_text(text: str) -> list[dict[str, Any]]:
    """`freezes_text` read back; an item that does not parse goes on for validation to name."""
    out = []
    for item in (part.strip() for part in text.split(";")):
        if item:
            m = _FREEZE.fullmatch(item)
            out.append({"name": m.group(1).strip(), "start": m.group(2), "end": m.group(3)} if m else {"name": item})
    return out
