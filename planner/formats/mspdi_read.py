"""MS Project XML (MSPDI) import: parsed with defusedxml (no DTDs, entities or external
references); whatever cannot be carried over exactly (fractional durations, elapsed or percent
lags, nested summaries, unsupported constraints) is listed as a warning, never dropped silently.
The element names and units are the writer's (`planner.formats.mspdi`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET  # types and ParseError only; parsing goes through defusedxml
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from planner.core.model import DEFAULT_PARTIES, Plan, PlanError, Problem
from planner.core.validate import parse_plan
from planner.formats.mspdi import (
    ACTUAL,
    DAY_TYPE,
    GATE_HEADER,
    LINK_NAME,
    NS,
    TEXT1,
    TEXT2,
    TEXT3,
    TEXT4,
)
from planner.limits import shorten

_CRITERION = re.compile(r"^- (.+?) ((?:>=|<=|==|!=|>|<) ?\S.*)$")
_ISO_DURATION = re.compile(
    r"^-?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_ELAPSED_LAG = {4, 6, 8, 10, 12}


def _text(el: ET.Element | None, tag: str, default: str | None = None) -> str | None:
    if el is None:
        return default
    child = el.find(f"{{{NS}}}{tag}")
    return child.text.strip() if child is not None and child.text else default


def _bad(where: str, tag: str, message: str) -> PlanError:
    return PlanError([Problem(where, tag, message)])


def _minutes(iso: str, where: str = "task", tag: str = "Duration") -> float:
    """Minutes of an ISO 8601 duration (`PT40H0M0S`); a negative or unreadable one is refused."""
    m = _ISO_DURATION.match(iso or "")
    if not m:
        raise _bad(where, tag, f"unreadable duration {shorten(repr(iso))}; MS Project writes e.g. PT40H0M0S")
    if iso.startswith("-"):
        raise _bad(where, tag, f"negative duration {shorten(repr(iso))}; a task cannot take less than no time")
    y, mo, d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return ((d * 24 + h) * 60 + mi + s / 60) if not (y or mo) else (y * 365 + mo * 30 + d) * 1440


def _date(value: str | None, where: str = "project", tag: str = "date") -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise _bad(where, tag, f"{shorten(repr(value))} is not a date; MS Project writes 2027-01-04T08:00:00") from None


def _number(el: ET.Element | None, tag: str, where: str, default: float) -> float:
    """A finite number from a child element (inf, nan and words refused)."""
    text = _text(el, tag)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise _bad(where, tag, f"must be a number (got {shorten(repr(text))})") from None
    if not math.isfinite(value):
        raise _bad(where, tag, f"must be a finite number (got {shorten(repr(text))})")
    return value


def _integer(el: ET.Element | None, tag: str, where: str, default: int) -> int:
    text = _text(el, tag)
    if text is None:
        return default
    if not re.fullmatch(r"[+-]?\d{1,9}", text):
        raise _bad(where, tag, f"must be a whole number (got {shorten(repr(text))})")
    return int(text)


def read_mspdi(raw: bytes, source: str = "project.xml") -> tuple[Plan, list[str]]:
    """A validated plan and the warnings about what could not be carried over exactly."""
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise PlanError(
            [
                Problem(
                    source,
                    "",
                    f"refused: the XML uses {type(exc).__name__} (DTDs and entities are not allowed in plan files)",
                )
            ]
        ) from None
    except ET.ParseError as exc:
        raise PlanError([Problem(source, "", f"not well-formed XML: {exc}")]) from None
    if root.tag != f"{{{NS}}}Project":
        raise PlanError(
            [Problem(source, "", f"not an MS Project XML file (the root must be <Project> in the {NS} namespace)")]
        )
    warnings: list[str] = []
    per_day = _number(root, "MinutesPerDay", "project", 480.0)
    if not 0 < per_day <= 1440:
        raise _bad("project", "MinutesPerDay", f"must be more than 0 and at most 1440 (got {per_day:g})")
    start = _date(_text(root, "StartDate"), "project", "StartDate")
    name = _text(root, "Title") or _text(root, "Name") or "Imported project"
    name = re.sub(r"\.xml$", "", name)
    weekend, closures = _read_calendar(root, warnings)
    tasks_el = root.find(f"{{{NS}}}Tasks")
    raw_tasks = list(tasks_el) if tasks_el is not None else []
    by_uid: dict[str, dict[str, Any]] = {}
    order: list[dict[str, Any]] = []
    phase_at_level: dict[int, str] = {}
    used_ids: set[str] = set()
    levelled = False
    baseline: dict[str, dict[str, dt.date]] = {}
    for el in raw_tasks:
        uid = _text(el, "UID")
        level = _integer(el, "OutlineLevel", f"task UID {shorten(str(uid))}", 1)
        if uid is None or uid == "0" or level == 0 or _text(el, "IsNull") == "1":
            continue
        tname = _text(el, "Name", "") or f"Task {uid}"
        if _text(el, "Summary") == "1":
            phase_at_level[level] = tname
            for deeper in [k for k in phase_at_level if k > level]:
                del phase_at_level[deeper]
            if level > 1:
                warnings.append(
                    f"task UID {uid}: nested summary {tname!r} becomes part of phase {phase_at_level.get(1, '')!r}"
                )
            continue
        custom = {_text(x, "FieldID"): _text(x, "Value") for x in el.findall(f"{{{NS}}}ExtendedAttribute")}
        own_id = custom.get(TEXT1)
        task_id = _task_id(tname, uid, used_ids, own_id)
        where = f"task {task_id}"
        minutes = _minutes(_text(el, "Duration", "PT0H0M0S") or "PT0H0M0S", where)
        days = minutes / per_day
        if abs(days - round(days)) > 1e-6:
            warnings.append(f"task {task_id}: duration {days:.2f} working days rounded to {round(days)}")
        task: dict[str, Any] = {
            "id": task_id,
            "name": tname if own_id else (re.sub(rf"^{re.escape(task_id)}\s+", "", tname) or tname),
            "phase": phase_at_level.get(1, ""),
            "duration": max(0, round(days)),
        }
        if _text(el, "Milestone") == "1" and task["duration"] != 0:
            task["milestone"] = True
        ctype = _text(el, "ConstraintType", "0")
        cdate = _date(_text(el, "ConstraintDate"), where, "ConstraintDate")
        if ctype == "4" and cdate:
            task["not_before"] = cdate
        elif ctype == "6" and cdate:
            task["deadline"] = cdate
        elif ctype not in ("0", None):
            warnings.append(
                f"task {task_id}: constraint type {ctype} is not carried over (only start-no-earlier-"
                "than and finish-no-later-than are)"
            )
        deadline = _date(_text(el, "Deadline"), where, "Deadline")
        if deadline:
            task["deadline"] = min(deadline, task.get("deadline", deadline))
        _custom_fields(task, custom, warnings)
        notes = _text(el, "Notes", "") or ""
        own_notes, _, gate = notes.partition(GATE_HEADER)
        if own_notes.strip():
            task["notes"] = own_notes.strip()
        if GATE_HEADER in notes:
            task["gate"] = {"criteria": [_criterion(m) for m in map(_CRITERION.match, gate.splitlines()[1:]) if m]}
        pct = _number(el, "PercentComplete", where, 0.0)
        if pct:
            task["percent_complete"] = pct
        for tag, key in (("ActualStart", "actual_start"), ("ActualFinish", "actual_finish")):
            day = _date(_text(el, tag), where, tag)
            if day:
                task[key] = day
        for bl in el.findall(f"{{{NS}}}Baseline"):
            first, last = (
                _date(_text(bl, "Start"), where, "Baseline.Start"),
                _date(_text(bl, "Finish"), where, "Baseline.Finish"),
            )
            if _text(bl, "Number", "0") == "0" and first and last:
                baseline[task_id] = {"start": first, "finish": last}
        levelled = levelled or _number(el, "LevelingDelay", where, 0.0) > 0
        task["_links"] = el.findall(f"{{{NS}}}PredecessorLink")
        by_uid[uid] = task
        order.append(task)
    for task in order:
        deps = []
        for link in task.pop("_links"):
            pred = by_uid.get(_text(link, "PredecessorUID") or "")
            if pred is None:
                warnings.append(
                    f"task {task['id']}: link to UID {_text(link, 'PredecessorUID')} dropped "
                    "(a summary or a task outside this file)"
                )
                continue
            code = _integer(link, "Type", f"task {task['id']}", 1)
            kind = LINK_NAME.get(code)
            if kind is None:
                warnings.append(f"task {task['id']}: link from {pred['id']} has unknown type {code}; read as FS")
                kind = "FS"
            lag = _lag(link, pred, per_day, task["id"], warnings)
            deps.append(f"{pred['id']}:{kind}{lag:+d}" if lag else f"{pred['id']}:{kind}")
        if deps:
            task["depends_on"] = deps
    data: dict[str, Any] = {"name": name, "tasks": order, "calendar": {"weekend": weekend, "closures": closures}}
    resources = _read_resources(root, by_uid, warnings)
    if resources:
        data["resources"] = resources
        if levelled:  # a file whose tasks wait for people was levelled: the plan levels again
            data["level"] = True
        groups = [r["party"] for r in resources if "party" in r]
    else:
        groups = []
    named = [p for p in (*groups, *(t["owner"] for t in order if "owner" in t)) if p not in DEFAULT_PARTIES]
    if named:
        data["parties"] = [*DEFAULT_PARTIES, *dict.fromkeys(named)]
    if start:
        data["start"] = start
    status = _date(_text(root, "StatusDate"), "project", "StatusDate")
    if status:
        data["status_date"] = status
    if baseline:
        data["baseline"] = {"taken": status or start or dt.date.today(), "tasks": baseline}
    return parse_plan(data), warnings


def _whole(x: float) -> int | float:
    return int(x) if x.is_integer() else x


def _criterion(m: re.Match[str]) -> dict[str, str]:
    kpi, rest = m.groups()
    target, _, actual = rest.partition(ACTUAL)
    return {"kpi": kpi, "target": target, **({"actual": actual} if actual else {})}


def _custom_fields(task: dict[str, Any], custom: dict[str | None, str | None], warnings: list[str]) -> None:
    """Owner (Text2), wave (Text3) and estimate (Text4) as the planner's export writes them."""
    if owner := custom.get(TEXT2):
        task["owner"] = owner
    if (wave := custom.get(TEXT3)) is not None:
        if wave.isdigit():
            task["wave"] = int(wave)
        else:
            warnings.append(f"task {task['id']}: wave {shorten(repr(wave))} in Text3 is not a whole number; left out")
    if (estimate := custom.get(TEXT4)) is not None:
        parts = estimate.split("/")
        try:
            task["estimate"] = [_whole(float(x)) for x in parts] if len(parts) == 3 else None
        except ValueError:
            task["estimate"] = None
        if task["estimate"] is None:
            del task["estimate"]
            warnings.append(f"task {task['id']}: estimate {shorten(repr(estimate))} in Text4 is not a/b/c; left out")


def _read_resources(root: ET.Element, by_uid: dict[str, dict[str, Any]], warnings: list[str]) -> list[dict]:
    """Work resources (MaxUnits as capacity; the id from Initials, else the name) and each
    assignment's units as the task's `uses`. Material and cost resources, and assignments to
    summaries or milestones, are left out with a warning."""
    resources_el = root.find(f"{{{NS}}}Resources")
    by_res: dict[str, str] = {}
    resources = []
    used_ids: set[str] = set()
    for el in list(resources_el) if resources_el is not None else []:
        uid = _text(el, "UID")
        if uid is None or uid == "0" or _text(el, "IsNull") == "1":
            continue
        rname = _text(el, "Name", "") or f"Resource {uid}"
        if _text(el, "Type", "1") != "1":
            warnings.append(f"resource {rname!r}: only work resources are carried over")
            continue
        rid = _task_id(rname, uid, used_ids, _text(el, "Initials"))
        capacity = _number(el, "MaxUnits", f"resource {rid}", 1.0)
        if capacity <= 0:
            warnings.append(f"resource {rid}: MaxUnits {capacity:g} read as 1")
            capacity = 1.0
        item: dict[str, Any] = {"id": rid, "name": rname, "capacity": capacity}
        group = (_text(el, "Group") or "").strip()
        if group:
            item["party"] = group  # a party of the imported plan (read_mspdi adds it)
        resources.append(item)
        by_res[uid] = rid
    assignments_el = root.find(f"{{{NS}}}Assignments")
    for el in list(assignments_el) if assignments_el is not None else []:
        task = by_uid.get(_text(el, "TaskUID") or "")
        held = by_res.get(_text(el, "ResourceUID") or "")
        if task is None or held is None:
            continue
        units = _number(el, "Units", f"task {task['id']}", 1.0)
        if task["duration"] == 0:
            warnings.append(f"task {task['id']}: its assignment of {held} is left out (a milestone takes no time)")
            continue
        if units > 0:
            task.setdefault("uses", {})[held] = units
    return resources


def _task_id(name: str, uid: str, used: set[str], own: str | None = None) -> str:
    """The id our export keeps in Text1; else an id-like first word of the name; else T<UID>."""
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s", name)
    if own and re.fullmatch(r"[A-Za-z0-9_.\-]+", own):
        candidate = own
    else:
        candidate = m.group(1) if m and re.search(r"\d", m.group(1)) else f"T{uid}"
    if candidate in used:
        candidate = f"T{uid}"
    used.add(candidate)
    return candidate


def _lag(link: ET.Element, pred: dict[str, Any], per_day: float, task_id: str, warnings: list[str]) -> int:
    where = f"task {task_id}"
    tenths = _number(link, "LinkLag", where, 0.0)
    fmt = _integer(link, "LagFormat", where, 7) % 32
    if tenths == 0:
        return 0
    if fmt in (19, 20):  # percent of the predecessor's duration; LinkLag holds percent x 10
        days = pred["duration"] * tenths / 1000
        warnings.append(f"task {task_id}: a {tenths / 10:g}% lag became {round(days)} working days")
        return round(days)
    days = tenths / 10 / per_day
    if fmt in _ELAPSED_LAG:
        days = tenths / 10 / 1440 * 5 / 7
        warnings.append(f"task {task_id}: an elapsed lag became about {round(days)} working days")
    elif abs(days - round(days)) > 1e-6:
        warnings.append(f"task {task_id}: a lag of {days:.2f} working days rounded to {round(days)}")
    return round(days)


def _read_calendar(root: ET.Element, warnings: list[str]) -> tuple[list[str], list[dt.date]]:
    from planner.core.calendar import WEEKDAY_NAMES

    cal_uid = _text(root, "CalendarUID", "1")
    cals = root.find(f"{{{NS}}}Calendars")
    cal = None
    for c in list(cals) if cals is not None else []:
        if _text(c, "UID") == cal_uid:
            cal = c
    if cal is None:
        return ["sat", "sun"], []
    weekend: list[str] = []
    closures: list[dt.date] = []
    reverse = {v: k for k, v in DAY_TYPE.items()}
    days = cal.find(f"{{{NS}}}WeekDays")
    for wd in list(days) if days is not None else []:
        day_type = _integer(wd, "DayType", "calendar", 0)
        if day_type in reverse and _text(wd, "DayWorking") == "0":
            weekend.append(WEEKDAY_NAMES[reverse[day_type]])
        elif day_type == 0 and _text(wd, "DayWorking") == "0":
            closures += _period(wd)
    exceptions = cal.find(f"{{{NS}}}Exceptions")
    for ex in list(exceptions) if exceptions is not None else []:
        if _text(ex, "DayWorking") == "0":
            closures += _period(ex)
        else:
            warnings.append("a working-time exception (extra working days) is not carried over")
    return weekend or ["sat", "sun"], sorted(set(closures))


def _period(el: ET.Element) -> list[dt.date]:
    period = el.find(f"{{{NS}}}TimePeriod")
    first = _date(_text(period, "FromDate"), "calendar", "FromDate")
    last = _date(_text(period, "ToDate"), "calendar", "ToDate")
    if not first or not last:
        return []
    return [first + dt.timedelta(days=k) for k in range(min((last - first).days + 1, 366))]
