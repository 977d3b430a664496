"""Editors beside the read-only views: gate actuals and the baseline. Each commits a new Plan
through `state.commit` (undo keeps working) and never a half-applied one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.editing import plan_with_gate
from planner.formats.csvfile import milestone_rows
from planner.model import PlanError
from planner.schedule import Schedule, baseline_of
from planner.ui import state
from planner.ui.text import md_list


def gate_editor(sched: Schedule) -> None:
    """Record KPI actuals against a gate's criteria; the gate turns passed, failed or pending."""
    gates = [t for t in sched.plan.tasks if t.gate is not None]
    if not gates:
        return
    st.subheader("Gate actuals")
    names = {t.id: t.name for t in gates}
    gate_id = st.selectbox("Gate", list(names), key="gate-pick", format_func=lambda i: f"{i} — {names[i]}")
    gate = sched.plan.task(gate_id).gate
    current = gate.criteria if gate is not None else ()
    frame = pd.DataFrame(
        [{"kpi": c.kpi, "target": c.target, "actual": c.actual or ""} for c in current],
        columns=["kpi", "target", "actual"],
    )
    with st.form(f"gate-form-{gate_id}"):
        edited = st.data_editor(
            frame,
            key=f"gate-criteria-{gate_id}",
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={
                "kpi": st.column_config.TextColumn("KPI", required=True, width="large"),
                "target": st.column_config.TextColumn("Target", required=True, help=">= 95%, <= 20, == yes"),
                "actual": st.column_config.TextColumn("Actual", help="Leave empty while not measured"),
            },
        )
        applied = st.form_submit_button("Apply actuals", type="primary")
    if applied:
        criteria = [
            {
                "kpi": r["kpi"],
                "target": r["target"],
                **({"actual": str(r["actual"])} if str(r["actual"] or "").strip() else {}),
            }
            for r in edited.to_dict(orient="records")
            if str(r.get("kpi") or "").strip()
        ]
        try:
            state.commit(plan_with_gate(sched.plan, gate_id, criteria))
        except PlanError as exc:
            st.error("Not applied:\n\n" + md_list(exc.problems), icon="⚠️")
            return
        st.rerun()


def progress(sched: Schedule) -> None:
    """Baseline and slip: set a baseline; milestones ranked by finish variance with their cause."""
    plan = sched.plan
    cols = st.columns([1, 3], vertical_alignment="center")
    if cols[0].button("📌 Set baseline", key="set-baseline", help="Keep today's schedule to measure slip against"):
        state.commit(baseline_of(sched))
        st.rerun()
    if plan.baseline is None:
        cols[1].caption("No baseline yet. Set one to see what slipped.")
        return
    cols[1].caption(f"Baseline taken {plan.baseline.taken.isoformat()}")
    rows = milestone_rows(sched)
    drivers = sched.drivers
    rows["cause"] = [
        (f"driven by {link.task}" if (link := drivers[i].link) else drivers[i].reason.replace("_", " "))
        for i in rows["id"]
    ]
    slipped = rows.sort_values("variance", ascending=False, na_position="last")
    st.subheader("What slipped")
    st.dataframe(
        slipped[["id", "name", "date", "baseline_date", "variance", "cause"]],
        hide_index=True,
        width="stretch",
        key="slip-table",
        column_config={"variance": st.column_config.NumberColumn("Variance (working days)", format="%+d")},
    )
