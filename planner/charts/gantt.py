"""How a Gantt is drawn: group summary bars, task bars, float tails, baseline bars, milestone and
gate diamonds (a failed gate is marked, even on a critical bar), today, status-date and deadline
lines, and dependency links. What it shows comes from planner/charts/gantt_data.py. No Streamlit.

The y scale has a fixed step per row, so the chart grows with its rows and every row keeps its
label. `gantt_chart` is the Altair chart (report, share views); `gantt_spec` is the same chart
as a Vega-Lite dict for the app and the PNG and SVG files, made from a drawing kept per
`GanttShape`, which an edit does not change: building the Altair layers costs 25-30 ms at 300
tasks, filling in a kept drawing well under 1 ms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from planner.audience import Audience
from planner.charts.common import CRITICAL, GATE, NORMAL, SUMMARY, inline
from planner.charts.gantt_data import GanttData, gantt_data
from planner.core.model import Task
from planner.core.schedule import Schedule

COLOR_BY = ("criticality", "phase", "owner")
ROW_STEP = 22  # pixels per row
LINE_COLOURS = {"today": "#ff7f0e", "status date": "#17becf", "contract end": "#c62828", "deadline": "#000000"}
TOP_AXIS_ROWS = 25  # charts with more rows get the date axis on top as well
# A live chart's time axis (see gantt_datasets). Vega evaluates it once before the lines arrive: an
# unguarded read fails there and cost each first draw 0.1-0.17 s in the browser.
_RANGE = "length(data('gantt-lines')) ? [toDate(data('gantt-lines')[0].lo), toDate(data('gantt-lines')[0].hi)] : null"


@dataclass(frozen=True)
class GanttShape:
    """What the drawing depends on besides the data, the time range and the description."""

    color_by: str
    width: int | str
    interactive: bool
    live: bool
    waits: bool
    baseline: bool
    links: bool
    lines: tuple[str, ...]
    top_axis: bool


def _shape(data: GanttData, color_by: str, width: int | str, interactive: bool, live: bool = False) -> GanttShape:
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}")
    return GanttShape(
        color_by=color_by,
        width=width,
        interactive=interactive,
        live=live and interactive,
        waits=any("wait_from" in r for r in data.rows),
        baseline=any("b_start" in r for r in data.rows),
        links=bool(data.links),
        lines=tuple(m["what"] for m in data.lines),
        top_axis=len(data.rows) > TOP_AXIS_ROWS,
    )


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
    group_by: str = "phase",
    interactive: bool = True,
    live: bool = False,
) -> alt.LayerChart:
    """The Gantt: dependency links on small plans, else the selected task's; rolled up into
    groups past ROLLUP_THRESHOLD tasks unless phases are picked.

    `interactive` binds the time axis to pan and zoom (the app); a file (PNG, SVG, report) is
    drawn without it: the binding clips every layer, and each clip costs the PNG renderer a
    full-size mask (a 300-task PNG took 7 s with them, 0.4 s without).

    `live` (with `interactive`) is the app's Gantt, which an edit redraws in place: its time
    range is in its data and its description leaves out the finish and the critical path (the
    key figures beside it give them), so an edit changes its data alone and Streamlit updates
    the chart on screen instead of building a new one (about 45 ms less per edit at 300 tasks)."""
    data, shape = gantt_layout(
        sched, color_by, selected, show_links, phases, rollup, today, width, only, group_by, interactive, live
    )
    chart = gantt_drawing(shape, data.start, data.end, gantt_description(data, shape))
    # the data go on last: every Altair step deep-copies the chart with whatever data it holds
    chart.datasets = gantt_datasets(data, shape)
    return chart


def gantt_layout(
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
    live: bool = False,
) -> tuple[GanttData, GanttShape]:
    """What `gantt_chart` draws (its rows, lines and links) and the shape of its drawing, for a
    caller that keeps drawings of a shape (the app) and adds the data (`gantt_datasets`)."""
    data = gantt_data(sched, selected, show_links, phases, rollup, today, only, group_by, clip=interactive)
    return data, _shape(data, color_by, width, interactive, live)


def audience_gantt(
    sched: Schedule, who: Audience, width: int | str = "container", today: dt.date | None = None
) -> alt.LayerChart:
    """The Gantt an audience sees (a share view, a report): the full plan with its links on
    small plans; milestones and gates for executives; a party's own, joint and key-date tasks."""
    if who.view == "full":
        return gantt_chart(sched, show_links=None, rollup=False, width=width, today=today)
    if who.view == "executive":
        return gantt_chart(sched, only=who.sees, show_links=False, width=width, today=today)
    return gantt_chart(sched, only=who.sees, show_links=False, rollup=False, width=width, today=today)


def gantt_description(data: GanttData, shape: GanttShape) -> str:
    """The chart's aria-label (see `gantt_chart` on `live`)."""
    return data.about if shape.live else data.description


# The rows each layer draws: chosen here rather than filtered in the browser, where Vega would
# run each layer's filter expression over every row on every draw.
_ROW_LAYERS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "summary": lambda r: r["kind"] == "phase",
    "tails": lambda r: r["kind"] != "phase" and r.get("duration", 0) > 0 and r.get("total_float", 0) > 0,
    "bars": lambda r: r["kind"] != "phase" and r.get("duration", 0) > 0,
    "points": lambda r: r["kind"] in ("milestone", "gate"),
    "raid": lambda r: bool(r.get("raid")),
    "waits": lambda r: r.get("wait_from") is not None,
    "baseline": lambda r: r.get("b_start") is not None,
}


# A task's tooltip (bars and diamonds): field, type, title.
_TOOLTIP = (
    ("id", "N", "Task"),
    ("name", "N", "Name"),
    ("first", "N", "Start"),
    ("finish", "N", "Finish"),
    ("duration", "Q", "Working days"),
    ("total_float", "Q", "Total float"),
    ("owner", "N", "Owner"),
    ("driver", "N", "Driven by"),
    ("gate", "N", "Gate"),
    ("raid", "N", "Open RAID items"),
)
_TOOLTIP_FIELDS = tuple(field for field, _, _ in _TOOLTIP)
# The fields each layer reads: the app sends every row of a layer on each edit, and the browser
# converts and ingests each field of each row.
_LAYER_FIELDS = {
    "bars": ("label", "start", "end", "color", "critical", "phase", *_TOOLTIP_FIELDS),
    "points": ("label", "point", "critical", "mark", *_TOOLTIP_FIELDS),
    "tails": ("label", "end", "late_end"),
    "raid": ("label", "start", "id", "raid"),
    "waits": ("label", "wait_from", "start", "id", "driver"),
    "baseline": ("label", "b_start", "b_end", "id", "variance"),
}


def _data_names(shape: GanttShape) -> tuple[str, ...]:
    optional = {"waits": shape.waits, "baseline": shape.baseline, "links": shape.links, "lines": bool(shape.lines)}
    return (*("summary", "tails", "bars", "points", "raid"), *(name for name, drawn in optional.items() if drawn))


def gantt_datasets(data: GanttData, shape: GanttShape) -> dict[str, list[dict[str, Any]]]:
    """The drawing's named data sets, one per kind of layer. A live chart reads its time range
    from the lines' rows (in the app there is always today's)."""
    rows = inline(data.rows)["values"]
    datasets = {}
    for name in _data_names(shape):
        if name in _ROW_LAYERS:
            chosen = [r for r in rows if _ROW_LAYERS[name](r)]
            fields = _LAYER_FIELDS.get(name)
            datasets[f"gantt-{name}"] = [{k: r[k] for k in fields if k in r} for r in chosen] if fields else chosen
            continue
        own = data.layer_rows(name)
        if name == "lines" and shape.live:
            own = [{**row, "lo": data.start, "hi": data.end} for row in own]
        datasets[f"gantt-{name}"] = inline(own)["values"]
    return datasets


def gantt_drawing(shape: GanttShape, start: str, end: str, description: str) -> alt.LayerChart:
    """The Gantt's layers with their data named, not given (`gantt_datasets` gives them): the
    same for every plan of this shape, time range (a live chart reads its own from its data) and
    description."""
    chart, own = _drawing(shape, start, end, description)
    for index, name in own.items():
        chart.layer[index].data = {"name": f"gantt-{name}"}
    return chart


def _drawing(shape: GanttShape, start: str, end: str, description: str) -> tuple[alt.LayerChart, dict[int, str]]:
    """The layers without data, and the data set each layer draws (`gantt_datasets`)."""
    # Labels carry a zero-padded row number, so the natural ascending order is the plan order
    # in every layer; the axis shows the text after the "|".
    # A file's labels are not truncated by width (row labels are cut at 48 characters anyway):
    # vl-convert measures each label to truncate it, 1 ms apiece (a 300-task SVG took 0.8 s, 0.5 without).
    axis = alt.Axis(
        labelLimit=320 if shape.interactive else 0,
        labelFontSize=11,
        labelOverlap=False,
        labelExpr="split(datum.label, '|')[1]",
    )
    y = alt.Y("label:N", sort="ascending", title=None, axis=axis)
    base = alt.Chart().properties(width=shape.width, height=alt.Step(ROW_STEP))
    x_scale = alt.Scale(type="utc", domain=alt.ExprRef(expr=_RANGE) if shape.live else [start, end])
    date_axis: dict[str, Any] = {"format": "%d %b %Y", "labelAngle": 0, "title": None}
    x = alt.X("start:T", scale=x_scale, title=None, axis=alt.Axis(grid=True, **date_axis))
    x_end = alt.X("end:T", scale=x_scale, axis=None)
    x_point = alt.X("point:T", scale=x_scale, axis=None)
    tooltip = [alt.Tooltip(f"{field}:{kind}", title=title) for field, kind, title in _TOOLTIP]
    summary = base.mark_bar(height=6, color=SUMMARY).encode(
        x=x,
        x2=alt.X2("end:T"),
        y=y,
        tooltip=[
            alt.Tooltip("phase:N", title="Group"),
            alt.Tooltip("first:N", title="Start"),
            alt.Tooltip("finish:N"),
        ],
    )
    summary.name = "summary"  # set, not .properties(): no schema validation per layer
    tail = base.mark_bar(height=4, fillOpacity=0.35, color="#9e9e9e", aria=False).encode(
        x=x_end, x2=alt.X2("late_end:T"), y=y
    )
    tail.name = "tails"  # set, not .properties(): no schema validation per layer
    stroke = alt.StrokeValue(**alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("transparent")))
    bars = base.mark_bar(height=14, cornerRadius=2, strokeWidth=2).encode(
        x=x.axis(None), x2=alt.X2("end:T"), y=y, color=_color(shape.color_by), stroke=stroke, tooltip=tooltip
    )
    bars.name = "bars"  # set, not .properties(): no schema validation per layer
    failed = alt.datum.gate == "failed"
    diamonds = base.mark_point(shape="diamond", filled=True, size=150).encode(
        x=x_point,
        y=y,
        color=alt.Color(
            "gate:N",
            title="Gate",
            scale=alt.Scale(domain=["passed", "failed", "pending", ""], range=["#2ca02c", "#d62728", GATE, "#222222"]),
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
    diamonds.name = "diamonds"  # set, not .properties(): no schema validation per layer
    labels_layer = base.mark_text(align="left", dx=9, fontSize=10, aria=False).encode(
        x=x_point,
        y=y,
        text=alt.Text("mark:N"),
        color=alt.ColorValue(**alt.condition(failed, alt.value(CRITICAL), alt.value("#333333"))),
    )
    labels_layer.name = "labels"  # set, not .properties(): no schema validation per layer
    raid_marks = base.mark_text(text="⚠", align="right", dx=-3, fontSize=12, color="#e6550d", aria=False).encode(
        x=x.axis(None),
        y=y,
        tooltip=[alt.Tooltip("id:N", title="Task"), alt.Tooltip("raid:N", title="Open RAID items")],
    )
    named = [(summary, "summary"), (tail, "tails"), (bars, "bars"), (diamonds, "points"), (labels_layer, "points")]
    named.append((raid_marks, "raid"))
    if shape.waits:
        waits = base.mark_bar(height=3, color="#7f7f7f", aria=False).encode(
            x=alt.X("wait_from:T", scale=x_scale, axis=None),
            x2=alt.X2("start:T"),
            y=y,
            tooltip=[
                alt.Tooltip("id:N", title="Task"),
                alt.Tooltip("driver:N", title="Waited for a resource, then"),
            ],
        )
        waits.name = "level-delays"  # set, not .properties(): no schema validation per layer
        named.insert(1, (waits, "waits"))
    if shape.baseline:
        baseline = base.mark_bar(height=4, yOffset=10, color="#999999", fillOpacity=0.9, aria=False).encode(
            x=alt.X("b_start:T", scale=x_scale, axis=None),
            x2=alt.X2("b_end:T"),
            y=y,
            tooltip=[alt.Tooltip("id:N", title="Task"), alt.Tooltip("variance:Q", title="Finish variance (days)")],
        )
        named.insert(1, (baseline, "baseline"))
    if shape.links:
        link_layer = (
            alt.Chart()
            .mark_rule(strokeWidth=1.2, strokeOpacity=0.8, aria=False)  # no opacity layer per line in PNG
            .encode(
                x=alt.X("x:T", scale=x_scale, axis=None),
                x2=alt.X2("x2:T"),
                y=alt.Y("y:N", sort="ascending"),
                y2=alt.Y2("y2:N"),
                color=alt.ColorValue(**alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("#777777"))),
            )
        )
        named.insert(1, (link_layer, "links"))
    if shape.lines:
        lines = alt.Chart().mark_rule(strokeWidth=1.5, clip=shape.interactive)
        top = shape.top_axis
        marker_layer = lines.encode(
            x=alt.X("at:T", scale=x_scale, axis=alt.Axis(orient="top", **date_axis) if top else None),
            color=alt.Color(
                "what:N",
                title=None,
                scale=alt.Scale(
                    domain=list(shape.lines),
                    range=[LINE_COLOURS[what] for what in shape.lines],
                ),
                legend=alt.Legend(orient="top"),
            ),
            strokeDash=alt.StrokeDashValue(
                **alt.condition(
                    "datum.what == 'deadline' || datum.what == 'contract end'", alt.value([8, 4]), alt.value([4, 3])
                )
            ),
            tooltip=[alt.Tooltip("what:N", title="Line"), alt.Tooltip("day:N", title="Date")],
        )
        named.append((marker_layer, "lines"))
    layers = [layer for layer, _ in named]
    if shape.interactive:
        layers[0] = layers[0].interactive(bind_y=False)
    # one constructor: each of layer(), resolve_*(), properties() and interactive() would copy it all
    chart = alt.LayerChart(
        layer=layers,
        resolve=alt.Resolve(
            scale=alt.ScaleResolveMap(color="independent", strokeDash="independent"),
            axis=alt.AxisResolveMap(x="independent"),
        ),
        description=description,
    )
    return chart, {i: name for i, (_, name) in enumerate(named)}
