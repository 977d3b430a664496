"""iCalendar: one all-day event per milestone and gate, for the calendars stakeholders use.

UIDs are stable (plan + task id), so importing a newer export updates events instead of
duplicating them; the description carries the gate criteria and the float.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from planner.core.schedule import Schedule
from planner.formats.csvfile import milestone_rows
from planner.plain import slug


def to_ics(sched: Schedule, stamp: dt.datetime | None = None) -> bytes:
    plan = sched.plan
    by_id = plan.tasks_by_id()
    cal = Calendar()
    cal.add("prodid", "-//Transition planner//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{plan.name} milestones")
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    key = slug(plan.name)
    for row in milestone_rows(sched).itertuples(index=False):
        day = dt.date.fromisoformat(row.date)
        event = Event()
        event.add("uid", f"{key}.{row.id}@transition-planner")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", f"{row.id}: {row.name}")
        lines = [f"Phase: {row.phase}" if row.phase else "", f"Owner: {row.owner}" if row.owner else ""]
        lines.append(f"Total float: {int(row.total_float)} working days{' (critical)' if row.critical else ''}")
        if row.criteria:
            lines.append("Exit criteria: " + row.criteria)
        event.add("description", "\n".join(line for line in lines if line))
        event.add("categories", ["Gate" if by_id[row.id].is_gate else "Milestone"])
        cal.add_component(event)
    return cal.to_ical()
