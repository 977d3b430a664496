"""Read-only stakeholder views opened by `?share=TOKEN`: no edit, save, upload, delete or share
controls and no way to reach other plans. A bad, revoked or expired token reveals nothing.

A party view shows that party's and joint tasks, every milestone and gate, and only that party's
and joint RAID items; nothing else of the other side's work (not even its ids on the critical path).
"""

from __future__ import annotations

import streamlit as st

from planner.audience import Audience
from planner.charts import audience_gantt
from planner.core.model import PlanError
from planner.core.schedule import Schedule
from planner.store.database import StoreError
from planner.ui import derived, storage, views
from planner.ui.chart import show as show_chart
from planner.ui.keys import SHARE_TOKEN
from planner.ui.text import md, md_list

TOKEN = SHARE_TOKEN


def _not_valid() -> None:
    st.title("This link is not valid")
    st.write("It may have been revoked, have expired or been mistyped. Ask the plan owner for a new link.")


def _gates(sched: Schedule) -> None:
    for task in sched.plan.tasks:
        if task.gate is None:
            continue
        with st.expander(md(f"{task.id} — {task.name}")):
            for c in task.gate.criteria:
                actual = f" — actual {c.actual}" if c.actual else ""
                st.text(f"{c.kpi} {c.target}{actual}")


def show() -> None:
    token = st.session_state.get(TOKEN, "")
    try:
        store = storage.open_store()
        found = store.share_links.resolve(token)
        if found is None:
            _not_valid()
            return
        plan_id, view = found
        plan, number = store.get(plan_id)
    except StoreError:
        _not_valid()
        return
    st.title(md(plan.name), anchor=False)
    try:
        sched = derived.schedule_for(plan)
    except PlanError as exc:
        st.error("This plan cannot be scheduled as saved:\n\n" + md_list(exc.problems), icon="⚠️")
        st.caption("Ask the plan's owner to correct it; the link shows it again once it schedules.")
        return
    label = {"executive": "Executive view", "full": "Full plan (read-only)"}.get(view, f"{view.title()} view")
    st.caption(md(f"{label} · revision {number} · read-only"))
    views.status(sched)
    views.figures(sched)
    with st.popover("Steering pack", help="Slides and a PDF of this view for the steering committee"):
        views.pack_downloads(st, sched, view, plan_id, shared=True)
    who = Audience(view)
    path = who.path(plan, sched.critical_path)
    show_chart(audience_gantt(sched, who), key="share-gantt")
    st.subheader("Milestones and gates")
    views.milestones(sched)
    st.subheader("Gate exit criteria")
    _gates(sched)
    st.subheader("Critical path")
    st.text(" → ".join(path) or "none")
    views.open_raid(sched, who.raid(plan))
    views.resources(sched, [r.id for r in who.resources(plan)])
