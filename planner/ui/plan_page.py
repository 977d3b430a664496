"""The plan page a user lands on: key figures, downloads and the Gantt, then the working views."""

from __future__ import annotations

import streamlit as st

from planner.core.model import Plan, PlanError
from planner.core.schedule import Schedule
from planner.ui import (
    costs_view,
    derived,
    editors,
    grid,
    guard,
    resources_editor,
    risk_view,
    save_bar,
    settings,
    state,
    steering,
    storage,
    views,
)
from planner.ui.keys import IMPORT_WARNINGS, PAGES
from planner.ui.text import md, md_list

VIEWS = (
    "Tasks",
    "Why critical?",
    "Milestones",
    "Progress",
    "Risk",
    "Costs",
    "RAID",
    "Resources",
    "Network",
    "Settings",
)


def _url(plan_id: str | None) -> None:
    """Keeps the open saved plan in the address (`?plan=ID`), so a reload or a bookmark reopens it."""
    if plan_id is None:
        st.query_params.pop("plan", None)
    elif st.query_params.get("plan") != plan_id:
        st.query_params["plan"] = plan_id


def _first_steps() -> None:
    """What the example is, and where a user goes next."""
    with st.container(border=True, key="example-banner"):
        st.markdown(
            "**This is an example plan**: an IT service desk moving to a provider, with a 15% pilot and two "
            "rollout waves, on England's public holidays. Explore it, or start your own:"
        )
        cols = st.columns(3)
        pages = st.session_state[PAGES]
        cols[0].page_link(pages["new"], label="Start from a template", icon="➕")
        cols[1].page_link(pages["new"], label="Upload a plan, task CSV or MS Project XML", icon="📂")
        cols[2].page_link(pages["plans"], label="Open a saved plan", icon="🗄️")


def _progress(sched: Schedule) -> None:
    editors.progress(sched)
    info = storage.saved()
    steering.show(info[0] if info else None, sched.plan, storage.unsaved(sched.plan))


def _unschedulable(plan: Plan, exc: PlanError) -> None:
    """A plan that validates but cannot be scheduled (a levelled schedule past the span limit):
    what is wrong, by task and field, and the ways out, instead of an error page."""
    st.title(md(plan.name), anchor=False)
    st.error("This plan cannot be scheduled:\n\n" + md_list(exc.problems), icon="⚠️")
    cols = st.columns(3)
    if plan.level and cols[0].button("Schedule without levelling", key="unlevel", type="primary"):
        state.commit(plan.model_copy(update={"level": False}))
        st.rerun()
    if state.can_undo() and cols[1].button("Undo the last change", key="unschedulable-undo"):
        state.undo()
        st.rerun()
    cols[2].page_link(st.session_state[PAGES]["new"], label="Start another plan", icon="➕")


def _milestones(sched: Schedule) -> None:
    views.milestones(sched)
    editors.gate_editor(sched)


@st.fragment
def _gantt(sched: Schedule) -> None:
    """The Gantt and its controls: colouring, grouping or filtering reruns this part alone."""
    views.gantt(sched)


@st.fragment
def _view(view: str, sched: Schedule) -> None:
    """A working view whose own widgets (a task to explain, a gate to record) rerun it alone; an
    edit made here commits and reruns the whole page."""
    shows = {
        "Why critical?": lambda: views.why_critical(sched),
        "Milestones": lambda: _milestones(sched),
        "Progress": lambda: _progress(sched),
        "RAID": lambda: editors.raid(sched),
        "Resources": lambda: resources_editor.show(sched),
        "Costs": lambda: costs_view.show(sched),
        "Network": lambda: views.network(sched),
        "Settings": lambda: settings.show(sched.plan),
    }
    shows[view]()


def show() -> None:
    grid.apply_pending()
    guard.ask_if_pending()
    plan = state.current()
    try:
        sched = derived.schedule_for(plan)
    except PlanError as exc:
        grid.set_aside()
        _unschedulable(plan, exc)
        return
    info = storage.saved()
    _url(info[0] if info else None)
    problem = st.session_state.pop(state.OPEN_ERROR, None)
    if problem:
        st.warning(md(problem), icon="🗄️")
    st.title(md(plan.name), anchor=False)
    if plan.description:
        st.text(plan.description)
    if plan.generated is not None:
        from planner.generate.build import describe

        st.caption(md(describe(plan.generated)))
    if st.session_state.get(state.EXAMPLE):
        _first_steps()
    notes = st.session_state.pop(IMPORT_WARNINGS, None)
    if notes:
        heading, warnings = notes
        st.warning(heading, icon="ℹ️")
        st.text("\n".join(f"- {w}" for w in warnings))
    save_bar.show(plan)
    leave = st.container()  # the leave guard, filled after the Gantt
    status = st.empty()  # filled last: its P80 run must not hold back the figures and the Gantt
    figures = st.container()  # filled right after the Gantt: an edit's new Gantt leaves first
    files = st.container()  # filled after the grid
    _gantt(sched)
    with figures:
        views.figures(sched)
    view = st.segmented_control(
        "View", VIEWS, default="Tasks", key="plan-view", label_visibility="collapsed", required=True
    )
    if view in (None, "Tasks"):
        grid.show(plan)  # a grid edit reschedules: the whole page reruns
    else:
        grid.set_aside()
        if view == "Risk":
            risk_view.show(plan)  # a run feeds the status line at the top: the whole page reruns
        else:
            _view(view, sched)
    with files:
        views.downloads(sched, info[0] if info else None)
    with leave:
        guard.leave_guard(plan)
    with status.container():
        views.status(sched)
