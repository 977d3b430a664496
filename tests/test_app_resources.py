"""AppTest flows for the Resources view (issue 15 item 5): the resource table, the level switch with
the finish before and after and the bound, over-allocations, the histogram and the what-if."""

from __future__ import annotations

import pandas as pd

from planner.scheduling import schedule
from planner.ui import state
from tests.conftest import shown


def _resources(app):
    app.segmented_control(key="plan-view").set_value("Resources").run()
    assert not app.exception
    return app


def _metric(app, label):
    return next(m.value for m in app.metric if m.label == label)


def test_resources_view_shows_the_clash_and_the_levelled_finish(app):
    """Tests the example plan: its in-house SMEs are asked for 3 while there are 2, the view says
    when, and shows the finish without and with levelling, the bound and both histograms."""
    _resources(app)
    plan = app.session_state[state.PLAN]
    plain, levelled = schedule(plan, level=False), schedule(plan, level=True)
    assert _metric(app, "Finish, not levelled") == plain.finish.isoformat()
    assert _metric(app, "Finish, levelled") == levelled.finish.isoformat()
    assert any(w.value.startswith("1 over-allocation without levelling") for w in app.warning)
    assert any("Peak daily use" in c.proto.spec and "Levelled" in c.proto.spec for c in app.get("vega_lite_chart"))


def test_level_switch_levels_the_plan_and_undo_restores(app):
    """Tests the switch on the example, which levels (its SMEs pace it): off, the plan finish moves
    to the one that ignores the people; Undo switches levelling back on."""
    _resources(app)
    levelled = _metric(app, "Plan finish")
    assert app.session_state[state.PLAN].level is True
    next(t for t in app.toggle if t.label == "Level resources").set_value(False).run()
    assert app.session_state[state.PLAN].level is False
    assert _metric(app, "Plan finish") == schedule(app.session_state[state.PLAN]).finish.isoformat() < levelled
    app.segmented_control(key="plan-view").set_value("Tasks").run()
    app.button(key="undo").click().run()
    assert app.session_state[state.PLAN].level is True and _metric(app, "Plan finish") == levelled


def test_resource_table_edits_apply_or_name_the_problem(app):
    """Tests the table: one more SME clears the clash; removing a resource still in use is refused
    with the task named, and nothing changes."""
    _resources(app)
    key = f"resources-grid-{app.session_state[state.GRID_VERSION]}"
    app.session_state[key] = {"edited_rows": {0: {"capacity": 3}}, "added_rows": [], "deleted_rows": []}
    next(b for b in app.button if b.label == "Apply resource changes").click().run()
    assert not app.exception
    plan = app.session_state[state.PLAN]
    assert next(r.capacity for r in plan.resources if r.id == "INC-SME") == 3
    assert not any(w.value.startswith("1 over-allocation") for w in app.warning)
    key = f"resources-grid-{app.session_state[state.GRID_VERSION]}"
    app.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [1]}
    next(b for b in app.button if b.label == "Apply resource changes").click().run()
    assert any("unknown resource 'KT-LEAD'" in shown(e.value) and "task SD09" in shown(e.value) for e in app.error)
    assert app.session_state[state.PLAN] is plan


def test_what_if_shows_what_one_more_sme_buys(app):
    """Tests the what-if: the levelled finish at 2 to 4 in-house SMEs, the same numbers as the library."""
    from planner.levelling.levelled import what_if

    _resources(app)
    app.number_input(key="whatif-top").set_value(4)
    app.button(key="whatif-run").click().run()
    frame = pd.DataFrame(app.dataframe[-1].value)
    expected = what_if(app.session_state[state.PLAN], "INC-SME", [1, 2, 3, 4])
    assert frame["capacity"].tolist() == [cap for cap, _ in expected]
    assert frame["levelled finish"].tolist() == [s.finish.isoformat() for _, s in expected]
    specs = [c.proto.spec for c in app.get("vega_lite_chart")]
    assert any("Levelled finish" in spec and "INC-SME capacity" in spec for spec in specs)
