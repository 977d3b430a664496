"""Editors beside the read-only views: gate actuals and the baseline. Each commits a new Plan
through `state.commit` (undo keeps working) and never a half-applied one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.charts import raid_heatmap
from planner.core.model import PlanError
from planner.core.schedule import Schedule, baseline_of
from planner.editing import RAID_GRID, plan_with_gate, plan_with_raid, raid_rows
from planner.formats.csvfile import milestone_rows
from planner.ui import state, views
from planner.ui.chart import show as show_chart
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


def _raid_frame(plan_rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(plan_rows, columns=RAID_GRID)
    for col in ("probability", "impact", "delay_chance", "delay_optimistic", "delay_likely", "delay_pessimistic"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Float64")
    frame["due"] = pd.to_datetime(frame["due"], errors="coerce")
    for col in ("id", "kind", "title", "owner", "status", "tasks", "mitigation"):
        frame[col] = frame[col].astype("string")
    return frame


def raid(sched: Schedule) -> None:
    """The RAID log as an editable table (add, edit, close items; owner, due date, mitigation,
    schedule impact), the heat map of open risks and the CSV. Changes apply together, validated
    as the plan file is; nothing half-applied is kept."""
    plan = sched.plan
    left, right = st.columns([3, 1])
    with left.form("raid-form", border=False):
        edited = st.data_editor(
            _raid_frame(raid_rows(plan)),
            key=f"raid-editor-{id(plan)}",
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={
                "id": st.column_config.TextColumn("ID", required=True, help="Letters, digits, _ . -"),
                "kind": st.column_config.SelectboxColumn(
                    "Kind", options=["risk", "action", "issue", "decision"], required=True
                ),
                "title": st.column_config.TextColumn("Title", required=True, width="large"),
                "owner": st.column_config.SelectboxColumn("Owner", options=list(plan.parties)),
                "status": st.column_config.TextColumn(
                    "Status", help="open, or closed / done / resolved / accepted to close the item"
                ),
                "tasks": st.column_config.TextColumn("Tasks", help="Task IDs separated by ';'"),
                "due": st.column_config.DateColumn("Due", format="YYYY-MM-DD"),
                "probability": st.column_config.NumberColumn("P (1-5)", min_value=1, max_value=5, step=1),
                "impact": st.column_config.NumberColumn("I (1-5)", min_value=1, max_value=5, step=1),
                "delay_chance": st.column_config.NumberColumn(
                    "Delay chance", min_value=0.0, max_value=1.0, step=0.05, help="0 to 1: the chance it happens"
                ),
                "delay_optimistic": st.column_config.NumberColumn("Delay opt.", min_value=0, step=1),
                "delay_likely": st.column_config.NumberColumn("Delay likely", min_value=0, step=1),
                "delay_pessimistic": st.column_config.NumberColumn(
                    "Delay pess.", min_value=0, step=1, help="Working days the risk adds to its tasks"
                ),
                "mitigation": st.column_config.TextColumn("Mitigation", width="large"),
            },
        )
        applied = st.form_submit_button("Apply RAID changes", type="primary")
    if applied:
        rows = [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in edited.to_dict(orient="records")]
        try:
            state.commit(plan_with_raid(plan, rows))
        except PlanError as exc:
            left.error("Not applied:\n\n" + md_list(exc.problems), icon="⚠️")
        else:
            st.rerun()
    if plan.raid:
        show_chart(raid_heatmap(plan), key="raid-heatmap", where=right)
    left.caption(
        "A risk's delay chance and three delays (working days) feed the Monte Carlo: when it happens, its tasks "
        "take that much longer. Close an item by setting its status to closed."
    )
    views.download(left, "raid-csv", sched)
