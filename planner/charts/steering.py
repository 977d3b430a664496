"""Steering charts: the Monte Carlo finish (histogram and S-curve, on dates) and the RAID heat map."""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import numpy as np

from planner.charts.common import CRITICAL, NORMAL, inline


def _utc(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def risk_charts(result: Any, plan: Any) -> tuple[alt.LayerChart, alt.LayerChart]:
    """Histogram of the plan finish date and its S-curve (the chance of finishing by each date),
    with the plan's own finish, P50, P80 and the deadline marked. A day's bar spans that day."""
    cal = plan.work_calendar()
    offsets, counts = np.unique(result.finish_samples, return_counts=True)
    days = cal.dates_of(np.maximum(offsets - 1, 0))
    total = counts.sum()
    cumulative = np.cumsum(counts) / total
    frame = [
        {
            "date": _utc(d),
            "end": _utc(d + dt.timedelta(days=1)),
            "day": d.isoformat(),
            "share": float(c / total),
            "cumulative": float(cum),
        }
        for d, c, cum in zip(days, counts, cumulative, strict=True)
    ]
    marks = [
        {"label": f"P{q}", "date": _utc(result.finish_dates[q]), "day": result.finish_dates[q].isoformat()}
        for q in (50, 80)
    ]
    marks.append(
        {"label": "plan", "date": _utc(result.deterministic_date), "day": result.deterministic_date.isoformat()}
    )
    if plan.deadline is not None:
        marks.append({"label": "deadline", "date": _utc(plan.deadline), "day": plan.deadline.isoformat()})
    x = alt.X("date:T", title="Plan finish", axis=alt.Axis(format="%d %b %Y", labelAngle=0))
    rules = (
        alt.Chart(inline(marks))
        .mark_rule(strokeDash=[4, 3], strokeWidth=2)
        .encode(
            x="date:T",
            color=alt.Color(
                "label:N",
                title=None,
                legend=alt.Legend(orient="top"),
                scale=alt.Scale(
                    domain=[m["label"] for m in marks],
                    range=["#1f77b4", "#ff7f0e", "#333333", CRITICAL][: len(marks)],
                ),
            ),
            tooltip=[alt.Tooltip("label:N", title="Line"), alt.Tooltip("day:N", title="Date")],
        )
    )
    data = inline(frame)
    histogram = (
        alt.Chart(data)
        .mark_bar(color=NORMAL)
        .encode(
            x=x,
            x2="end:T",
            y=alt.Y("share:Q", title="Share of runs", axis=alt.Axis(format="%")),
            y2=alt.datum(0),
            tooltip=[alt.Tooltip("day:N", title="Finish"), alt.Tooltip("share:Q", title="Share", format=".1%")],
        )
    )
    curve = (
        alt.Chart(data)
        .mark_line(color=CRITICAL, interpolate="step-after")
        .encode(
            x=alt.X("end:T", title="Plan finish", axis=alt.Axis(format="%d %b %Y", labelAngle=0)),
            y=alt.Y("cumulative:Q", title="Chance of finishing by", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("day:N", title="Finish by"),
                alt.Tooltip("cumulative:Q", title="Chance", format=".0%"),
            ],
        )
    )
    return (histogram + rules).properties(height=260), (curve + rules).properties(height=260)


def raid_heatmap(plan: Any) -> alt.LayerChart:
    """Open risks on a probability x impact grid (1-5 each), coloured by score."""
    cells: list[dict[str, Any]] = [
        {"probability": p, "impact": i, "score": p * i} for p in range(1, 6) for i in range(1, 6)
    ]
    counts: dict[tuple[int, int], list[str]] = {}
    for r in plan.raid:
        if r.kind == "risk" and r.is_open and r.probability and r.impact:
            counts.setdefault((r.probability, r.impact), []).append(r.id)
    for c in cells:
        ids = counts.get((c["probability"], c["impact"]), [])
        c["count"], c["ids"] = len(ids), ", ".join(ids)
    base = alt.Chart(inline(cells)).encode(
        x=alt.X("impact:O", title="Impact"), y=alt.Y("probability:O", title="Probability", sort="descending")
    )
    heat = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "score:Q", scale=alt.Scale(domain=[1, 25], range=["#d9f0d3", "#fee08b", "#d73027"]), legend=None
        ),
        tooltip=["probability:O", "impact:O", "score:Q", "count:Q", "ids:N"],
    )
    text = base.mark_text(fontSize=14, fontWeight="bold").encode(text=alt.Text("count:Q"))
    return (heat + text.transform_filter(alt.datum.count > 0)).properties(width=260, height=260)


def tornado_chart(drivers: Any) -> alt.Chart:
    """How far each risk moves the P80 finish (working days), the largest first."""
    rows = [
        {
            "risk": f"{d.id}  {d.title}" if len(d.title) <= 50 else f"{d.id}  {d.title[:49]}…",
            "shift": d.p80_shift,
            "chance": f"{d.probability:.0%}",
        }
        for d in drivers
    ]
    return (
        alt.Chart(inline(rows))
        .mark_bar(color=CRITICAL, height=16)
        .encode(
            x=alt.X("shift:Q", title="P80 finish moves by (working days)", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("risk:N", sort=None, title=None, axis=alt.Axis(labelLimit=360)),
            tooltip=[
                alt.Tooltip("risk:N", title="Risk"),
                alt.Tooltip("chance:N", title="Chance it happens"),
                alt.Tooltip("shift:Q", title="P80 moves (working days)"),
            ],
        )
        .properties(height=alt.Step(26), width="container")
    )


TREND_SERIES = ("Handover P80", "Handover most likely", "Finish P80", "Finish most likely")


def trend_chart(trend: Any) -> alt.Chart:
    """The forecast's trend (`planner.pack.trend.Trend`): the handover's and finish's most likely and
    P80 dates at each saved revision; a point's tooltip names its revision and status date."""
    rows = []
    for p in trend.points:
        values = (p.handover_p80, p.handover_date, p.finish_p80, p.finish)
        for series, day in zip(TREND_SERIES, values, strict=True):
            if day is not None:
                rows.append({"revision": p.label, "order": p.revision, "series": series, "date": _utc(day)})
    return (
        alt.Chart(inline(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("revision:N", sort=alt.SortField("order"), title="Saved revision", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("date:T", title=None, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=list(TREND_SERIES), range=["#c62828", "#f28e8e", "#1f4e9a", "#8fb3e8"]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["revision:N", "series:N", alt.Tooltip("date:T", format="%Y-%m-%d")],
        )
        .properties(height=300, width="container")
    )
