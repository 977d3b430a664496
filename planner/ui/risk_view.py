"""Schedule risk in the app: run the Monte Carlo with a progress bar; P50/P80 beside the plan."""

from __future__ import annotations

import streamlit as st

from planner.charts import risk_charts, tornado_chart
from planner.core.model import Plan, PlanError
from planner.risk.contract import COMMITTED_ITERATIONS
from planner.risk.drivers import risk_drivers
from planner.risk.montecarlo import simulate
from planner.risk.result import RiskResult
from planner.ui import derived
from planner.ui.chart import show as show_chart
from planner.ui.keys import RISK_RESULT
from planner.ui.text import md_list

RESULT = RISK_RESULT


def show(plan: Plan) -> None:
    cols = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    iterations = cols[0].number_input("Iterations", 500, 100_000, COMMITTED_ITERATIONS, step=500, key="risk-iterations")
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
        try:
            result = simulate(
                plan,
                iterations=int(iterations),
                seed=1,
                distribution=distribution,
                correlation=correlation,
                progress=lambda done, total: bar.progress(done / total, text=f"Simulating… {done:,} of {total:,}"),
                network=derived.network_for(plan),
                levelled=derived.schedule_for(plan),
            )
        except PlanError as exc:
            bar.empty()
            st.error("The simulation did not run:\n\n" + md_list(exc.problems), icon="⚠️")
            return
        bar.empty()
        st.session_state[RESULT] = cached = (plan, result, None)
    if cached is None or cached[0] is not plan:
        st.caption("Run the simulation to see P50/P80 dates and how often each task is critical.")
        return
    _summary(plan, cached[1])


def _warnings(plan: Plan) -> None:
    """Estimates the simulation re-centres on an edited duration, named task by task."""
    from planner.core.plan_warnings import plan_warnings

    found = [w for w in plan_warnings(plan) if w.field == "estimate"]
    if found:
        st.info(f"{len(found)} {'estimate is' if len(found) == 1 else 'estimates are'} re-centred on the task's days:")
        st.dataframe(
            [{"task": w.where.removeprefix("task "), "note": w.message} for w in found],
            hide_index=True,
            width="stretch",
            key="risk-warnings",
        )


def _deadlines(plan: Plan, result: RiskResult) -> None:
    """The chance of meeting the plan deadline and each task's own deadline."""
    rows = []
    if plan.deadline is not None and result.deadline_probability is not None:
        rows.append(
            {
                "deadline of": "the plan (finish)",
                "date": plan.deadline.isoformat(),
                "chance": result.deadline_probability,
            }
        )
    rows += [
        {"deadline of": f"{d.id}  {d.name}", "date": d.deadline.isoformat(), "chance": d.probability}
        for d in result.task_deadlines
    ]
    if not rows:
        st.caption("No deadlines in this plan: set a plan deadline under Settings or a task deadline in the grid.")
        return
    st.markdown("**Chance of meeting each deadline**")
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key="risk-deadlines",
        column_config={"chance": st.column_config.ProgressColumn("Chance", min_value=0, max_value=1, format="percent")},
    )


def _drivers(plan: Plan, result: RiskResult) -> None:
    """The tornado: how far each RAID risk with a schedule impact moves the P80 finish (computed
    once per run, kept with it)."""
    if not plan.schedule_risks:
        return
    kept_plan, kept_result, drivers = st.session_state[RESULT]
    if drivers is None:
        with st.spinner("Running the simulation once without each of the largest risks…"):
            drivers = risk_drivers(plan, result, derived.network_for(plan))
        st.session_state[RESULT] = (kept_plan, kept_result, drivers)
    st.markdown("**Risks that move the P80 finish** (each one's effect: P80 with it minus P80 without it)")
    show_chart(tornado_chart(drivers), key="risk-tornado")
    rest = len(plan.schedule_risks) - len(drivers)
    if rest > 0:
        st.caption(
            f"The {len(drivers)} risks with the largest expected delay on often-critical work are shown; "
            f"{rest} more have smaller expected delays."
        )


def _summary(plan: Plan, result: RiskResult) -> None:
    if plan.level and any(t.uses for t in plan.tasks):
        st.caption(
            "The plan levels: every draw keeps the levelled order of each resource's work, so no draw needs more "
            "people than there are, and the deterministic finish is the levelled one."
        )
    cols = st.columns(5)
    cols[0].metric("Deterministic finish", result.deterministic_date.isoformat())
    cols[1].metric("P50 finish", result.finish_dates[50].isoformat(), help="Internal target")
    cols[2].metric("P80 finish", result.finish_dates[80].isoformat(), help="Commit externally")
    if result.uplift:
        cols[3].metric(
            f"Reference class (+{result.uplift:.0%})",
            result.reference_date.isoformat(),
            help=f"A check, never added to the P80: the most likely plan with the time after {result.uplift_from} "
            f"(G0, or the status date when later) stretched by {result.uplift:.0%}, as transitions of this kind "
            "overrun. Later than the P80: the estimates may be too narrow.",
        )
    if result.deadline_probability is not None:
        cols[4].metric("Chance of meeting the deadline", f"{result.deadline_probability:.0%}")
    _warnings(plan)
    _deadlines(plan, result)
    histogram, s_curve = risk_charts(result, plan)
    left, right = st.columns(2)
    show_chart(histogram, key="risk-histogram", where=left)
    show_chart(s_curve, key="risk-scurve", where=right)
    _drivers(plan, result)
    if result.milestones:
        st.markdown("**Milestones and gates**: planned date and the date reached in 50, 80 and 90% of runs")
        st.dataframe(
            [
                {
                    "milestone": f"{m.id}  {m.name}",
                    "planned": m.deterministic.isoformat(),
                    **{f"P{q}": m.dates[q].isoformat() for q in (50, 80, 90)},
                    **({f"reference class (+{result.uplift:.0%})": m.reference.isoformat()} if m.reference else {}),
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
