"""Schedule risk in the app: run the Monte Carlo with a progress bar; P50/P80 beside the plan."""

from __future__ import annotations

import streamlit as st

from planner.charts import risk_charts
from planner.model import Plan
from planner.risk import RiskResult, simulate

RESULT = "risk_result"


def show(plan: Plan) -> None:
    cols = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    iterations = cols[0].number_input("Iterations", 500, 100_000, 5_000, step=500, key="risk-iterations")
    distribution = cols[1].selectbox("Distribution", ["pert", "triangular"], key="risk-distribution")
    correlation = cols[2].slider(
        "Correlation",
        0.0,
        1.0,
        plan.risk.correlation if plan.risk else 0.0,
        0.1,
        key="risk-correlation",
        help="0 = independent tasks; 1 = every task at the same percentile (shared risk drivers)",
    )
    run = cols[3].button("▶ Run simulation", key="risk-run", type="primary")
    cached = st.session_state.get(RESULT)
    if run:
        bar = st.progress(0.0, text="Simulating…")
        result = simulate(
            plan,
            iterations=int(iterations),
            seed=1,
            distribution=distribution,
            correlation=correlation,
            progress=lambda done, total: bar.progress(done / total, text=f"Simulating… {done:,} of {total:,}"),
        )
        bar.empty()
        st.session_state[RESULT] = (plan, result)
        cached = (plan, result)
    if cached is None or cached[0] is not plan:
        st.caption("Run the simulation to see P50/P80 dates and how often each task is critical.")
        return
    _summary(cached[1])


def _summary(result: RiskResult) -> None:
    cols = st.columns(4)
    cols[0].metric("Deterministic finish", result.deterministic_date.isoformat())
    cols[1].metric("P50 finish", result.finish_dates[50].isoformat(), help="Internal target")
    cols[2].metric("P80 finish", result.finish_dates[80].isoformat(), help="Commit externally")
    if result.uplift:
        cols[3].metric(f"P80 + {result.uplift:.0%} uplift", result.uplifted_p80_date.isoformat())
    elif result.deadline_probability is not None:
        cols[3].metric("Chance of meeting the deadline", f"{result.deadline_probability:.0%}")
    histogram, s_curve = risk_charts(result)
    left, right = st.columns(2)
    left.altair_chart(histogram, width="stretch", key="risk-histogram")
    right.altair_chart(s_curve, width="stretch", key="risk-scurve")
    if result.milestones:
        st.markdown("**Milestones and gates**: planned date and the date reached in 50, 80 and 90% of runs")
        st.dataframe(
            [
                {
                    "milestone": f"{m.id}  {m.name}",
                    "planned": m.deterministic.isoformat(),
                    **{f"P{q}": m.dates[q].isoformat() for q in (50, 80, 90)},
                }
                for m in result.milestones
            ],
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(result.milestones), 640),  # every milestone without scrolling
            key="risk-milestones",
        )
    ranked = sorted(zip(result.criticality, result.task_ids, result.task_p80_dates, strict=True), reverse=True)
    st.markdown("**Most often critical**")
    st.dataframe(
        [{"task": t, "criticality": float(c), "P80 finish": d.isoformat()} for c, t, d in ranked[:25]],
        hide_index=True,
        width="stretch",
        key="risk-table",
        column_config={"criticality": st.column_config.ProgressColumn("Criticality", min_value=0, max_value=1)},
    )
