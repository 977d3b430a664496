"""Plan settings in a form: name, start, calendar, deadline, parties, the steering cadence and
the freeze windows."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from planner.core.calendar import WEEKDAY_NAMES
from planner.core.model import Plan, PlanError
from planner.editing import freezes_from_text, freezes_text, plan_with_settings, steering_from_text, steering_text
from planner.ui import state
from planner.ui.text import md_list


def _dates(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


def show(plan: Plan) -> None:
    cal = plan.calendar
    with st.form("settings-form"):
        name = st.text_input("Plan name", plan.name, key="settings-name")
        cols = st.columns(3)
        start = cols[0].date_input("Start", plan.start, key="settings-start")
        has_deadline = cols[1].checkbox("Plan deadline", plan.deadline is not None, key="settings-has-deadline")
        deadline = cols[1].date_input(
            "Deadline", plan.deadline or start + dt.timedelta(days=270), key="settings-deadline"
        )
        holidays = cols[2].text_input(
            "Holiday country",
            (cal.holidays or "") + (f"-{cal.subdiv}" if cal.subdiv else ""),
            key="settings-holidays",
            help="ISO code for national holidays, e.g. GB, DE, US-CA; empty for none",
        )
        weekend = st.multiselect("Weekend days", WEEKDAY_NAMES, cal.weekend_names, key="settings-weekend")
        closures = st.text_input(
            "Extra closures",
            ", ".join(d.isoformat() for d in cal.closures),
            key="settings-closures",
            help="Dates separated by commas, e.g. 2027-12-24, 2027-12-31",
        )
        parties = st.text_input("Parties", ", ".join(plan.parties), key="settings-parties")
        status_cols = st.columns(2)
        has_status = status_cols[0].checkbox(
            "Status date",
            plan.status_date is not None,
            key="settings-has-status",
            help="Progress is measured at this date; unstarted work starts after it",
        )
        status = cols[1].date_input("Status date", plan.status_date or dt.date.today(), key="settings-status")
        steering = st.text_input(
            "Steering committee",
            steering_text(plan.steering),
            key="settings-steering",
            placeholder="every 2 weeks on thu from 2027-01-07",
            help="Client gates wait for its next meeting; empty: decisions as soon as the evidence is ready",
        )
        freezes = st.text_area(
            "Freeze windows",
            freezes_text(plan.freezes),
            key="settings-freezes",
            placeholder="year-end change freeze: 2027-12-15 to 2028-01-05; peak season: 2027-11-20 to 2027-11-30",
            help="No cutover starts in a freeze, nor so close before one that its hypercare would run into it",
        )
        submitted = st.form_submit_button("Apply settings", type="primary")
    if not submitted:
        return
    settings = {
        "name": name,
        "start": start,
        "deadline": deadline if has_deadline else None,
        "calendar": {"weekend": weekend, "holidays": holidays.strip() or None, "closures": _dates(closures)},
        "parties": [p.strip() for p in parties.split(",") if p.strip()],
        "status_date": status if has_status else None,
        "steering": steering_from_text(steering),
        "freezes": freezes_from_text(freezes),
    }
    try:
        new = plan_with_settings(plan, settings)
    except PlanError as exc:
        st.error("Settings not applied:\n\n" + md_list(exc.problems), icon="⚠️")
        return
    state.commit(new)
    st.rerun()
