"""The cost charts of the Costs view: spend by month and category, and the cumulative spend against
the budget. No Streamlit here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import altair as alt

from planner.charts.common import CRITICAL, inline

CATEGORY_COLOURS = {
    "effort": "#4c78a8",
    "incumbent": "#9d755d",
    "extension": CRITICAL,
    "provider": "#54a24b",
    "one-off": "#b279a2",
}


def monthly_chart(cells: list[tuple[dt.date, str, Decimal]], currency: str) -> alt.Chart:
    """Spend per month, stacked by category."""
    rows = [{"month": m.isoformat(), "category": c, "amount": float(a)} for m, c, a in cells]
    return (
        alt.Chart(inline(rows))
        .mark_bar()
        .encode(
            x=alt.X("month:T", title=None, timeUnit="yearmonth"),
            y=alt.Y("amount:Q", title=f"{currency} per month", stack=True),
            color=alt.Color(
                "category:N",
                title="Category",
                scale=alt.Scale(domain=list(CATEGORY_COLOURS), range=list(CATEGORY_COLOURS.values())),
            ),
            tooltip=[
                alt.Tooltip("month:T", timeUnit="yearmonth", title="Month"),
                alt.Tooltip("category:N", title="Category"),
                alt.Tooltip("amount:Q", title=currency, format=",.2f"),
            ],
        )
        .properties(height=260, width="container", description="Spend per month by category")
    )


def cumulative_chart(
    cells: list[tuple[dt.date, str, Decimal]], currency: str, budget: Decimal | None
) -> alt.LayerChart:
    """Spend to date, month by month, with the budget as a line when there is one."""
    totals: dict[dt.date, Decimal] = {}
    for month, _, amount in cells:
        totals[month] = totals.get(month, Decimal(0)) + amount
    running, rows = Decimal(0), []
    for month in sorted(totals):
        running += totals[month]
        rows.append({"month": month.isoformat(), "spent": float(running)})
    line = (
        alt.Chart(inline(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=None, timeUnit="yearmonth"),
            y=alt.Y("spent:Q", title=f"{currency} spent to date"),
            tooltip=[
                alt.Tooltip("month:T", timeUnit="yearmonth", title="Month"),
                alt.Tooltip("spent:Q", title=currency, format=",.2f"),
            ],
        )
    )
    layers: list[alt.Chart] = [line]
    if budget is not None:
        rule = alt.Chart(inline([{"budget": float(budget)}])).mark_rule(color=CRITICAL, strokeDash=[6, 3])
        layers.append(rule.encode(y="budget:Q", tooltip=[alt.Tooltip("budget:Q", title="Budget", format=",.2f")]))
    return alt.LayerChart(layer=layers, height=260, width="container", description="Cumulative spend against budget")
