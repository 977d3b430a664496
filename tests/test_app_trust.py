"""App flows a transition manager met in the first hour (issue 10): unsaved work, the plan in the URL,
rename and restore, party share views, link labels and expiry, rejected grid values, the view tabs."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from planner.generate.build import build_plan
from planner.store.database import Store, default_url
from planner.ui import guard, state, storage
from planner.ui.grid import GRID_DELTA
from tests.conftest import APP, MONDAY, shown


def _edit(at: AppTest, delta: dict) -> AppTest:
    at.session_state[GRID_DELTA] = delta
    return at.run()


def _texts(at: AppTest) -> str:
    return " ".join([t.value for t in at.text] + [m.value for m in at.markdown] + [c.value for c in at.caption])


def test_new_plan_over_unsaved_edits_asks_and_cancel_keeps_them(app):
    """Tests that creating a plan over unsaved edits opens save/discard/cancel, and Cancel keeps the edits."""
    _edit(app, {"edited_rows": {0: {"duration": 12}}})
    edited = app.session_state[state.PLAN]
    app.switch_page("planner/ui/pages/new.py").run()
    app.selectbox(key="new-template").set_value("ams").run()
    next(b for b in app.button if b.label == "Create plan").click().run()
    assert not app.exception
    assert app.session_state[guard.PENDING] is not None
    assert app.session_state[state.PLAN] is edited
    app.button(key="guard-cancel").click().run()
    assert guard.PENDING not in app.session_state
    assert app.session_state[state.PLAN] is edited


def test_discard_opens_the_new_plan_and_save_keeps_the_edits(app):
    """Tests Discard (the new plan opens) and Save (the edits are saved, then the new plan opens)."""
    _edit(app, {"edited_rows": {0: {"duration": 12}}})
    app.switch_page("planner/ui/pages/new.py").run()
    app.selectbox(key="new-template").set_value("ams").run()
    next(b for b in app.button if b.label == "Create plan").click().run()
    before = {p.id for p in Store(default_url()).plans()}  # the database is shared by the session's tests
    app.button(key="guard-save").click().run()
    assert not app.exception
    (saved,) = [p for p in Store(default_url()).plans() if p.id not in before]
    assert Store(default_url()).get(saved.id)[0].tasks[0].duration == 12
    assert app.session_state[state.PLAN].tasks[0].id.startswith("AM")
    app.switch_page("planner/ui/pages/plan.py").run()
    _edit(app, {"edited_rows": {0: {"duration": 7}}})
    app.switch_page("planner/ui/pages/new.py").run()
    app.selectbox(key="new-template").set_value("service-desk").run()
    next(b for b in app.button if b.label == "Create plan").click().run()
    app.button(key="guard-discard").click().run()
    assert app.session_state[state.PLAN].tasks[0].id == "SD01"


def test_saved_plan_is_in_the_url_and_reopens_on_reload(app):
    """Tests ?plan=ID: set when the plan is saved, and a fresh session at that address opens it."""
    _edit(app, {"edited_rows": {0: {"duration": 13}}})
    app.button(key="save-plan").click().run()
    plan_id = app.session_state[storage.SAVED][0]
    assert app.query_params["plan"] in (plan_id, [plan_id])
    reloaded = AppTest.from_file(APP, default_timeout=60)
    reloaded.query_params["plan"] = plan_id
    reloaded.run()
    assert not reloaded.exception
    assert reloaded.session_state[state.PLAN].tasks[0].duration == 13
    assert reloaded.session_state[storage.SAVED][:2] == (plan_id, 1)
    missing = AppTest.from_file(APP, default_timeout=60)
    missing.query_params["plan"] = "no-such-plan"
    missing.run()
    assert "Plan 'no-such-plan' not found" in shown(" ".join(w.value for w in missing.warning))


def test_rename_refreshes_the_picker_and_restore_confirms(app):
    """Tests Rename (the picker shows the new name at once) and Restore (says which revision it made)."""
    store = Store(default_url())
    plan = build_plan("vendor-exit", waves=1, start=MONDAY)
    plan_id, _ = store.save(plan)
    app.switch_page("planner/ui/pages/plans.py").run()
    app.selectbox(key="plans-pick").set_value(plan_id).run()
    app.text_input(key=f"plans-new-name-{plan_id}").input("ACME exit")
    app.button(key="plans-rename").click().run()
    assert not app.exception
    picker = app.selectbox(key="plans-pick")
    assert picker.format_func(plan_id) == f"ACME exit ({plan_id})"
    assert "Renamed to ACME exit." in shown(" ".join(s.value for s in app.success))
    app.selectbox(key="history-pick").set_value(1).run()
    app.button(key="history-restore").click().run()
    assert "Revision 1 restored as revision 3." in shown(" ".join(s.value for s in app.success))
    assert [h.author for h in store.history(plan_id)] == ["", "local user", "local user"]


def _share_app(token: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["share"] = token
    at.run()
    assert not at.exception
    return at


def _chart_rows(at: AppTest) -> list[dict]:
    """The rows of the first chart's data sets, as the browser receives them (Arrow IPC)."""
    import pyarrow as pa

    chart = at.get("vega_lite_chart")[0]
    return [r for ds in chart.proto.datasets for r in pa.ipc.open_stream(ds.data.data).read_all().to_pylist()]


def _shown_task_ids(at: AppTest) -> set[str]:
    return {r["id"] for r in _chart_rows(at) if r.get("id")}


def test_party_view_shows_own_and_joint_work_only():
    """Tests a vendor view: vendor and joint tasks, every milestone and gate, vendor and joint RAID items, and
    no client task on the chart or the critical path."""
    store = Store(default_url())
    plan = build_plan("service-desk", waves=2, start=MONDAY)
    plan_id, _ = store.save(plan)
    at = _share_app(store.share_links.share(plan_id, "vendor"))
    shown = _shown_task_ids(at)
    expected = {t.id for t in plan.tasks if t.owner in ("vendor", "joint") or t.is_key_date}
    assert shown == expected
    assert any(t.owner == "joint" for t in plan.tasks if t.id in shown)
    client_only = {t.id for t in plan.tasks if t.owner == "client" and not t.is_key_date}
    path = next(t.value for t in at.text if "→" in t.value or t.value == "none")
    assert not client_only & set(path.split(" → "))
    raid = next(d.value for d in at.dataframe if "title" in d.value.columns)
    owners = {r.owner for r in plan.raid if r.id in set(raid["id"])}
    assert owners <= {"vendor", "joint"}


def test_executive_view_labels_every_row_and_shows_gates():
    """Tests the executive Gantt: phase rows plus every milestone and gate, each row with its label."""
    store = Store(default_url())
    plan = build_plan("service-desk", waves=2, start=MONDAY)
    plan_id, _ = store.save(plan)
    at = _share_app(store.share_links.share(plan_id, "executive"))
    shown = _shown_task_ids(at)
    assert shown == {t.id for t in plan.tasks if t.is_key_date}
    import json

    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert '"labelOverlap": false' in json.dumps(spec) and '"step": 22' in json.dumps(spec)


def test_expired_link_is_not_valid():
    """Tests a link past its expiry date: it behaves as revoked."""
    store = Store(default_url())
    plan_id, _ = store.save(build_plan("ams", waves=1, start=MONDAY))
    token = store.share_links.share(plan_id, "full", label="auditor", expires_on=dt.date.today())
    assert store.share_links.resolve(token) == (plan_id, "full")
    from sqlalchemy import update

    from planner.store.database import hash_token, links

    with store.engine.begin() as conn:
        conn.execute(
            update(links)
            .where(links.c.token_hash == hash_token(token))
            .values(expires_on=dt.date.today() - dt.timedelta(days=1))
        )
    at = _share_app(token)
    assert [t.value for t in at.title] == ["This link is not valid"]
    assert [(link.label, link.status) for link in store.share_links.of_plan(plan_id)] == [("auditor", "expired")]
    with pytest.raises(Exception, match="in the past"):
        store.share_links.share(plan_id, "full", expires_on=dt.date.today() - dt.timedelta(days=1))


def test_share_link_form_gives_a_full_url_with_label(app, monkeypatch):
    """Tests the Saved plans page: a link made with a label is shown as a full URL ready to paste."""
    monkeypatch.setenv("PLANNER_BASE_URL", "https://planner.example.org/")
    store = Store(default_url())
    plan_id, _ = store.save(build_plan("ams", waves=1, start=MONDAY))
    app.switch_page("planner/ui/pages/plans.py").run()
    app.selectbox(key="plans-pick").set_value(plan_id).run()
    app.text_input(key="share-label").input("client steering committee")
    app.button(key="share-create").click().run()
    assert not app.exception
    url = app.code[0].value
    token = url.split("?share=", 1)[1]
    assert url.startswith("https://planner.example.org/?share=") and store.share_links.resolve(token) == (
        plan_id,
        "executive",
    )
    assert store.share_links.of_plan(plan_id)[0].label == "client steering committee"


def test_negative_days_are_listed_not_applied(app):
    """Tests a -5 typed into Days: listed with row and field, the plan unchanged, the draft keeps -5."""
    plan = app.session_state[state.PLAN]
    _edit(app, {"edited_rows": {2: {"duration": -5}}})
    assert app.session_state[state.PLAN] is plan
    problems = next(d.value for d in app.dataframe if "why" in d.value.columns)
    assert list(problems.columns) == ["row", "field", "why"]
    assert problems.iloc[0]["row"].startswith("row 3") and problems.iloc[0]["field"] == "duration"
    assert app.session_state[state.DRAFT][2]["duration"] == -5


def test_view_tabs_always_have_one_selected(app):
    """Tests the view selector: it cannot end up with no view selected."""
    control = app.get("button_group")[0]
    assert control.proto.required
    assert list(control.proto.default) == [0]  # Tasks


def test_status_date_note_says_how_many_tasks_moved(app):
    """Tests the note under the Gantt when a status date moves work that has not started."""
    plan = app.session_state[state.PLAN]
    data = plan.model_dump()
    data["status_date"] = plan.start + dt.timedelta(days=30)
    from planner.core.validate import parse_plan

    app.session_state[state.PLAN] = parse_plan(data)
    app.session_state[state.HISTORY] = [app.session_state[state.PLAN]]
    app.run()
    assert not app.exception
    note = " ".join(c.value for c in app.caption if "status date" in c.value.lower())
    assert "not started by the status date were moved after it" in note
    app.selectbox(key="gantt-group").set_value("wave").run()
    assert not app.exception


def test_typing_not_yet_applied_also_counts_as_unsaved(app):
    """Tests that a rejected value still in the grid is not dropped silently by starting a new plan."""
    _edit(app, {"edited_rows": {0: {"duration": -5}}})
    app.switch_page("planner/ui/pages/new.py").run()
    next(b for b in app.button if b.label == "Create plan").click().run()
    assert app.session_state[guard.PENDING] is not None
    assert app.session_state[state.DRAFT][0]["duration"] == -5


def test_a_link_made_without_sign_in_says_the_server_is_single_user(app, monkeypatch):
    """Tests issue 30 item 1: without sign-in, a new link comes with the plain warning that the
    app is single-user, that a localhost link opens nowhere else, and where to set a team server up."""
    monkeypatch.delenv("PLANNER_BASE_URL", raising=False)
    store = Store(default_url())
    plan_id, _ = store.save(build_plan("ams", waves=1, start=MONDAY))
    app.switch_page("planner/ui/pages/plans.py").run()
    app.selectbox(key="plans-pick").set_value(plan_id).run()
    assert any("single-user" in c.value for c in app.caption)
    app.button(key="share-create").click().run()
    assert not app.exception and "localhost" in app.code[0].value
    warning = " ".join(w.value for w in app.warning)
    assert "without sign-in, as a single-user tool" in warning and "opens in no one else's browser" in warning
    assert "PLANNER_BASE_URL" in warning and "team server" in warning


def test_a_link_to_a_reachable_server_without_sign_in_warns_about_every_plan():
    """Tests the other half of the warning: a server reached by its name, still without sign-in,
    lets anyone who reaches it change every plan, and the link's maker reads so."""
    from planner.ui.plans_page import share_warning

    said = share_warning("https://planner.example.org/?share=abc")
    assert said is not None and "can open, change and delete every plan here" in said
