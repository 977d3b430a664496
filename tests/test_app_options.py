"""AppTest flows for choosing a pilot and waves (New plan's options table) and for comparing saved
revisions (Compare page), issue 14 item 3."""

from __future__ import annotations

import datetime as dt

from planner.generate.build import build_plan
from planner.generate.options import option
from planner.scheduling import schedule
from planner.store.database import Store, default_url
from planner.ui import state
from tests.conftest import MONDAY, shown


def _new_page(app):
    app.switch_page("planner/ui/pages/new.py").run()
    app.date_input(key="new-start").set_value(MONDAY).run()
    assert not app.exception
    return app


def _create(app):
    next(b for b in app.button if b.label == "Create plan").click().run()
    assert not app.exception


def test_options_table_shows_each_option_and_creates_the_one_picked(app):
    """Tests the live table: 4 wave counts x 3 pilot shares, each with finish, handover, P80 and
    the chance of meeting the contract end; picking a row fills the form and Create makes it."""
    _new_page(app)
    contract_end = dt.date(2027, 7, 30)
    app.date_input(key="new-contract-end").set_value(contract_end).run()
    table = app.dataframe[0].value
    assert len(table) == 12 and list(table["Waves"].unique()) == [0, 1, 2, 3]
    expected = option("service-desk", 2, 10, start=MONDAY, contract_end=contract_end)
    row = table[(table["Waves"] == 2) & (table["Pilot %"] == "10")].iloc[0]
    assert (row["Finish"], row["Handover"], row["P80 finish"]) == (expected.finish, expected.handover, expected.p80)
    assert row["Meets contract end"] == round(100 * expected.contract_end_chance)
    assert table["Meets deadline"].isna().all()  # no deadline given
    app.session_state["new-options"] = {"selection": {"rows": [int(row.name)], "columns": [], "cells": []}}
    app.run()
    assert (app.number_input(key="new-waves").value, app.number_input(key="new-share").value) == (2, 10)
    _create(app)
    plan = app.session_state[state.PLAN]
    assert (plan.generated.waves, plan.generated.pilot_share) == (2, 10)
    handover = plan.task("W2-CUTOVER")
    assert handover.deadline == contract_end
    assert any("15% pilot" not in c.value and "10% pilot" in c.value for c in app.caption)


def test_generator_warnings_reach_the_plan_page(app):
    """Tests that a 30% pilot is created but warned about on the plan page."""
    _new_page(app)
    app.number_input(key="new-share").set_value(30)
    _create(app)
    assert any(w.value == "Created, with warnings to consider:" for w in app.warning)
    assert any("first wave, not a pilot" in t.value for t in app.text)


def test_bad_wave_shares_are_refused_and_nothing_changes(app):
    """Tests that wave shares which do not add up are named, and the open plan stays."""
    before = app.session_state[state.PLAN]
    _new_page(app)
    app.text_input(key="new-wave-shares").input("50, 20")
    _create(app)
    assert any(
        "wave_shares: must add up to 100 - pilot share = 85 (they add up to 70)" in shown(e.value) for e in app.error
    )
    assert app.session_state[state.PLAN] is before
    app.text_input(key="new-wave-shares").input("50, lots")
    _create(app)
    assert any("50, lots is not a list of percentages" in shown(e.value) for e in app.error)
    assert app.session_state[state.PLAN] is before


def test_compare_page_puts_two_revisions_side_by_side(app):
    """Tests the Compare page: the newest plan's last two revisions, oldest first, with the
    finish, P80 and every milestone; rows that moved are counted and the change is in days."""
    store = Store(default_url())
    plan = build_plan("service-desk", waves=2, start=MONDAY, plan_name="Compare me")
    pid, _ = store.save(plan)
    store.save(plan.with_durations({"SD15": plan.task("SD15").duration + 10}), pid)  # the pilot runs 10 days longer
    app.switch_page("planner/ui/pages/compare.py").run()
    assert not app.exception
    picked = app.multiselect(key="compare-pick").value
    assert [p.split(" · ")[1].split(" (")[0] for p in picked] == ["revision 1", "revision 2"]
    table = app.dataframe[0].value
    assert list(table.columns) == ["What", "1. Compare me r1", "2. Compare me r2", "Change (days)"]
    by_what = table.set_index("What")
    assert by_what.loc["Plan finish", "Change (days)"] == "+14"
    assert by_what.loc["SD14  Pilot go (G3, client decision)", "Change (days)"] == "0"
    assert by_what.loc["SD16  Scale go (G4, client decision)", "Change (days)"] == "+14"
    expected = schedule(plan).table.set_index("id").loc["SD16", "finish"]
    assert by_what.loc["SD16  Scale go (G4, client decision)", "1. Compare me r1"] == expected
    moved = int((table["Change (days)"].iloc[2:] != "0").sum())
    assert any(m.value == f"{moved} of {len(table) - 2} milestones and gates differ." for m in app.markdown)


def test_the_service_size_sets_the_template_size_with_its_rule(app):
    """Tests issue 30 item 6 on the New plan page: 600 agents on 3 sites set Size to large with the
    rule in words; Size stays editable, and the plan made is a large one."""
    _new_page(app)
    app.number_input(key="new-service-service-desk-fte").set_value(600).run()
    app.number_input(key="new-service-service-desk-sites").set_value(3).run()
    assert not app.exception
    assert app.segmented_control(key="new-size").value == "large"
    said = shown(" ".join(c.value for c in app.caption))
    assert "Size **large** from the service: 600 agents or FTE: large (over 250); 3 sites: medium (2-3)" in said
    app.segmented_control(key="new-size").set_value("medium").run()
    assert app.segmented_control(key="new-size").value == "medium"  # the figures did not change: the choice holds
    app.segmented_control(key="new-size").set_value("large").run()
    _create(app)
    assert app.session_state[state.PLAN].generated.size == "large"
