"""MS Project XML (MSPDI) export with the planner's own dates (import: `mspdi_read`).

Export: a Project in the `http://schemas.microsoft.com/project` namespace, elements in schema
order; one base calendar (weekends, holidays and closures as exceptions); phases as summary
tasks at outline level 1 with their tasks beneath; 8-hour days (`PT40H0M0S` = 5 days); links
with Type 0=FF 1=FS 2=SF 3=SS and LinkLag in tenths of a minute (1 day = 4800), LagFormat 7.

Owner, wave and three-point estimate travel in the Text2-Text4 custom fields, the planner's id in
Text1, a task's notes and its gate's criteria (with actuals) in Notes; `not_carried` names what
the format cannot hold (the RAID log, costs, the steering cadence, freezes).

Import: parsed with defusedxml (no DTDs, entities or external references). Whatever cannot be
carried over exactly (fractional durations, elapsed or percent lags, nested summaries,
unsupported constraints) is listed as a warning, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # writing only; reading goes through defusedxml
from typing import Any

from planner.core.model import Plan, Task
from planner.core.schedule import Schedule

NS = "http://schemas.microsoft.com/project"
TEXT1 = "188743731"  # the Text1 custom field carries the planner's task id
TEXT2 = "188743734"  # Text2: the task's owner (a party)
TEXT3 = "188743737"  # Text3: its wave (0 = the pilot)
TEXT4 = "188743740"  # Text4: its three-point estimate, "optimistic/likely/pessimistic" working days
FIELDS = (
    (TEXT1, "Text1", "Planner ID"),
    (TEXT2, "Text2", "Owner"),
    (TEXT3, "Text3", "Wave"),
    (TEXT4, "Text4", "Estimate"),
)
MINUTES_PER_DAY = 480
TENTHS_PER_DAY = MINUTES_PER_DAY * 10
LINK_TYPE = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
LINK_NAME = {v: k for k, v in LINK_TYPE.items()}
GATE_HEADER = "Gate exit criteria:"
ACTUAL = " — actual "  # a criterion's actual, after its target in the gate's notes
DAY_TYPE = {6: 1, 0: 2, 1: 3, 2: 4, 3: 5, 4: 6, 5: 7}  # our weekday (mon=0) -> MSPDI DayType (sun=1)


def _sub(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = str(int(text)) if isinstance(text, bool) else str(text)
    return el


def _duration(days: int) -> str:
    return f"PT{days * 8}H0M0S"


def _calendar(project: ET.Element, plan: Plan, sched: Schedule) -> None:
    cals = _sub(project, "Calendars")
    cal = _sub(cals, "Calendar")
    _sub(cal, "UID", 1)
    _sub(cal, "Name", "Standard")
    _sub(cal, "IsBaseCalendar", 1)
    _sub(cal, "BaseCalendarUID", -1)
    days = _sub(cal, "WeekDays")
    for ours in (6, 0, 1, 2, 3, 4, 5):
        wd = _sub(days, "WeekDay")
        _sub(wd, "DayType", DAY_TYPE[ours])
        working = ours not in plan.calendar.weekend
        _sub(wd, "DayWorking", int(working))
        if working:
            times = _sub(wd, "WorkingTimes")
            for a, b in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
                wt = _sub(times, "WorkingTime")
                _sub(wt, "FromTime", a)
                _sub(wt, "ToTime", b)
    closed = _closed_days(plan, sched)
    if closed:
        exceptions = _sub(cal, "Exceptions")
        for day, name in closed:
            ex = _sub(exceptions, "Exception")
            _sub(ex, "EnteredByOccurrences", 0)
            period = _sub(ex, "TimePeriod")
            _sub(period, "FromDate", f"{day.isoformat()}T00:00:00")
            _sub(period, "ToDate", f"{day.isoformat()}T23:59:00")
            _sub(ex, "Occurrences", 1)
            _sub(ex, "Name", name)
            _sub(ex, "Type", 1)
            _sub(ex, "DayWorking", 0)


def _closed_days(plan: Plan, sched: Schedule) -> list[tuple[dt.date, str]]:
    """Holidays and closures on weekdays, from the plan start to a year past its finish."""
    from planner.core.calendar import holiday_names

    first, last = plan.start, sched.finish + dt.timedelta(days=366)
    names: dict[dt.date, str] = {}
    if plan.calendar.holidays:
        years = range(first.year, last.year + 1)
        names.update(holiday_names(plan.calendar.holidays.upper(), plan.calendar.subdiv, years))
    for day in plan.calendar.closures:
        names.setdefault(day, "Closure")
    return sorted((d, n) for d, n in names.items() if first <= d <= last and d.weekday() not in plan.calendar.weekend)


def notes_of(task: Task) -> str:
    """A task's notes, then its gate's criteria (with their actuals) under GATE_HEADER."""
    parts = [task.notes] if task.notes else []
    if task.gate is not None:
        lines = [f"- {c.kpi} {c.target}" + (f"{ACTUAL}{c.actual}" if c.actual else "") for c in task.gate.criteria]
        parts.append("\n".join([GATE_HEADER, *lines]))
    return "\n\n".join(parts)


def not_carried(plan: Plan) -> list[str]:
    """What of the plan MS Project XML cannot carry, so the export says so instead of dropping it."""
    parts = [
        (len(plan.raid), f"the RAID log ({len(plan.raid)} items)"),
        (plan.risk is not None, "the risk settings (correlation, uplift)"),
        (plan.costs is not None, "the cost model"),
        (plan.steering is not None, "the steering cadence"),
        (len(plan.freezes), "the freeze windows (their dates stay as scheduled)"),
        (plan.deadline is not None, f"the plan deadline {plan.deadline}"),
        (plan.generated is not None, "how the plan was generated (template, waves, pilot share)"),
    ]
    return [what for present, what in parts if present]


def to_mspdi(sched: Schedule) -> bytes:
    """The schedule as MS Project XML; dates are the planner's own."""
    plan = sched.plan
    table = sched.table.set_index("id")
    ET.register_namespace("", NS)
    project = ET.Element(f"{{{NS}}}Project")
    _sub(project, "SaveVersion", 14)
    _sub(project, "Name", f"{plan.name}.xml")
    _sub(project, "Title", plan.name)
    _sub(project, "ScheduleFromStart", 1)
    _sub(project, "StartDate", f"{plan.start.isoformat()}T08:00:00")
    _sub(project, "FinishDate", f"{sched.finish.isoformat()}T17:00:00")
    _sub(project, "CalendarUID", 1)
    _sub(project, "DefaultStartTime", "08:00:00")
    _sub(project, "DefaultFinishTime", "17:00:00")
    _sub(project, "MinutesPerDay", MINUTES_PER_DAY)
    _sub(project, "MinutesPerWeek", MINUTES_PER_DAY * (7 - len(plan.calendar.weekend)))
    _sub(project, "DaysPerMonth", 20)
    if plan.status_date:
        _sub(project, "StatusDate", f"{plan.status_date.isoformat()}T17:00:00")
    attrs = _sub(project, "ExtendedAttributes")
    for field_id, field, alias in FIELDS:
        attr = _sub(attrs, "ExtendedAttribute")
        _sub(attr, "FieldID", field_id)
        _sub(attr, "FieldName", field)
        _sub(attr, "Alias", alias)
    _calendar(project, plan, sched)
    tasks_el = _sub(project, "Tasks")
    uid = {t.id: i + 1 for i, t in enumerate(plan.tasks)}
    next_uid = len(plan.tasks) + 1
    row_id = 1
    phases: dict[str, list[Any]] = {}
    for t in plan.tasks:
        phases.setdefault(t.phase, []).append(t)
    from planner.core.schedule import phase_rows

    spans = {r["phase"]: r for r in phase_rows(sched).to_dict(orient="records")}
    for p_index, (phase, tasks) in enumerate(phases.items(), start=1):
        span = spans[phase]
        summary = _sub(tasks_el, "Task")
        _sub(summary, "UID", next_uid)
        next_uid += 1
        _sub(summary, "ID", row_id)
        row_id += 1
        _sub(summary, "Name", phase or "(no phase)")
        _sub(summary, "Type", 1)
        _sub(summary, "IsNull", 0)
        _sub(summary, "WBS", p_index)
        _sub(summary, "OutlineNumber", p_index)
        _sub(summary, "OutlineLevel", 1)
        _sub(summary, "Start", f"{span['start']}T08:00:00")
        _sub(summary, "Finish", f"{span['finish']}T17:00:00")
        days = sched.calendar.working_days_between(
            dt.date.fromisoformat(span["start"]), dt.date.fromisoformat(span["finish"])
        )
        _sub(summary, "Duration", _duration(days))
        _sub(summary, "DurationFormat", 7)
        _sub(summary, "Milestone", 0)
        _sub(summary, "Summary", 1)
        for t_index, t in enumerate(tasks, start=1):
            row = table.loc[t.id]
            el = _sub(tasks_el, "Task")
            _sub(el, "UID", uid[t.id])
            _sub(el, "ID", row_id)
            row_id += 1
            _sub(el, "Name", t.name)  # the id travels in Text1; Project shows the name as written
            _sub(el, "Type", 1)
            _sub(el, "IsNull", 0)
            _sub(el, "WBS", f"{p_index}.{t_index}")
            _sub(el, "OutlineNumber", f"{p_index}.{t_index}")
            _sub(el, "OutlineLevel", 2)
            start_hour = "08:00:00" if t.duration or int(row["es"]) == 0 or row["start"] != row["finish"] else None
            if t.duration == 0:
                anchored_start = sched.calendar.offset_on_or_after(dt.date.fromisoformat(row["start"])) == int(
                    row["es"]
                )
                start_hour = "08:00:00" if anchored_start else "17:00:00"
            _sub(el, "Start", f"{row['start']}T{start_hour}")
            _sub(el, "Finish", f"{row['finish']}T{'17:00:00' if t.duration else start_hour}")
            _sub(el, "Duration", _duration(t.duration))
            _sub(el, "DurationFormat", 7)
            _sub(el, "Milestone", int(t.is_milestone))
            _sub(el, "Summary", 0)
            _sub(el, "Critical", int(bool(row["critical"])))
            _sub(el, "FreeSlack", int(row["free_float"]) * TENTHS_PER_DAY)
            _sub(el, "TotalSlack", int(row["total_float"]) * TENTHS_PER_DAY)
            _sub(el, "PercentComplete", int(t.percent_complete))
            if t.actual_start:
                _sub(el, "ActualStart", f"{t.actual_start.isoformat()}T08:00:00")
            if t.actual_finish:
                _sub(el, "ActualFinish", f"{t.actual_finish.isoformat()}T17:00:00")
            if t.not_before:
                _sub(el, "ConstraintType", 4)
                _sub(el, "ConstraintDate", f"{t.not_before.isoformat()}T08:00:00")
            else:
                _sub(el, "ConstraintType", 0)
            if t.deadline:
                _sub(el, "Deadline", f"{t.deadline.isoformat()}T17:00:00")
            delay = int(row["level_delay"]) if "level_delay" in row.index else 0
            if delay:  # days a levelled task waits for people: Project shows the same dates
                _sub(el, "LevelingDelay", delay * TENTHS_PER_DAY)
                _sub(el, "LevelingDelayFormat", 7)
            if t.notes or t.gate is not None:
                _sub(el, "Notes", notes_of(t))
            for link in t.depends_on:
                pl = _sub(el, "PredecessorLink")
                _sub(pl, "PredecessorUID", uid[link.task])
                _sub(pl, "Type", LINK_TYPE[link.type])
                _sub(pl, "CrossProject", 0)
                _sub(pl, "LinkLag", link.lag * TENTHS_PER_DAY)
                _sub(pl, "LagFormat", 7)
            est = t.estimate
            for field_id, value in (
                (TEXT1, t.id),
                (TEXT2, t.owner),
                (TEXT3, t.wave),
                (TEXT4, f"{est.optimistic:g}/{est.likely:g}/{est.pessimistic:g}" if est else None),
            ):
                if value is not None:
                    ext = _sub(el, "ExtendedAttribute")
                    _sub(ext, "FieldID", field_id)
                    _sub(ext, "Value", value)
            base = plan.baseline.tasks.get(t.id) if plan.baseline else None
            if base is not None:
                bl = _sub(el, "Baseline")
                _sub(bl, "Number", 0)
                _sub(bl, "Start", f"{base.start.isoformat()}T08:00:00")
                _sub(bl, "Finish", f"{base.finish.isoformat()}T17:00:00")
                _sub(bl, "Duration", _duration(sched.calendar.working_days_between(base.start, base.finish)))
    _resources(project, plan, sched, uid)
    ET.indent(project, space="  ")
    return ET.tostring(project, encoding="UTF-8", xml_declaration=True)


def _resources(project: ET.Element, plan: Plan, sched: Schedule, uid: dict[str, int]) -> None:
    """Resources with their capacity as MaxUnits (1.00 = one person, full time; the id in
    Initials, the party in Group), and one assignment per task and resource with its units and
    the work they make (units x duration x 8 hours)."""
    if not plan.resources:
        return
    res_el = _sub(project, "Resources")
    res_uid = {}
    for k, r in enumerate(plan.resources, start=1):
        res_uid[r.id] = k
        el = _sub(res_el, "Resource")
        _sub(el, "UID", k)
        _sub(el, "ID", k)
        _sub(el, "Name", r.name or r.id)
        _sub(el, "Type", 1)
        _sub(el, "IsNull", 0)
        _sub(el, "Initials", r.id)
        if r.party:
            _sub(el, "Group", r.party)
        _sub(el, "MaxUnits", f"{r.capacity:.2f}")
    table = sched.table.set_index("id")
    assign_el = _sub(project, "Assignments")
    n = 0
    for t in plan.tasks:
        row = table.loc[t.id]
        for rid, units in t.uses:
            n += 1
            el = _sub(assign_el, "Assignment")
            _sub(el, "UID", n)
            _sub(el, "TaskUID", uid[t.id])
            _sub(el, "ResourceUID", res_uid[rid])
            _sub(el, "Units", f"{units:.2f}")
            _sub(el, "Work", f"PT{units * t.duration * 8:g}H0M0S")
            _sub(el, "Start", f"{row['start']}T08:00:00")
            _sub(el, "Finish", f"{row['finish']}T17:00:00")


# ---------------------------------------------------------------------------------- import
