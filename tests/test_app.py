"""AppTest flows for the Streamlit app (planner.ui)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.formats.csvfile import milestones_csv
from planner.schedule import schedule
from planner.templates import build_plan

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app() -> AppTest:
    import streamlit as st

    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def test_app_opens_on_a_scheduled_template(app):
    """Tests that the app opens on the service-desk template with its schedule and finish."""
    assert app.title[0].value == "IT service desk transition"
    assert len(app.dataframe) == 1
    finish = app.metric[0].value
    start = app.date_input(key="start").value
    expected = schedule(build_plan("service-desk", waves=2, pilot_share=15, start=start))
    assert finish == expected.finish.isoformat()


def test_more_waves_move_the_finish(app):
    """Tests that adding waves reschedules and moves the plan finish later."""
    before = app.metric[0].value
    app.number_input(key="waves-service-desk").set_value(4).run()
    assert not app.exception
    assert app.metric[0].value > before


def test_template_switch(app):
    """Tests switching to the vendor-exit template."""
    app.selectbox[0].set_value("vendor-exit").run()
    assert app.title[0].value == "Vendor exit and successor transition"
    start = app.date_input(key="start").value
    text = milestones_csv(schedule(build_plan("vendor-exit", start=start)))
    assert "EX01" in text
