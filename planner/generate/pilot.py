"""A plan without a pilot (`--pilot-share 0`): which template tasks exist only with one, the links
that go around them, and the RAID items that go with them (DOMAIN.md section 2: a small transition
may go without; reverse shadowing is then the readiness test)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from planner.core.links import parse_link


def pilot_tasks(raw: Mapping[str, Any]) -> set[str]:
    """The template's tasks that exist only with a pilot: the pilot itself (wave 0) and its preparation."""
    return {t["id"] for t in raw["tasks"] if t.get("pilot_only") or t.get("wave") == 0}


def without_pilot(tasks: list[dict], dropped: set[str]) -> list[dict]:
    """The tasks without `dropped`; a link to a dropped task becomes links to that task's own
    predecessors, so the order of what remains holds."""
    deps = {t["id"]: t["depends_on"] for t in tasks}

    def through(link: str) -> list[str]:
        task = parse_link(link)[0]
        return [link] if task not in dropped else [x for d in deps[task] for x in through(d)]

    return [
        {**t, "depends_on": list(dict.fromkeys(x for link in t["depends_on"] for x in through(link)))}
        for t in tasks
        if t["id"] not in dropped
    ]


def raid_for(items: Sequence[Mapping[str, Any]], kept: set[str], pilot: bool) -> list[dict]:
    """The template's RAID log for the plan made: an item about the pilot (`pilot_only`) or only
    about tasks the plan does not have goes."""
    out = []
    for item in items:
        named = list(item.get("tasks", []))
        tasks = [x for x in named if x in kept]
        if (named and not tasks) or (item.get("pilot_only") and not pilot):
            continue
        entry = {k: v for k, v in item.items() if k != "pilot_only"}
        out.append({**entry, "tasks": tasks} if named else entry)
    return out
