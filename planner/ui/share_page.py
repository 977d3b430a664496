"""Read-only stakeholder views opened by `?share=TOKEN`: no edit, save, upload, delete or share
controls and no way to reach other plans. A bad or revoked token reveals nothing."""

from __future__ import annotations

import streamlit as st

from planner.charts import gantt_chart
from planner.schedule import Schedule, schedule
from planner.store import StoreError
from planner.ui import storage, views

TOKEN = "share_token"


def _not_valid() -> None:
    st.title("This link is not valid")
    st.write("It may have been revoked or mistyped. Ask the plan owner for a new link.")


def _gates(sched: Schedule) -> None:
    for task in sched.plan.tasks:
        if task.gate is None:
            continue
        with st.expander(f"{task.id} — {task.name}"):
            for c in task.gate.criteria:
                actual = f" — actual {c.actual}" if c.actual else ""
                st.text(f"{c.kpi} {c.target}{actual}")


def show() -> None:
    token = st.session_state.get(TOKEN, "")
    try:
        store = storage._store(storage.default_url())
        found = store.resolve(token)
        if found is None:
            _not_valid()
            return
        plan_id, view = found
        plan, number = store.get(plan_id)
    except StoreError:
        _not_valid()
        return
    sched = schedule(plan)
    st.title(plan.name)
    label = {"executive": "Executive view", "full": "Full plan (read-only)"}.get(view, f"{view.title()} view")
    st.caption(f"{label} · revision {number} · read-only")
    views.status(sched)
    views.figures(sched)
    path = " → ".join(sched.critical_path)
    if view == "executive":
        st.altair_chart(gantt_chart(sched, rollup=True), width="stretch", key="share-gantt")
    elif view == "full":
        st.altair_chart(gantt_chart(sched, show_links=len(plan.tasks) <= 60), width="stretch", key="share-gantt")
    else:
        keep = lambda t: t.owner == view or t.is_key_date  # noqa: E731
        st.altair_chart(gantt_chart(sched, only=keep, show_links=False), width="stretch", key="share-gantt")
    st.subheader("Milestones and gates")
    views.milestones(sched)
    st.subheader("Gate exit criteria")
    _gates(sched)
    st.subheader("Critical path")
    st.text(path or "none")
    views.open_raid(sched)
