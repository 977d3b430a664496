"""The Costs view: every cost line, the spend by month and category, the cumulative spend against
the budget, and the P50 and P80 cost of the committed run (planner.costs, docs/costs.md)."""

from __future__ import annotations

import streamlit as st

from planner.charts.costs import cumulative_chart, monthly_chart
from planner.core.schedule import Schedule
from planner.costs import monthly_costs, plan_cost
from planner.ui import derived
from planner.ui.chart import show as show_chart
from planner.ui.text import md


def show(sched: Schedule) -> None:
    cost = plan_cost(sched)
    if cost is None:
        st.info(
            "This plan has no cost model. Add `costs:` to the plan file (day rates, run costs, an "
            "extension price, one-offs, a budget): see docs/costs.md. Plans made from a template carry "
            "illustrative figures.",
            icon="ℹ️",
        )
        return
    model = sched.plan.costs
    if model is not None and model.note:
        st.caption(md(model.note))
    run = derived.committed_for(sched.plan)
    spread = ""
    if run is not None and run.cost is not None:
        q = run.cost.percentiles
        spread = f" · P50 {q[50]:,.0f} · P80 {q[80]:,.0f}"
    st.markdown(
        f"**Total {cost.total:,.2f} {cost.currency}**{spread} · double running {cost.double_running_days} days, "
        f"{cost.double_running:,.0f}"
    )
    cells = monthly_costs(sched)
    left, right = st.columns(2)
    show_chart(monthly_chart(cells, cost.currency), key="costs-monthly", where=left)
    show_chart(cumulative_chart(cells, cost.currency, cost.budget), key="costs-cumulative", where=right)
    st.dataframe(
        [{"Category": x.category, "Item": x.label, f"Amount ({cost.currency})": float(x.amount)} for x in cost.lines],
        hide_index=True,
        width="stretch",
        key="costs-lines",
        column_config={f"Amount ({cost.currency})": st.column_config.NumberColumn(format="localized")},
    )
