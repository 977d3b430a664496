"""The Gantt of a schedule. No Streamlit here.

Dates go to the chart as UTC midnights on a `utc` scale, and bars end at the midnight after
the finish (exclusive), so a bar never shifts by a day in a viewer's time zone; a milestone
sits at midday of its date. Rows come in groups (phases, or the pilot and each wave's block),
each group's summary bar first; the y scale has a fixed step per row, so the chart grows with
its rows and every row keeps its label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import numpy as np

from planner.charts.common import CRITICAL, GATE, NORMAL, SUMMARY, inline
from planner.gates import gate_status
from planner.model import Task
from planner.schedule import Schedule

COLOR_BY = ("criticality", "phase", "owner")
GROUP_BY = ("phase", "wave")
ROLLUP_THRESHOLD = 400
LINKS_ALL_THRESHOLD = 60
ROW_STEP = 22  # pixels per row
LINE_COLOURS = {"today": "#ff7f0e", "status date": "#17becf", "deadline": "#000000"}
TOP_AXIS_ROWS = 25  # charts with more rows get the date axis on top as well


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
    rows = [r for r in t.to_dict(orient="records") if wanted is None or r["phase"] in wanted]
    records: list[dict[str, Any]] = []
    order = 0
    for name, members in _groups(rows, group_by):
        first = min(r["start"] for r in members)
        last = max(r["finish"] for r in members)
        records.append(
            {
                "row": order,
                "label": f"{order:06d}|▸ {name or '(no phase)'}",
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


def _color(color_by: str) -> alt.Color:
    if color_by == "criticality":
        return alt.Color(
            "color:N",
            title="Critical",
            scale=alt.Scale(domain=["critical", "not critical", "phase summary"], range=[CRITICAL, NORMAL, SUMMARY]),
            legend=alt.Legend(orient="top"),
        )
    return alt.Color(
        f"{color_by}:N",
        title=color_by.title(),
        scale=alt.Scale(scheme="set2"),
        legend=alt.Legend(orient="top", columns=6),
    )


def _marker_rows(sched: Schedule, today: dt.date) -> list[dict[str, Any]]:
    """The vertical lines: today, the status date and the plan deadline (at the end of its day)."""
    plan = sched.plan
    rows = [{"what": "today", "at": _utc(today.isoformat(), 12), "day": today.isoformat()}]
    if plan.status_date is not None:
        rows.append(
            {"what": "status date", "at": _next_day(plan.status_date.isoformat()), "day": plan.status_date.isoformat()}
        )
    if plan.deadline is not None:
        rows.append({"what": "deadline", "at": _next_day(plan.deadline.isoformat()), "day": plan.deadline.isoformat()})
    return rows


def gantt_chart(
    sched: Schedule,
    color_by: str = "criticality",
    selected: str | None = None,
    show_links: bool | None = None,
    phases: Sequence[str] | None = None,
    rollup: bool | None = None,
    today: dt.date | None = None,
    width: int | str = "container",
    only: Callable[[Task], bool] | None = None,
    group_by: str = "phase",
    interactive: bool = True,
) -> alt.LayerChart:
    """The Gantt: group summary bars, task bars, float tails, baseline bars, milestone and gate
    diamonds (a failed gate is marked, even on a critical bar), today, status-date and deadline
    lines, and dependency links (all on small plans, else the selected task's).

    `interactive` binds the time axis to pan and zoom (the app); a file (PNG, SVG, report) is
    drawn without it: the binding clips every layer, and each clip costs the PNG renderer a
    full-size mask (a 300-task PNG took 7 s with them, 0.4 s without)."""
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}")
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}")
    rollup = len(sched.plan.tasks) > ROLLUP_THRESHOLD and not phases if rollup is None else rollup
    records = gantt_rows(sched, phases, rollup, only, group_by)
    markers = _marker_rows(sched, today or dt.date.today())
    # Labels carry a zero-padded row number, so the natural ascending order is the plan order
    # in every layer; the axis shows the text after the "|".
    axis = alt.Axis(labelLimit=320, labelFontSize=11, labelOverlap=False, labelExpr="split(datum.label, '|')[1]")
    y = alt.Y("label:N", sort="ascending", title=None, axis=axis)
    base = alt.Chart().properties(width=width, height=alt.Step(ROW_STEP))
    starts = [r["start"] for r in records] + [r[k] for r in records for k in ("b_start", "wait_from") if k in r]
    ends = [r.get("late_end", r["end"]) for r in records] + [r["b_end"] for r in records if "b_end" in r]
    ends += [m["at"] for m in markers if m["what"] != "today"]
    lo = min(starts, default=_utc(sched.plan.start.isoformat()))
    hi = max(ends, default=lo)
    lo = _utc((dt.date.fromisoformat(lo[:10]) - dt.timedelta(days=2)).isoformat())
    hi = _utc((dt.date.fromisoformat(hi[:10]) + dt.timedelta(days=8)).isoformat())
    x_scale = alt.Scale(type="utc", domain=[lo, hi])
    if not interactive:  # no clipping in a file: a today line off the time axis is left out instead
        markers = [m for m in markers if lo <= m["at"] <= hi]
    date_axis: dict[str, Any] = {"format": "%d %b %Y", "labelAngle": 0, "title": None}
    x = alt.X("start:T", scale=x_scale, title=None, axis=alt.Axis(grid=True, **date_axis))
    x_end = alt.X("end:T", scale=x_scale, axis=None)
    x_point = alt.X("point:T", scale=x_scale, axis=None)
    tooltip = [
        alt.Tooltip("id:N", title="Task"),
        alt.Tooltip("name:N", title="Name"),
        alt.Tooltip("first:N", title="Start"),
        alt.Tooltip("finish:N", title="Finish"),
        alt.Tooltip("duration:Q", title="Working days"),
        alt.Tooltip("total_float:Q", title="Total float"),
        alt.Tooltip("owner:N", title="Owner"),
        alt.Tooltip("driver:N", title="Driven by"),
        alt.Tooltip("gate:N", title="Gate"),
        alt.Tooltip("raid:N", title="Open RAID items"),
    ]
    is_phase = alt.datum.kind == "phase"
    is_bar = (alt.datum.kind != "phase") & (alt.datum.duration > 0)
    is_point = (alt.datum.kind == "milestone") | (alt.datum.kind == "gate")
    summary = (
        base.mark_bar(height=6, color=SUMMARY)
        .encode(
            x=x,
            x2=alt.X2("end:T"),
            y=y,
            tooltip=[
                alt.Tooltip("phase:N", title="Group"),
                alt.Tooltip("first:N", title="Start"),
                alt.Tooltip("finish:N"),
            ],
        )
        .transform_filter(is_phase)
    )
    summary.name = "summary"  # set, not .properties(): no schema validation per layer
    tail = (
        base.mark_bar(height=4, fillOpacity=0.35, color="#9e9e9e")
        .encode(x=x_end, x2=alt.X2("late_end:T"), y=y)
        .transform_filter(is_bar & (alt.datum.total_float > 0))
    )
    tail.name = "tails"  # set, not .properties(): no schema validation per layer
    stroke = alt.StrokeValue(**alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("transparent")))
    bars = (
        base.mark_bar(height=14, cornerRadius=2, strokeWidth=2)
        .encode(x=x.axis(None), x2=alt.X2("end:T"), y=y, color=_color(color_by), stroke=stroke, tooltip=tooltip)
        .transform_filter(is_bar)
    )
    bars.name = "bars"  # set, not .properties(): no schema validation per layer
    failed = alt.datum.gate == "failed"
    diamonds = (
        base.mark_point(shape="diamond", filled=True, size=150)
        .encode(
            x=x_point,
            y=y,
            color=alt.Color(
                "gate:N",
                title="Gate",
                scale=alt.Scale(
                    domain=["passed", "failed", "pending", ""], range=["#2ca02c", "#d62728", GATE, "#222222"]
                ),
                legend=alt.Legend(orient="top", values=["passed", "failed", "pending"]),
            ),
            stroke=alt.StrokeValue(
                **alt.when(failed)
                .then(alt.value("#111111"))
                .when(alt.datum.critical)
                .then(alt.value(CRITICAL))
                .otherwise(alt.value("transparent"))
            ),
            strokeWidth=alt.StrokeWidthValue(**alt.condition(failed, alt.value(2.5), alt.value(1.5))),
            tooltip=tooltip,
        )
        .transform_filter(is_point)
    )
    diamonds.name = "diamonds"  # set, not .properties(): no schema validation per layer
    labels_layer = (
        base.mark_text(align="left", dx=9, fontSize=10)
        .encode(
            x=x_point,
            y=y,
            text=alt.Text("mark:N"),
            color=alt.ColorValue(**alt.condition(failed, alt.value(CRITICAL), alt.value("#333333"))),
        )
        .transform_filter(is_point)
    )
    labels_layer.name = "labels"  # set, not .properties(): no schema validation per layer
    raid_marks = (
        base.mark_text(text="⚠", align="right", dx=-3, fontSize=12, color="#e6550d")
        .encode(
            x=x.axis(None),
            y=y,
            tooltip=[alt.Tooltip("id:N", title="Task"), alt.Tooltip("raid:N", title="Open RAID items")],
        )
        .transform_filter("datum.raid && datum.raid.length > 0")
    )
    layers: list[alt.Chart] = [summary, tail, bars, diamonds, labels_layer, raid_marks]
    if any("wait_from" in r for r in records):
        waits = (
            base.mark_bar(height=3, color="#7f7f7f")
            .encode(
                x=alt.X("wait_from:T", scale=x_scale, axis=None),
                x2=alt.X2("start:T"),
                y=y,
                tooltip=[
                    alt.Tooltip("id:N", title="Task"),
                    alt.Tooltip("driver:N", title="Waited for a resource, then"),
                ],
            )
            .transform_filter("isValid(datum.wait_from)")
        )
        waits.name = "level-delays"  # set, not .properties(): no schema validation per layer
        layers.insert(1, waits)
    if any("b_start" in r for r in records):
        baseline = (
            base.mark_bar(height=4, yOffset=10, color="#999999", fillOpacity=0.9)
            .encode(
                x=alt.X("b_start:T", scale=x_scale, axis=None),
                x2=alt.X2("b_end:T"),
                y=y,
                tooltip=[alt.Tooltip("id:N", title="Task"), alt.Tooltip("variance:Q", title="Finish variance (days)")],
            )
            .transform_filter("isValid(datum.b_start)")
        )
        layers.insert(1, baseline)
    own_rows: dict[int, list[dict[str, Any]]] = {}  # layers with data of their own, added last
    links = _link_records(sched, records, selected, show_links)
    if links:
        link_layer = (
            alt.Chart()
            .mark_rule(strokeWidth=1.2, strokeOpacity=0.8)  # no opacity layer per line in PNG
            .encode(
                x=alt.X("x:T", scale=x_scale, axis=None),
                x2=alt.X2("x2:T"),
                y=alt.Y("y:N", sort="ascending"),
                y2=alt.Y2("y2:N"),
                color=alt.ColorValue(**alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("#777777"))),
            )
        )
        own_rows[id(link_layer)] = links
        layers.insert(1, link_layer)
    if markers:
        lines = alt.Chart().mark_rule(strokeWidth=1.5, clip=interactive)
        top = len(records) > TOP_AXIS_ROWS
        marker_layer = lines.encode(
            x=alt.X("at:T", scale=x_scale, axis=alt.Axis(orient="top", **date_axis) if top else None),
            color=alt.Color(
                "what:N",
                title=None,
                scale=alt.Scale(
                    domain=[m["what"] for m in markers],
                    range=[LINE_COLOURS[m["what"]] for m in markers],
                ),
                legend=alt.Legend(orient="top"),
            ),
            strokeDash=alt.StrokeDashValue(
                **alt.condition(alt.datum.what == "deadline", alt.value([8, 4]), alt.value([4, 3]))
            ),
            tooltip=[alt.Tooltip("what:N", title="Line"), alt.Tooltip("day:N", title="Date")],
        )
        own_rows[id(marker_layer)] = markers
        layers.append(marker_layer)
    if interactive:
        layers[0] = layers[0].interactive(bind_y=False)
    # one constructor: each of layer(), resolve_*(), properties() and interactive() would copy it all
    chart = alt.LayerChart(
        layer=layers,
        resolve=alt.Resolve(
            scale=alt.ScaleResolveMap(color="independent", strokeDash="independent"),
            axis=alt.AxisResolveMap(x="independent"),
        ),
        description=_describe(sched, len(records)),
    )
    # the data go on last: every Altair step above deep-copies the chart with whatever data it holds
    chart.data = inline(records)
    for final, layer in zip(chart.layer, layers, strict=True):
        if id(layer) in own_rows:
            final.data = inline(own_rows[id(layer)])
    return chart


def _describe(sched: Schedule, rows: int) -> str:
    """What a screen reader announces for the chart (Vega sets it as the chart's aria-label)."""
    critical = len(sched.critical_path)
    return (
        f"Gantt chart of {sched.plan.name}: {rows} rows, start {sched.plan.start.isoformat()}, "
        f"finish {sched.finish.isoformat()}, {critical} tasks on the critical path"
    )


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
            px = p["start"] if link.type in ("SS", "SF") else p["point"]
            sx = s["point"] if link.type in ("FF", "SF") else s["start"]
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
