"""AppTest flows for the Streamlit app (planner.ui): what a user does, checked through the library."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from planner.editing import apply_delta, plan_rows, rows_to_plan
from planner.generate.build import build_plan
from planner.generate.catalogue import next_monday, template_names
from planner.scheduling import schedule
from planner.ui import state
from planner.ui.grid import GRID_DELTA
from tests.conftest import shown


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def edit(at: AppTest, delta: dict) -> AppTest:
    """Applies a grid edit as the data editor's on_change does (AppTest cannot type into the grid)."""
    at.session_state[GRID_DELTA] = delta
    return at.run()


def test_app_opens_on_example_plan_with_figures_gantt_and_download(app):
    """Tests the landing page: example plan (said to be one, with next steps and a holiday calendar), key
    figures, Gantt chart, milestone CSV download."""
    assert shown(app.title[0].value) == "Example: IT service desk transition"
    assert any("This is an example plan" in m.value for m in app.markdown)
    assert app.session_state[state.PLAN].calendar.holidays == "GB"
    expected = schedule(build_plan("service-desk", waves=2, pilot_share=15, start=next_monday(), holidays="GB"))
    assert metric(app, "Plan finish") == expected.finish.isoformat()
    assert metric(app, "Critical tasks") == f"{int(expected.table['critical'].sum())} of {len(expected.plan.tasks)}"
    assert app.get("vega_lite_chart"), "no Gantt chart"
    labels = [b.label for b in app.get("download_button")]
    assert "⬇ Milestone CSV" in labels


def test_create_plan_from_each_template_with_two_waves(app):
    """Tests the start page: every template, 2 waves, a name and a start date."""
    for name in template_names():
        app.switch_page("planner/ui/pages/new.py").run()
        app.selectbox(key="new-template").set_value(name).run()
        app.text_input(key="new-name").input(f"ACME {name}")
        app.date_input(key="new-start").set_value(dt.date(2027, 1, 4))
        app.number_input(key="new-waves").set_value(2)
        next(b for b in app.button if b.label == "Create plan").click().run()
        assert not app.exception
        assert shown(app.title[0].value) == f"ACME {name}"
        expected = schedule(build_plan(name, waves=2, start=dt.date(2027, 1, 4)))
        assert metric(app, "Plan finish") == expected.finish.isoformat()


def test_duration_edit_moves_finish_and_undo_restores(app):
    """Tests a duration change rescheduling the plan, then Undo and Redo."""
    before = metric(app, "Plan finish")
    plan = app.session_state[state.PLAN]
    row = [t.id for t in plan.tasks].index("SD15")
    edit(app, {"edited_rows": {row: {"duration": 40}}, "added_rows": [], "deleted_rows": []})
    assert not app.exception
    after = metric(app, "Plan finish")
    assert after > before
    assert app.session_state[state.PLAN].task("SD15").duration == 40
    app.button(key="undo").click().run()
    assert metric(app, "Plan finish") == before
    app.button(key="redo").click().run()
    assert metric(app, "Plan finish") == after


def test_add_a_task(app):
    """Tests adding a row: the new task is scheduled after its predecessor."""
    edit(app, {"added_rows": [{"id": "EXTRA", "name": "Extra audit", "duration": 5, "depends_on": "SD29"}]})
    plan = app.session_state[state.PLAN]
    assert plan.tasks[-1].id == "EXTRA"
    assert app.session_state[state.PROBLEMS] == []


def test_cycle_is_named_and_old_schedule_stays(app):
    """Tests a bad edit: the cycle is named beside the grid, the typing kept, the schedule unchanged."""
    before = metric(app, "Plan finish")
    plan = app.session_state[state.PLAN]
    row = [t.id for t in plan.tasks].index("SD01")
    edit(app, {"edited_rows": {row: {"depends_on": "SD03"}}})
    assert not app.exception
    assert metric(app, "Plan finish") == before
    listed = next(d.value for d in app.dataframe if "why" in d.value.columns)
    assert "dependency cycle SD01 -> SD03 -> SD01" in " ".join(listed["why"])
    assert "not applied" in " ".join(e.value for e in app.error)
    draft = app.session_state[state.DRAFT]
    assert draft[row]["depends_on"] == "SD03"  # the user's typing is kept
    assert app.session_state[state.PLAN] is plan


def test_a_bad_edit_stays_in_the_grid_across_a_view_switch(app):
    """Tests a value the plan cannot take, then another view and back, then another page and back:
    the grid still holds the typing and its problem is still listed (nothing typed is lost by
    looking elsewhere)."""
    plan = app.session_state[state.PLAN]
    row = [t.id for t in plan.tasks].index("SD01")
    edit(app, {"edited_rows": {row: {"depends_on": "SD03"}}})
    for view in ("Why critical?", "Tasks"):
        app.segmented_control(key="plan-view").set_value(view).run()
        assert not app.exception
    grid = next(d.value for d in app.data_editor if "depends_on" in d.value.columns)
    assert grid["depends_on"].iloc[row] == "SD03"
    assert "not applied" in " ".join(e.value for e in app.error)
    assert app.session_state[state.PLAN] is plan
    for page in ("new", "plan"):  # another page and back: the same
        app.switch_page(f"planner/ui/pages/{page}.py").run()
        assert not app.exception
    grid = next(d.value for d in app.data_editor if "depends_on" in d.value.columns)
    assert grid["depends_on"].iloc[row] == "SD03"
    assert "not applied" in " ".join(e.value for e in app.error)


def test_downloads_offered(app):
    """Tests the downloads on the landing page (content is compared with the library in the browser test)."""
    labels = {b.label for b in app.get("download_button")}
    assert labels == {
        "⬇ Milestone CSV",
        "⬇ Schedule CSV",
        "⬇ Task CSV",
        "⬇ Plan YAML",
        "⬇ Report (HTML)",
        "⬇ Steering slides",
        "⬇ Steering PDF",
        "⬇ Excel workbook",
        "⬇ Gantt PNG",
        "⬇ Gantt SVG",
        "⬇ MS Project XML",
        "⬇ Calendar (ICS)",
        "⬇ Mermaid gantt",
    }


def test_why_critical_explains_in_words(app):
    """Tests the why-critical view: the driving chain in words, with float."""
    app.segmented_control(key="plan-view").set_value("Why critical?").run()
    app.selectbox(key="why-task").set_value("W2-CUTOVER").run()
    text = shown(" ".join(m.value for m in app.markdown))
    assert "W2-CUTOVER starts" in text and "because W2-GO" in text and "0 working days of float" in text


def test_settings_deadline_shows_margin(app):
    """Tests plan settings: a deadline before the finish shows a negative margin."""
    app.segmented_control(key="plan-view").set_value("Settings").run()
    app.checkbox(key="settings-has-deadline").check()
    app.date_input(key="settings-deadline").set_value(next_monday() + dt.timedelta(days=60))
    next(b for b in app.button if b.label == "Apply settings").click().run()
    assert not app.exception
    assert metric(app, "Deadline margin").startswith("-")


def test_network_and_milestone_views_render(app):
    """Tests the network chart and the milestone table views."""
    app.segmented_control(key="plan-view").set_value("Network").run()
    assert not app.exception and len(app.get("vega_lite_chart")) == 2
    app.segmented_control(key="plan-view").set_value("Milestones").run()
    assert not app.exception and app.dataframe


def test_grid_edit_model_round_trip():
    """Tests the grid model directly: an unchanged grid gives back the same plan."""
    plan = build_plan("ams", waves=1, start=dt.date(2027, 1, 4))
    assert rows_to_plan(plan, apply_delta(plan_rows(plan), {})) == plan


def test_key_date_figures_name_their_task(app):
    """Tests the key-date figures: each says which task it is (its id and whole name under the
    date, and in the help), so a reader need not look the date up in the grid."""
    plan = app.session_state[state.PLAN]
    figure = next(m for m in app.metric if m.label == "Pilot go/no-go")
    task_id, name = shown(figure.proto.help).split(": ", 1)
    task = next(t for t in plan.tasks if t.id == task_id)
    assert task.gate is not None and task.wave == 0 and name == task.name
    assert f"{task.id} · {task.name}" in [shown(c.value) for c in app.caption]
