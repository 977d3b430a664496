"""Resource histograms: each resource's peak daily use per week against its capacity, with and
without levelling side by side, over-allocated weeks in red. No Streamlit here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import altair as alt

from planner.charts.common import CRITICAL, NORMAL, inline
from planner.core.schedule import Schedule
from planner.levelling.usage import weekly_use

LABELS = {"plain": "Not levelled", "levelled": "Levelled"}


def histogram_rows(
    plain: Schedule, levelled: Schedule | None, resources: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Weekly rows of each resource (of `resources` only, when given)."""
    rows = []
    for key, sched in (("plain", plain), ("levelled", levelled)):
        if sched is None:
            continue
        for r in weekly_use(sched):
            if resources is not None and r["resource"] not in resources:
                continue
            week: dt.date = r["week"]
            rows.append(
                {
                    "resource": r["resource"],
                    "schedule": LABELS[key],
                    "week": f"{week.isoformat()}T00:00:00Z",
                    "week_end": f"{(week + dt.timedelta(days=7)).isoformat()}T00:00:00Z",
                    "day": week.isoformat(),
                    "use": r["use"],
                    "capacity": r["capacity"],
                    "state": "over capacity" if r["use"] > r["capacity"] + 1e-9 else "within capacity",
                }
            )
    return rows


def resource_histogram(
    plain: Schedule,
    levelled: Schedule | None = None,
    width: int | str = 320,
    resources: Collection[str] | None = None,
) -> alt.FacetChart:
    """One row per resource (of `resources`, when given), a column each for the schedule without
    and with levelling: bars of the week's peak daily use, a dashed line at capacity."""
    rows = histogram_rows(plain, levelled, resources)
    x = alt.X("week:T", title=None, axis=alt.Axis(format="%d %b %y", labelAngle=0))
    bars = (
        alt.Chart()
        .mark_bar(binSpacing=1)
        .encode(
            x=x,
            x2=alt.X2("week_end:T"),
            y=alt.Y("use:Q", title="Peak daily use"),
            y2=alt.datum(0),
            color=alt.Color(
                "state:N",
                title=None,
                scale=alt.Scale(domain=["within capacity", "over capacity"], range=[NORMAL, CRITICAL]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("resource:N", title="Resource"),
                alt.Tooltip("day:N", title="Week of"),
                alt.Tooltip("use:Q", title="Peak use"),
                alt.Tooltip("capacity:Q", title="Capacity"),
            ],
        )
    )
    capacity = alt.Chart().mark_rule(strokeDash=[5, 3], color="#222222").encode(y="max(capacity):Q")
    layered = alt.LayerChart(layer=[bars, capacity]).properties(width=width, height=110)
    columns = [LABELS["plain"]] + ([LABELS["levelled"]] if levelled is not None else [])
    return layered.facet(
        data=alt.Data(values=inline(rows)["values"]),
        row=alt.Row("resource:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        column=alt.Column("schedule:N", title=None, sort=columns),
    ).resolve_scale(y="shared")


def what_if_chart(rows: list[tuple[float, Schedule]], resource: str, deadline: dt.date | None = None) -> alt.LayerChart:
    """The levelled finish against the capacity of one resource (a step down where one more unit
    helps), with the deadline as a dashed line when the plan has one."""
    data = [
        {"capacity": cap, "finish": f"{s.finish.isoformat()}T00:00:00Z", "day": s.finish.isoformat()} for cap, s in rows
    ]
    line = (
        alt.Chart()
        .mark_line(point=True, interpolate="step-after", color=NORMAL)
        .encode(
            x=alt.X("capacity:Q", title=f"{resource} capacity", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("finish:T", title="Levelled finish", scale=alt.Scale(zero=False), axis=alt.Axis(format="%d %b %y")),
            tooltip=[alt.Tooltip("capacity:Q"), alt.Tooltip("day:N", title="Finish")],
        )
    )
    layers = [line]
    if deadline is not None:
        rule = (
            alt.Chart()
            .mark_rule(strokeDash=[6, 3], color=CRITICAL)
            .encode(y=alt.datum(f"{deadline.isoformat()}T00:00:00Z", type="temporal"))
        )
        layers.append(rule)
    chart = alt.LayerChart(layer=layers).properties(width=360, height=160)
    chart.data = inline(data)
    return chart
