"""Start a plan: from a built-in template (sized by waves and pilot share) or from a file."""

from __future__ import annotations

import streamlit as st

from planner.files import MAX_UPLOAD_BYTES, PLAN_SUFFIXES, read_plan_bytes
from planner.generate import build_plan
from planner.model import PlanError
from planner.templates import list_templates, next_monday
from planner.ui import guard
from planner.ui.text import md, md_list


def _template_form() -> None:
    templates = {t.name: t for t in list_templates()}
    names = list(templates)
    name = st.selectbox(
        "Template",
        names,
        index=names.index("service-desk"),
        key="new-template",
        format_func=lambda n: templates[n].title,
    )
    info = templates[name]
    st.markdown(f"**{info.title}.** {info.description}")
    st.caption(info.size_note)
    st.markdown("Phases: " + " → ".join(info.phases))
    with st.form("new-plan-form"):
        cols = st.columns(2)
        plan_name = cols[0].text_input("Plan name", "", key="new-name", placeholder="e.g. ACME service desk transition")
        start = cols[1].date_input("Start", next_monday(), key="new-start")
        row = st.columns(3)
        holidays = row[0].text_input("Holiday country", "", key="new-holidays", placeholder="GB, DE, US-CA …")
        waves = row[1].number_input("Rollout waves after the pilot", 0, 20, info.default_waves, key="new-waves")
        share = row[2].number_input("Pilot share of volume (%)", 1, 90, info.default_pilot_share, key="new-share")
        created = st.form_submit_button("Create plan", type="primary")
    if created:
        try:
            plan = build_plan(
                name,
                waves=int(waves),
                pilot_share=int(share),
                start=start,
                plan_name=plan_name.strip() or None,
                holidays=holidays.strip() or None,
            )
        except PlanError as exc:
            st.error(md_list(exc.problems), icon="⚠️")
            return
        guard.show_plan(plan)


def _upload_form() -> None:
    with st.form("upload-form", clear_on_submit=False):
        upload = st.file_uploader(
            "Plan file",
            type=[s.lstrip(".") for s in PLAN_SUFFIXES],
            key="upload-file",
            max_upload_size=MAX_UPLOAD_BYTES // (1024 * 1024),
            help="A plan in YAML or JSON, a task CSV or Excel workbook (id, name, duration, depends_on, …) "
            "or MS Project XML",
        )
        start = st.date_input(
            "Start (used for a task CSV or workbook, which has none)", next_monday(), key="upload-start"
        )
        opened = st.form_submit_button("Open plan", type="primary")
    if opened:
        if upload is None:
            st.warning("Choose a file first.")
            return
        try:
            plan, warnings = read_plan_bytes(
                upload.getvalue(), upload.name, start=start if upload.name.lower().endswith(".csv") else None
            )
        except PlanError as exc:
            st.error(f"{md(upload.name)} was not opened:\n\n" + md_list(exc.problems), icon="⚠️")
            return
        guard.show_plan(plan, warnings=warnings)


def show() -> None:
    guard.ask_if_pending()
    st.title("Start a plan")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("From a template")
        _template_form()
    with right:
        st.subheader("From a file")
        _upload_form()
