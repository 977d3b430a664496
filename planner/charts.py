"""Altair charts of a schedule: the Gantt and the network view. No Streamlit here.

Dates go to the chart as UTC midnights on a `utc` scale, and bars end at the midnight after
the finish (exclusive), so a bar never shifts by a day in a viewer's time zone; a milestone
sits at midday of its date. Data goes in as DataFrames, which Altair stores once as a named
dataset shared by all layers. `st.altair_chart` has no row limit; to export a chart of more
than 5,000 rows with `to_dict()`, wrap it in `alt.data_transformers.disable_max_rows()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from planner.gates import gate_status
from planner.model import Task
from planner.schedule import Schedule, phase_rows

COLOR_BY = ("criticality", "phase", "owner")
CRITICAL, NORMAL, GATE, SUMMARY = "#d62728", "#4c78a8", "#9467bd", "#444444"
ROLLUP_THRESHOLD = 400
LINKS_ALL_THRESHOLD = 60


def _utc(iso: str, hour: int = 0) -> str:
    return f"{iso}T{hour:02d}:00:00Z"


def _next_day(iso: str) -> str:
    return _utc((dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat())


def _label(tid: str, name: str, width: int = 48) -> str:
    text = f"{tid}  {name}"
    return text if len(text) <= width else text[: width - 1] + "…"


def gantt_rows(
    sched: Schedule,
    phases: Sequence[str] | None = None,
    rollup: bool = False,
    only: Callable[[Task], bool] | None = None,
) -> list[dict[str, Any]]:
    """One record per bar: phase summaries, then their tasks in plan order (those `only` keeps)."""
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
    records: list[dict[str, Any]] = []
    phase_table = phase_rows(sched)
    wanted = set(phases) if phases else None
    by_phase: dict[str, list[dict[str, Any]]] = {}
    for row in t.to_dict(orient="records"):
        by_phase.setdefault(row["phase"], []).append(row)
    order = 0
    for ph in phase_table.to_dict(orient="records"):
        if wanted is not None and ph["phase"] not in wanted:
            continue
        records.append(
            {
                "row": order,
                "label": f"{order:06d}|▸ {ph['phase'] or '(no phase)'}",
                "id": "",
                "kind": "phase",
                "phase": ph["phase"],
                "owner": "",
                "start": _utc(ph["start"]),
                "end": _next_day(ph["finish"]),
                "point": _next_day(ph["finish"]),
                "first": ph["start"],
                "finish": ph["finish"],
                "critical": bool(ph["critical"]),
                "color": "phase summary",
            }
        )
        order += 1
        if rollup:
            continue
        for row in by_phase.get(ph["phase"], []):
            task = tasks[row["id"]]
            if only is not None and not only(task):
                continue
            driver = drivers[row["id"]]
            records.append(
                {
                    "row": order,
                    "label": f"{order:06d}|{_label(row['id'], row['name'])}",
                    "id": row["id"],
                    "name": row["name"],
                    "kind": "gate" if task.is_gate else ("milestone" if row["milestone"] else "task"),
                    "gate": gate_status(task) or "",
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
) -> alt.LayerChart:
    """The Gantt: phase summary bars, task bars, float tails, milestone and gate diamonds,
    a today line, and dependency links (all on small plans, else the selected task's)."""
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}")
    rollup = len(sched.plan.tasks) > ROLLUP_THRESHOLD and not phases if rollup is None else rollup
    records = gantt_rows(sched, phases, rollup, only)
    n_rows = max(len(records), 1)
    # Labels carry a zero-padded row number, so the natural ascending order is the plan order
    # in every layer; the axis shows the text after the "|".
    axis = alt.Axis(labelLimit=320, labelFontSize=11, labelExpr="split(datum.label, '|')[1]")
    y = alt.Y("label:N", sort="ascending", title=None, axis=axis)
    base = alt.Chart(pd.DataFrame.from_records(records)).properties(width=width, height=min(24 * n_rows + 40, 20000))
    lo = min((r["start"] for r in records), default=_utc(sched.plan.start.isoformat()))
    hi = max((r.get("late_end", r["end"]) for r in records), default=lo)
    x_scale = alt.Scale(
        type="utc", domain=[lo, _utc((dt.date.fromisoformat(hi[:10]) + dt.timedelta(days=8)).isoformat())]
    )
    x = alt.X("start:T", scale=x_scale, title=None, axis=alt.Axis(format="%d %b %Y", labelAngle=0, grid=True))
    x_end = alt.X("end:T", scale=x_scale)
    x_point = alt.X("point:T", scale=x_scale)
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
            x2="end:T",
            y=y,
            tooltip=[alt.Tooltip("phase:N", title="Phase"), alt.Tooltip("first:N", title="Start"), "finish:N"],
        )
        .transform_filter(is_phase)
    )
    tail = (
        base.mark_bar(height=4, opacity=0.35, color="#9e9e9e")
        .encode(x=x_end, x2="late_end:T", y=y)
        .transform_filter(is_bar & (alt.datum.total_float > 0))
    )
    stroke = alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("transparent"))
    bars = (
        base.mark_bar(height=14, cornerRadius=2, strokeWidth=2)
        .encode(x=x, x2="end:T", y=y, color=_color(color_by), stroke=stroke, tooltip=tooltip)
        .transform_filter(is_bar)
    )
    diamonds = (
        base.mark_point(shape="diamond", filled=True, size=140, strokeWidth=1.5)
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
            stroke=stroke,
            tooltip=tooltip,
        )
        .transform_filter(is_point)
    )
    labels_layer = (
        base.mark_text(align="left", dx=9, fontSize=10, color="#333")
        .encode(x=x_point, y=y, text="id:N")
        .transform_filter(is_point)
    )
    raid_marks = (
        base.mark_text(text="⚠", align="right", dx=-3, fontSize=12, color="#e6550d")
        .encode(x=x, y=y, tooltip=[alt.Tooltip("id:N", title="Task"), alt.Tooltip("raid:N", title="Open RAID items")])
        .transform_filter("datum.raid && datum.raid.length > 0")
    )
    layers: list[alt.Chart] = [summary, tail, bars, diamonds, labels_layer, raid_marks]
    if any("b_start" in r for r in records):
        baseline = (
            base.mark_bar(height=4, yOffset=10, color="#999999", opacity=0.9)
            .encode(
                x=alt.X("b_start:T", scale=x_scale),
                x2="b_end:T",
                y=y,
                tooltip=[alt.Tooltip("id:N", title="Task"), alt.Tooltip("variance:Q", title="Finish variance (days)")],
            )
            .transform_filter("isValid(datum.b_start)")
        )
        layers.insert(1, baseline)
    links = _link_records(sched, records, selected, show_links)
    if links:
        layers.insert(
            1,
            alt.Chart(pd.DataFrame.from_records(links))
            .mark_rule(strokeWidth=1.2, opacity=0.8)
            .encode(
                x=alt.X("x:T", scale=x_scale),
                x2="x2:T",
                y=alt.Y("y:N", sort="ascending"),
                y2="y2:N",
                color=alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("#777777")),
            ),
        )
    today = today or dt.date.today()
    layers.append(
        alt.Chart(pd.DataFrame([{"today": _utc(today.isoformat(), 12), "day": today.isoformat()}]))
        .mark_rule(color="#ff7f0e", strokeDash=[4, 3])
        .encode(x=alt.X("today:T", scale=x_scale), tooltip=[alt.Tooltip("day:N", title="Today")])
    )
    return alt.layer(*layers).resolve_scale(color="independent").interactive(bind_y=False)


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


def network_layout(sched: Schedule) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes placed left to right by topological generation; edges between their centres."""
    gens = sched.network.level
    ids = sched.network.ids
    table = sched.table
    on_path = set(sched.critical_path)
    slot: dict[int, int] = {}
    nodes = []
    pos = {}
    for j, tid in enumerate(ids):
        g = int(gens[j])
        k = slot.get(g, 0)
        slot[g] = k + 1
        pos[tid] = (g, k)
        nodes.append(
            {
                "id": tid,
                "name": table["name"].iat[j],
                "phase": table["phase"].iat[j],
                "owner": table["owner"].iat[j] or "(none)",
                "x": g,
                "y": k,
                "above": g % 2 == 0,
                "critical": tid in on_path,
                "start": table["start"].iat[j],
                "finish": table["finish"].iat[j],
            }
        )
    edges = []
    for task in sched.plan.tasks:
        for link in task.depends_on:
            (x1, y1), (x2, y2) = pos[link.task], pos[task.id]
            edges.append(
                {
                    "x": x1,
                    "y": y1,
                    "x2": x2,
                    "y2": y2,
                    "critical": link.task in on_path and task.id in on_path,
                    "type": link.type,
                }
            )
    return nodes, edges


def network_chart(sched: Schedule, color_by: str = "owner", width: int | None = None) -> alt.LayerChart:
    """The dependency network: generations left to right, critical path in red. The width
    grows with the number of generations so ids stay readable (about 80 px each)."""
    if color_by not in ("owner", "phase"):
        raise ValueError("color_by must be owner or phase")
    nodes, edges = network_layout(sched)
    width = width or max(600, 80 * (max((n["x"] for n in nodes), default=0) + 1))
    height = max(200, 34 * (max((n["y"] for n in nodes), default=0) + 1))
    xs = alt.X("x:Q", axis=None, scale=alt.Scale(padding=30))
    ys = alt.Y("y:Q", axis=None, scale=alt.Scale(reverse=True, padding=20))
    edge_layer = (
        alt.Chart(pd.DataFrame.from_records(edges, columns=["x", "y", "x2", "y2", "critical", "type"]))
        .mark_rule()
        .encode(
            x=xs,
            y=ys,
            x2="x2:Q",
            y2="y2:Q",
            color=alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("#bbbbbb")),
            strokeWidth=alt.condition(alt.datum.critical, alt.value(2.5), alt.value(1)),
        )
    )
    node_base = alt.Chart(pd.DataFrame.from_records(nodes))
    node_layer = node_base.mark_circle(size=260, opacity=1).encode(
        x=xs,
        y=ys,
        color=alt.Color(
            f"{color_by}:N", title=color_by.title(), scale=alt.Scale(scheme="set2"), legend=alt.Legend(orient="top")
        ),
        stroke=alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("white")),
        strokeWidth=alt.condition(alt.datum.critical, alt.value(3), alt.value(1)),
        tooltip=["id:N", "name:N", "phase:N", "owner:N", "start:N", "finish:N", "critical:N"],
    )
    above = node_base.mark_text(dy=-15, fontSize=9).encode(x=xs, y=ys, text="id:N").transform_filter(alt.datum.above)
    below = node_base.mark_text(dy=17, fontSize=9).encode(x=xs, y=ys, text="id:N").transform_filter(~alt.datum.above)
    chart = alt.layer(edge_layer, node_layer, above, below).properties(width=width, height=height)
    return chart.interactive()


def risk_charts(result) -> tuple[alt.Chart, alt.LayerChart]:
    """Histogram of the plan finish and its S-curve (cumulative probability), with P50/P80 rules."""
    days, counts = np.unique(result.finish_samples, return_counts=True)
    frame = pd.DataFrame({"days": days, "share": counts / counts.sum(), "cumulative": np.cumsum(counts) / counts.sum()})
    marks = pd.DataFrame(
        [{"label": f"P{q}", "days": result.finish_days[q]} for q in (50, 80)]
        + [{"label": "plan", "days": result.deterministic_days}]
    )
    x = alt.X("days:Q", title="Plan finish (working days from the start)", scale=alt.Scale(zero=False))
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[4, 3])
        .encode(
            x="days:Q",
            color=alt.Color("label:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=["label", "days"],
        )
    )
    histogram = (
        alt.Chart(frame)
        .mark_bar(color=NORMAL)
        .encode(
            x=x, y=alt.Y("share:Q", title="Share of iterations", axis=alt.Axis(format="%")), tooltip=["days", "share"]
        )
    )
    curve = (
        alt.Chart(frame)
        .mark_line(color=CRITICAL, interpolate="step-after")
        .encode(x=x, y=alt.Y("cumulative:Q", title="Probability of finishing by", axis=alt.Axis(format="%")))
    )
    return (histogram + rules).properties(height=260), (curve + rules).properties(height=260)


def raid_heatmap(plan) -> alt.LayerChart:
    """Open risks on a probability x impact grid (1-5 each), coloured by score."""
    cells = [{"probability": p, "impact": i, "score": p * i} for p in range(1, 6) for i in range(1, 6)]
    counts: dict[tuple[int, int], list[str]] = {}
    for r in plan.raid:
        if r.kind == "risk" and r.is_open and r.probability and r.impact:
            counts.setdefault((r.probability, r.impact), []).append(r.id)
    for c in cells:
        ids = counts.get((c["probability"], c["impact"]), [])
        c["count"], c["ids"] = len(ids), ", ".join(ids)
    frame = pd.DataFrame(cells)
    base = alt.Chart(frame).encode(
        x=alt.X("impact:O", title="Impact"), y=alt.Y("probability:O", title="Probability", sort="descending")
    )
    heat = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "score:Q", scale=alt.Scale(domain=[1, 25], range=["#d9f0d3", "#fee08b", "#d73027"]), legend=None
        ),
        tooltip=["probability", "impact", "score", "count", "ids"],
    )
    text = base.mark_text(fontSize=14, fontWeight="bold").encode(text=alt.Text("count:Q"))
    return (heat + text.transform_filter(alt.datum.count > 0)).properties(width=260, height=260)
