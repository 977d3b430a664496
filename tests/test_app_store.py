"""AppTest flows for saving, history, share links and the read-only share views."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from planner.generate.build import build_plan
from planner.store.database import Store, default_url
from planner.ui import state, storage
from tests.conftest import APP, MONDAY, shown


def caption_text(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_save_marks_saved_and_edits_mark_unsaved(app):
    """Tests Save: the indicator goes from not saved to saved to unsaved after an edit."""
    assert "Not saved yet" in caption_text(app)
    app.button(key="save-plan").click().run()
    assert not app.exception
    plan_id, revision, _ = app.session_state[storage.SAVED]
    assert revision == 1 and f"Saved as {plan_id} r1" in caption_text(app)
    app.session_state["grid_delta"] = {"edited_rows": {0: {"duration": 12}}}
    app.run()
    assert "Unsaved changes" in caption_text(app)
    app.button(key="save-plan").click().run()
    assert app.session_state[storage.SAVED][1] == 2
    assert [h.number for h in Store(default_url()).history(plan_id)] == [1, 2]


def test_stale_save_offers_reload_or_copy(app):
    """Tests a save based on an old revision: refused with a message, then reload."""
    app.button(key="save-plan").click().run()
    plan_id = app.session_state[storage.SAVED][0]
    other = Store(default_url())
    plan, _ = other.get(plan_id)
    other.save(plan.with_durations({"SD01": 15}), plan_id, base_revision=1, author="bob")
    app.session_state["grid_delta"] = {"edited_rows": {1: {"duration": 9}}}
    app.run()
    app.button(key="save-plan").click().run()
    warning = " ".join(w.value for w in app.warning)
    assert "bob saved revision 2" in warning
    app.button(key="stale-reload").click().run()
    assert app.session_state[state.PLAN].task("SD01").duration == 15
    assert app.session_state[storage.SAVED][1] == 2


def test_saved_plans_page_history_restore_and_links(app):
    """Tests the saved-plans page: open, history, restore, share link create and revoke."""
    store = Store(default_url())
    plan = build_plan("vendor-exit", waves=1, start=MONDAY)
    plan_id, _ = store.save(plan, note="first")
    store.save(plan.with_durations({"EX02": 20}), plan_id, base_revision=1)
    app.switch_page("planner/ui/pages/plans.py").run()
    assert not app.exception
    app.selectbox(key="plans-pick").set_value(plan_id).run()
    app.selectbox(key="history-pick").set_value(1).run()
    app.button(key="history-restore").click().run()
    assert [h.number for h in store.history(plan_id)] == [1, 2, 3]
    assert store.get(plan_id)[0] == plan
    app.selectbox(key="share-view").set_value("incumbent")  # in a form: applied by its submit button
    app.button(key="share-create").click().run()
    links = store.share_links.of_plan(plan_id)
    assert [link.view for link in links] == ["incumbent"] and not links[0].revoked
    app.button(key=f"revoke-{links[0].key}").click().run()
    assert store.share_links.of_plan(plan_id)[0].revoked
    app.button(key="plans-open").click().run()
    assert shown(app.title[0].value) == plan.name


@pytest.mark.parametrize("view", ["executive", "full", "client"])
def test_share_view_is_read_only(view):
    """Tests ?share=TOKEN: the plan's view with a chart and no edit, save, upload or share controls;
    the only files it hands out are the steering pack of its view."""
    store = Store(default_url())
    plan = build_plan("ams", waves=2, start=MONDAY, plan_name="<b>ACME</b> AMS")
    plan_id, _ = store.save(plan)
    token = store.share_links.share(plan_id, view)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["share"] = token
    at.run()
    assert not at.exception
    assert shown(at.title[0].value) == "<b>ACME</b> AMS"
    assert at.get("vega_lite_chart")
    assert not at.get("data_editor") and not at.get("file_uploader")
    assert not at.button
    assert {b.label for b in at.get("download_button")} == {"⬇ Steering slides", "⬇ Steering PDF"}


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 300])
def test_bad_share_token_reveals_nothing(token):
    """Tests that a bad token shows only 'This link is not valid'."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["share"] = token
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["This link is not valid"]
    assert not at.get("vega_lite_chart") and not at.metric


def test_progress_view_shows_the_forecast_trend_of_a_saved_plan(app):
    """Tests issue 29 item 3 in the app: before a save the Progress view says how the trend
    starts; after two saves it shows the trend chart and what moved since the revision before."""
    app.segmented_control(key="plan-view").set_value("Progress").run()
    assert "Save the plan to start its trend" in caption_text(app)
    app.button(key="save-plan").click().run()
    app.session_state["grid_delta"] = {"edited_rows": {0: {"duration": 40}}}
    app.run()
    app.button(key="save-plan").click().run()
    assert not app.exception
    said = shown(" ".join(m.value for m in app.markdown))
    assert "Most likely finish moved" in said and "since revision 1" in said
    assert any(
        "Handover most likely" in c.proto.spec and "Saved revision" in c.proto.spec for c in app.get("vega_lite_chart")
    )
    plan_id = app.session_state[storage.SAVED][0]
    kept = Store(default_url()).forecasts.trend(plan_id)
    assert [p.revision for p in kept.points] == [1, 2] and kept.points[1].finish > kept.points[0].finish


def test_a_partys_share_view_shows_only_its_own_resources():
    """Tests issue 31 item 6: a client link's resource chart names the client's and joint resources,
    never the vendor's nor one named for no party."""
    from planner.core.validate import parse_plan
    from tests.conftest import plan_data, task

    plan = parse_plan(
        plan_data(
            task("C1", 5, owner="client", uses={"CLIENT-SME": 1}),
            task("V1", 5, owner="vendor", uses={"VENDOR-LEAD": 1}),
            task("J1", 5, "C1", "V1", owner="joint", uses={"JOINT-PMO": 1, "NOBODYS": 1}),
            resources=[
                {"id": "NOBODYS", "capacity": 1},
                {"id": "CLIENT-SME", "party": "client", "capacity": 1},
                {"id": "VENDOR-LEAD", "party": "vendor", "capacity": 1},
                {"id": "JOINT-PMO", "party": "joint", "capacity": 1},
            ],
        )
    )
    store = Store(default_url())
    plan_id, _ = store.save(plan)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["share"] = store.share_links.share(plan_id, "client")
    at.run()
    assert not at.exception
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    chart = next(c for c in at.get("vega_lite_chart") if '"resource"' in c.proto.spec)
    shown = set(convert_arrow_bytes_to_pandas_df(chart.proto.data.data)["resource"])
    assert shown == {"CLIENT-SME", "JOINT-PMO"}
