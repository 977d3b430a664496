"""What a Gantt shows: one record per bar, the vertical lines, the dependency lines and the time
range, from a schedule. How it is drawn is planner/charts/gantt.py. No Streamlit here.

Dates go to the chart as UTC midnights on a `utc` scale, and bars end at the midnight after
the finish (exclusive), so a bar never shifts by a day in a viewer's time zone; a milestone
sits at midday of its date. Rows come in groups (phases, or the pilot and each wave's block),
each group's summary bar first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner.core.gates import gate_status
from planner.core.links import FROM_FINISH, TO_FINISH
from planner.core.model import Task
from planner.core.schedule import Schedule

GROUP_BY = ("phase", "wave")
ROLLUP_THRESHOLD = 400
LINKS_ALL_THRESHOLD = 60


@dataclass(frozen=True)
class GanttData:
    """Everything a Gantt draws that comes from the schedule: `rows` (bars), `lines` (today,
    status date, deadline), `links` (dependency lines) and the time axis from `start` to `end`."""

    rows: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    links: list[dict[str, Any]]
    start: str
    end: str
    about: str  # what the chart is, as an edit leaves it
    description: str  # `about` with the finish and the critical path

    def layer_rows(self, name: str) -> list[dict[str, Any]]:
        """The rows of a layer with data of its own: "links" or "lines"."""
        return self.links if name == "links" else self.lines


def gantt_data(
    sched: Schedule,
    selected: str | None = None,
    show_links: bool | None = None,
    phases: Sequence[str] | None = None,
    rollup: bool | None = None,
    today: dt.date | None = None,
    only: Callable[[Task], bool] | None = None,
    group_by: str = "phase",
    clip: bool = True,
) -> GanttData:
    """The Gantt's data. `clip`: the chart clips what falls outside the time axis (the app's
    pan and zoom); without it (a file) a line off the axis is left out instead."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}")
    rollup = len(sched.plan.tasks) > ROLLUP_THRESHOLD and not phases if rollup is None else rollup
    rows = gantt_rows(sched, phases, rollup, only, group_by)
    lines = _marker_rows(sched, today or dt.date.today())
    starts = [r["start"] for r in rows] + [r[k] for r in rows for k in ("b_start", "wait_from") if k in r]
    ends = [r.get("late_end", r["end"]) for r in rows] + [r["b_end"] for r in rows if "b_end" in r]
    ends += [m["at"] for m in lines if m["what"] != "today"]
    lo = min(starts, default=_utc(sched.plan.start.isoformat()))
    hi = max(ends, default=lo)
    lo = _utc((dt.date.fromisoformat(lo[:10]) - dt.timedelta(days=2)).isoformat())
    hi = _utc((dt.date.fromisoformat(hi[:10]) + dt.timedelta(days=8)).isoformat())
    if not clip:
        lines = [m for m in lines if lo <= m["at"] <= hi]
    links = _link_records(sched, rows, selected, show_links)
    about = f"Gantt chart of {sched.plan.name}: {len(rows)} rows, start {sched.plan.start.isoformat()}"
    return GanttData(rows, lines, links, lo, hi, about, f"{about}, {_figures(sched)}")


def _utc(iso: str, hour: int = 0) -> str:
    return f"{iso}T{hour:02d}:00:00Z"


def _next_day(iso: str) -> str:
    return _utc((dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat())


def _label(tid: str, name: str, width: int = 48) -> str:
    text = f"{tid}  {name}"
    return text if len(text) <= width else text[: width - 1] + "…"


def wave_label(wave: int) -> str:
    return "Pilot" if wave == 0 else f"Wave {wave}"


def _groups(rows: list[dict[str, Any]], group_by: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """Rows in groups: by phase in plan order, or by wave (tasks without a wave stay with their
    phase) in order of the group's first start, so the pilot and each wave read as one block."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        wave = row.get("wave")
        by_wave = group_by == "wave" and wave is not None and wave == wave  # NaN is not a wave
        groups.setdefault(("wave", int(wave)) if by_wave and wave is not None else ("phase", row["phase"]), []).append(
            row
        )
    named = [(wave_label(k[1]) if k[0] == "wave" else k[1], members) for k, members in groups.items()]
    if group_by == "wave":
        named.sort(key=lambda g: min(r["start"] for r in g[1]))  # stable: ties keep plan order
    return named


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as dicts of Python values, None for a missing integer (a fifth of
    `to_dict`'s time, which boxes value by value)."""
    names = list(table.columns)
    columns = [[None if v is pd.NA else v for v in table[c].tolist()] for c in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def gantt_rows(
    sched: Schedule,
    phases: Sequence[str] | None = None,
    rollup: bool = False,
    only: Callable[[Task], bool] | None = None,
    group_by: str = "phase",
) -> list[dict[str, Any]]:
    """One record per bar: each group's summary, then its tasks in plan order (those `only` keeps).
    `phases` keeps only the tasks of those phases."""
    t = sched.table
    plan = sched.plan
    drivers = sched.drivers
    tasks = {task.id: task for task in plan.tasks}
    raid_for: dict[str, list[str]] = {}
    for item in getattr(plan, "raid", ()):
        if item.is_open:
            for tid in item.tasks:
                raid_for.setdefault(tid, []).append(item.id)
    late_iso = dict(zip(t["id"], sched.calendar.iso_of(np.maximum(t["lf"].to_numpy() - 1, 0)), strict=True))
    waited: dict[str, str] = {}
    if "level_delay" in t:
        delay = t["level_delay"].to_numpy()
        held = np.flatnonzero(delay > 0)
        if held.size:
            days = sched.calendar.iso_of(t["es"].to_numpy()[held] - delay[held])
            waited = {t["id"].iat[k]: str(day) for k, day in zip(held.tolist(), days, strict=True)}
    wanted = set(phases) if phases else None
    rows = [r for r in _records(t) if wanted is None or r["phase"] in wanted]
    records: list[dict[str, Any]] = []
    order = 0
    for name, members in _groups(rows, group_by):
        first = min(r["start"] for r in members)
        last = max(r["finish"] for r in members)
        records.append(
            {
                "row": order,
                "label": f"{order:06d}|► {name or '(no phase)'}",
                "id": "",
                "kind": "phase",
                "phase": name,
                "owner": "",
                "start": _utc(first),
                "end": _next_day(last),
                "point": _next_day(last),
                "first": first,
                "finish": last,
                "critical": any(r["critical"] for r in members),
                "color": "phase summary",
            }
        )
        order += 1
        if rollup:
            continue
        for row in members:
            task = tasks[row["id"]]
            if only is not None and not only(task):
                continue
            driver = drivers[row["id"]]
            status = gate_status(task) or ""
            records.append(
                {
                    "row": order,
                    "label": f"{order:06d}|{_label(row['id'], row['name'])}",
                    "id": row["id"],
                    "name": row["name"],
                    "kind": "gate" if task.is_gate else ("milestone" if row["milestone"] else "task"),
                    "gate": status,
                    "mark": f"{row['id']} ✕ failed" if status == "failed" else row["id"],
                    "raid": ", ".join(raid_for.get(row["id"], [])),
                    "phase": row["phase"],
                    "owner": row["owner"] or "(none)",
                    "start": _utc(row["start"]),
                    "end": _next_day(row["finish"]),
                    "point": _next_day(row["finish"]) if row["duration"] else _utc(row["finish"], 12),
                    "first": row["start"],
                    "finish": row["finish"],
                    "late_end": _next_day(str(late_iso[row["id"]])),
                    "duration": int(row["duration"]),
                    "total_float": int(row["total_float"]),
                    "free_float": int(row["free_float"]),
                    "critical": bool(row["critical"]),
                    "driver": str(driver.link.task) if driver.link else driver.reason.replace("_", "-"),
                    **_baseline_fields(row),
                    **({"wait_from": _utc(waited[row["id"]])} if row["id"] in waited else {}),
                    "color": "critical" if row["critical"] else "not critical",
                }
            )
            order += 1
    return records


def _baseline_fields(row: dict[str, Any]) -> dict[str, Any]:
    start, finish = row.get("baseline_start"), row.get("baseline_finish")
    if not isinstance(start, str) or not isinstance(finish, str):
        return {}
    return {"b_start": _utc(start), "b_end": _next_day(finish), "variance": row.get("finish_variance")}


def _marker_rows(sched: Schedule, today: dt.date) -> list[dict[str, Any]]:
    """The vertical lines: today, the status date, the contract end (the handover's deadline) and
    the plan deadline, each at the end of its day."""
    plan = sched.plan
    rows = [{"what": "today", "at": _utc(today.isoformat(), 12), "day": today.isoformat()}]
    contract_end = plan.contract_end(sched.table["finish"].tolist())
    if plan.status_date is not None:
        rows.append(
            {"what": "status date", "at": _next_day(plan.status_date.isoformat()), "day": plan.status_date.isoformat()}
        )
    if contract_end is not None:
        rows.append(
            {"what": "contract end", "at": _next_day(contract_end.isoformat()), "day": contract_end.isoformat()}
        )
    if plan.deadline is not None:
        rows.append({"what": "deadline", "at": _next_day(plan.deadline.isoformat()), "day": plan.deadline.isoformat()})
    return rows


def _figures(sched: Schedule) -> str:
    return f"finish {sched.finish.isoformat()}, {len(sched.critical_path)} tasks on the critical path"


def _link_records(
    sched: Schedule, records: list[dict[str, Any]], selected: str | None, show_links: bool | None
) -> list[dict[str, Any]]:
    """Dependency lines from the predecessor's anchor to the successor's anchor."""
    shown = {r["id"]: r for r in records if r["id"]}
    if show_links is None:
        show_links = len(sched.plan.tasks) <= LINKS_ALL_THRESHOLD
    out = []
    for task in sched.plan.tasks:
        for link in task.depends_on:
            if not show_links and selected not in (task.id, link.task):
                continue
            p, s = shown.get(link.task), shown.get(task.id)
            if p is None or s is None:
                continue
            px = p["point"] if FROM_FINISH[link.type] else p["start"]
            sx = s["point"] if TO_FINISH[link.type] else s["start"]
            out.append(
                {
                    "x": px,
                    "x2": sx,
                    "y": p["label"],
                    "y2": s["label"],
                    "critical": p["critical"] and s["critical"],
                }
            )
    return out
