"""The plan page: pick a template, size the pilot and waves, see the schedule, download milestones."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from planner.formats.csvfile import milestones_csv
from planner.model import PlanError
from planner.schedule import Schedule, schedule
from planner.templates import build_plan, list_templates, next_monday


@st.cache_data(show_spinner=False, max_entries=32)
def _scheduled(template: str, waves: int, pilot_share: int, start: dt.date) -> Schedule:
    return schedule(build_plan(template, waves=waves, pilot_share=pilot_share, start=start))


def show() -> None:
    templates = {t.name: t for t in list_templates()}
    with st.sidebar:
        name = st.selectbox(
            "Template",
            list(templates),
            index=list(templates).index("service-desk"),
            format_func=lambda n: templates[n].title,
        )
        info = templates[name]
        st.caption(info.size_note)
        waves = st.number_input("Rollout waves after the pilot", 0, 20, info.default_waves, key=f"waves-{name}")
        share = st.slider("Pilot share of volume (%)", 1, 90, info.default_pilot_share, key=f"share-{name}")
        start = st.date_input("Plan start", next_monday(), key="start")
    try:
        sched = _scheduled(name, int(waves), int(share), start)
    except PlanError as exc:
        for problem in exc.problems:
            st.error(str(problem))
        return
    st.title(sched.plan.name)
    st.caption(sched.plan.description)
    cols = st.columns(3)
    cols[0].metric("Plan finish", sched.finish.isoformat())
    cols[1].metric("Working days", sched.finish_offset)
    cols[2].metric("Critical tasks", int(sched.table["critical"].sum()))
    st.download_button(
        "Download milestone CSV",
        milestones_csv(sched),
        file_name=f"{name}-milestones.csv",
        mime="text/csv",
        key="download-milestones",
    )
    st.dataframe(sched.table, hide_index=True, key="schedule-table")
