"""The plan page a user lands on: key figures, downloads and the Gantt, then the working views."""

from __future__ import annotations

import streamlit as st

from planner.ui import grid, risk_view, save_bar, settings, state, views

VIEWS = ("Tasks", "Why critical?", "Milestones", "Progress", "Risk", "RAID", "Network", "Settings")


def show() -> None:
    grid.apply_pending()
    plan = state.current()
    sched = state.schedule_for(plan)
    st.title(plan.name)
    if plan.description:
        st.caption(plan.description)
    warnings = st.session_state.pop("import_warnings", None)
    if warnings:
        st.warning("Imported with changes:\n\n" + "\n".join(f"- {w}" for w in warnings), icon="ℹ️")
    save_bar.show(plan)
    views.status(sched)
    views.figures(sched)
    views.downloads(sched)
    views.gantt(sched)
    view = st.segmented_control("View", VIEWS, default="Tasks", key="plan-view", label_visibility="collapsed")
    shows = {
        "Tasks": lambda: grid.show(plan),
        "Why critical?": lambda: views.why_critical(sched),
        "Milestones": lambda: views.milestones(sched),
        "Progress": lambda: views.progress(sched),
        "Risk": lambda: risk_view.show(plan),
        "RAID": lambda: views.raid(sched),
        "Network": lambda: views.network(sched),
        "Settings": lambda: settings.show(plan),
    }
    shows[view or "Tasks"]()
