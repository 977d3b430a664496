"""Mermaid gantt text for Markdown documents.

One `section` per phase, `crit` on critical tasks, `milestone` on milestones; a task whose
start is set by a plain finish-to-start link is written `after` that task, others with their
date. Names are reduced to characters Mermaid's gantt syntax cannot misread, and no line starts
with plan text: a task line begins with `[ID]` and is keyed `t1`, `t2`, ... by plan position, so
an id such as `click`, `title` or `section` can neither break nor take over the chart.
"""

from __future__ import annotations

import re

from planner.core.schedule import Schedule

_NAME_BAD = re.compile(r"[:;#\n\r%{}<>`\"]")


def mermaid_name(text: str) -> str:
    return " ".join(_NAME_BAD.sub(" ", text).split()) or "task"


def to_mermaid(sched: Schedule) -> str:
    plan = sched.plan
    table = sched.table.set_index("id")
    drivers = sched.drivers
    excludes = ["weekends"] if set(plan.calendar.weekend) == {5, 6} else []
    day_names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    if not excludes:
        excludes = [day_names[d] for d in plan.calendar.weekend]
    closed = sorted({*plan.calendar.closures})
    lines = [
        "gantt",
        f"    title {mermaid_name(plan.name)}",
        "    dateFormat YYYY-MM-DD",
        f"    excludes {', '.join([*excludes, *(d.isoformat() for d in closed)])}",
    ]
    key = {t.id: f"t{j + 1}" for j, t in enumerate(plan.tasks)}
    sections: dict[str, list] = {}
    for t in plan.tasks:
        sections.setdefault(t.phase, []).append(t)
    for phase, tasks in sections.items():
        lines.append(f"    section {mermaid_name(phase or 'Tasks')}")
        for t in tasks:
            row = table.loc[t.id]
            tags = []
            if bool(row["critical"]):
                tags.append("crit")
            if t.duration == 0:
                tags.append("milestone")
            tags.append(key[t.id])
            link = drivers[t.id].link
            if link is not None and link.type == "FS" and link.lag == 0 and t.duration > 0:
                when = f"after {key[link.task]}"
            else:
                when = row["start"]
            length = f"{t.duration}d" if t.duration else "0d"
            lines.append(f"    [{t.id}] {mermaid_name(t.name)} :{', '.join(tags)}, {when}, {length}")
    return "\n".join(lines) + "\n"
