"""The Resources view: the people who pace the plan (add, edit, remove; capacity, party), the level
switch with the finish before and after and a bound no schedule can beat, the histograms, the
over-allocations, and what one more unit of a resource buys."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.core.model import Plan, PlanError
from planner.core.schedule import Schedule
from planner.editing import RESOURCE_GRID, plan_with_resources, resource_rows
from planner.levelling.usage import over_allocations
from planner.ui import derived, state, views
from planner.ui.text import md, md_list


def _table(plan: Plan) -> None:
    frame = pd.DataFrame(resource_rows(plan), columns=RESOURCE_GRID)
    with st.form("resources-form"):
        edited = st.data_editor(
            frame,
            key=f"resources-grid-{st.session_state.get(state.GRID_VERSION, 0)}",
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={
                "id": st.column_config.TextColumn("ID", required=True, help="Letters, digits, _ . - (e.g. INC-SME)"),
                "name": st.column_config.TextColumn("Name", width="large"),
                "party": st.column_config.SelectboxColumn("Party", options=list(plan.parties)),
                "capacity": st.column_config.NumberColumn(
                    "Capacity", min_value=0.0, format="%g", help="Units available on each working day (people)"
                ),
            },
        )
        applied = st.form_submit_button("Apply resource changes", type="primary")
    if applied:
        try:
            new = plan_with_resources(plan, edited.to_dict(orient="records"))
        except PlanError as exc:
            st.error("Not applied; nothing changed:\n\n" + md_list(exc.problems), icon="⚠️")
            return
        state.commit(new)
        st.rerun()


def _level_switch(plan: Plan, plain: Schedule, levelled: Schedule | None) -> None:
    on = st.toggle(
        "Level resources", value=plan.level, key=f"level-{id(plan)}", help="Start tasks when their people are free"
    )
    if on != plan.level:
        state.commit(plan_with_resources(plan, resource_rows(plan), level=on))
        st.rerun()
    if levelled is None:
        st.info("No task uses a resource yet: add resources above, then name them in the Uses column of the task grid.")
        return
    info = levelled.levelling
    if info is None:
        return
    cols = st.columns(3)
    cols[0].metric("Finish, not levelled", plain.finish.isoformat(), help="Links alone: people as if unlimited")
    delta = levelled.finish_offset - plain.finish_offset
    cols[1].metric("Finish, levelled", levelled.finish.isoformat(), f"{delta:+d} working days", delta_color="inverse")
    bound = levelled.calendar.date_of(max(info.bound - 1, 0))
    cols[2].metric(
        "No schedule can finish before",
        bound.isoformat(),
        "reached: the best possible"
        if info.optimal
        else f"{levelled.finish_offset - info.bound} working days to gain at most",
        delta_color="off",
        help="With these capacities: the longer of the critical path and each resource's total work at full capacity, "
        "or what the solver proved",
    )


def _what_if(plan: Plan) -> None:
    ids = [r.id for r in plan.resources]
    if not ids:
        return
    st.markdown("**What one more buys:** the levelled finish at each capacity of one resource")
    cols = st.columns([2, 1, 1], vertical_alignment="bottom")
    rid = cols[0].selectbox("Resource", ids, key="whatif-resource")
    current = next(r.capacity for r in plan.resources if r.id == rid)
    top = cols[1].number_input("Up to", 1, 30, int(max(current + 3, 4)), key="whatif-top")
    if cols[2].button("Show", key="whatif-run"):
        from planner.levelling.levelled import what_if

        with st.spinner(f"Levelling at {rid} = 1 to {top}…"):
            rows = what_if(plan, rid, list(range(1, int(top) + 1)))
        table = [
            {
                "capacity": cap,
                "levelled finish": s.finish.isoformat(),
                "working days": s.finish_offset,
                **({"meets deadline": s.margin(plan.deadline) >= 0} if plan.deadline else {}),
            }
            for cap, s in rows
        ]
        st.dataframe(table, hide_index=True, key="whatif-table")
        from planner.charts.resources import what_if_chart
        from planner.ui.chart import show as show_chart

        show_chart(what_if_chart(rows, rid, plan.deadline), key="whatif-chart", width="content")
        if plan.deadline:
            enough = [r["capacity"] for r in table if r["meets deadline"]]
            st.markdown(
                md(f"Least {rid} that meets the deadline {plan.deadline}: {enough[0]:g}.")
                if enough
                else md(f"No capacity of {rid} up to {top} meets the deadline {plan.deadline}.")
            )


def show(sched: Schedule) -> None:
    plan = sched.plan
    st.markdown("**Resources** · the people who pace the transition; capacity is units available on each working day")
    _table(plan)
    plain, levelled = derived.both_schedules(sched)
    _level_switch(plan, plain, levelled)
    over = over_allocations(plain)
    if over:
        st.warning(f"{len(over)} over-allocation{'s' if len(over) != 1 else ''} without levelling:", icon="🟥")
        st.dataframe(
            [
                {
                    "resource": o.resource,
                    "from": o.first,
                    "to": o.last,
                    "peak": o.peak,
                    "capacity": o.capacity,
                    "clashing tasks": ", ".join(o.tasks),
                }
                for o in over
            ],
            hide_index=True,
            key="overallocations",
        )
    views.resource_histogram(plain, levelled, key="resource-histogram")
    _what_if(plan)
