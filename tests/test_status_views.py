"""Tests of the RAG status, risk charts, and the app's progress and risk views."""

from __future__ import annotations

import datetime as dt
import json

import vl_convert as vlc
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from planner.charts import gantt_chart, risk_charts
from planner.core.model import RaidItem
from planner.core.schedule import baseline_of
from planner.core.validate import parse_plan
from planner.generate.build import build_plan
from planner.risk.montecarlo import simulate
from planner.scheduling import schedule
from planner.status import plan_status
from planner.ui import state
from tests.conftest import MONDAY, plan_data, task


def test_status_green_amber_red():
    """Tests RAG: on track; thin deadline margin; missed deadline; failed gate; slip."""
    base = plan_data(task("A", 10), task("G", 0, "A", gate={"criteria": [{"kpi": "SLA", "target": ">= 95%"}]}))
    green = plan_status(schedule(parse_plan(base)), today=MONDAY)
    assert green.rag == "green" and green.reason.startswith("on track for 2027-01-15")
    amber = plan_status(schedule(parse_plan({**base, "deadline": dt.date(2027, 1, 20)})), today=MONDAY)
    assert amber.rag == "amber" and "margin" in amber.reason
    red = plan_status(schedule(parse_plan({**base, "deadline": dt.date(2027, 1, 12)})), today=MONDAY)
    assert red.rag == "red" and "misses the deadline" in red.reason
    failed = {
        **base,
        "tasks": [
            base["tasks"][0],
            {**base["tasks"][1], "gate": {"criteria": [{"kpi": "SLA", "target": ">= 95%", "actual": "90%"}]}},
        ],
    }
    assert plan_status(schedule(parse_plan(failed)), today=MONDAY).reason.startswith("gate G failed")
    late = plan_status(schedule(parse_plan(base)), today=dt.date(2027, 2, 1))
    assert late.rag == "amber" and "past its date" in late.reason
    slipped = baseline_of(schedule(parse_plan(base)), taken=MONDAY).with_durations({"A": 25})
    s = plan_status(schedule(slipped), today=MONDAY)
    assert s.rag == "red" and "15 working days later than the baseline" in s.reason


def test_risk_charts_and_gate_colours_render():
    """Tests the histogram and S-curve, and gate status colours on the Gantt, as real SVG."""
    plan = build_plan("service-desk", waves=1, start=MONDAY)
    hist, curve = risk_charts(simulate(plan, iterations=500, seed=1), plan)
    for chart in (hist, curve):
        assert "<svg" in vlc.vegalite_to_svg(json.dumps(chart.to_dict()))
    passed = parse_plan(
        {
            **plan.model_dump(),
            "tasks": [
                {
                    **t.model_dump(exclude_none=True),
                    "gate": {"criteria": [{"kpi": "K", "target": ">= 1", "actual": "2"}]},
                }
                if t.id == "SD04"
                else t.model_dump(exclude_none=True)
                for t in plan.tasks
            ],
        }
    )
    spec = gantt_chart(schedule(passed)).to_dict()
    values = [v for d in spec["datasets"].values() for v in d]
    assert {v["id"]: v.get("gate") for v in values if v.get("id") == "SD04"} == {"SD04": "passed"}


def test_progress_view_sets_baseline_and_shows_slip(app):
    """Tests the Progress view: Set baseline, then an edit shows in What slipped."""
    app.segmented_control(key="plan-view").set_value("Progress").run()
    app.button(key="set-baseline").click().run()
    assert not app.exception and app.session_state[state.PLAN].baseline is not None
    plan = app.session_state[state.PLAN]
    row = [t.id for t in plan.tasks].index("SD15")
    app.session_state["grid_delta"] = {"edited_rows": {row: {"duration": plan.task("SD15").duration + 10}}}
    app.run()
    assert not app.exception
    slip = next(d.value for d in app.dataframe if "variance" in d.value.columns)
    assert int(slip["variance"].max()) == 10
    assert any("STATUS" in m.value.upper() for m in app.markdown)


def test_risk_view_runs_simulation(app):
    """Tests the Risk view: running the simulation shows P50/P80 beside the deterministic finish."""
    app.segmented_control(key="plan-view").set_value("Risk").run()
    app.number_input(key="risk-iterations").set_value(1000)
    app.button(key="risk-run").click().run()
    assert not app.exception
    labels = {m.label: m.value for m in app.metric}
    assert labels["P80 finish"] >= labels["P50 finish"] >= labels["Deterministic finish"]
    assert len(app.get("vega_lite_chart")) >= 3
    milestones = next(d.value for d in app.dataframe if "planned" in d.value.columns)
    pilot_gate = milestones[milestones["milestone"].str.startswith("SD14 ")].iloc[0]
    assert pilot_gate["P90"] >= pilot_gate["P80"] >= pilot_gate["P50"]
    assert list(milestones["milestone"]) == [
        f"{t.id}  {t.name}" for t in app.session_state[state.PLAN].tasks if t.is_key_date
    ]


def test_risk_view_names_each_estimate_it_re_centres(app):
    """Tests the Risk view's note on an edited duration: after a run, the task whose days no longer
    match its estimate's likely value is named with how the simulation scaled its estimate."""
    plan = app.session_state[state.PLAN]
    first = plan.tasks[0]
    assert first.estimate is not None and first.estimate.likely == first.duration
    app.session_state[state.PLAN] = plan.model_copy(
        update={"tasks": (first.model_copy(update={"duration": first.duration * 2}), *plan.tasks[1:])}
    )
    app.segmented_control(key="plan-view").set_value("Risk").run()
    app.number_input(key="risk-iterations").set_value(500)
    app.button(key="risk-run").click().run()
    assert not app.exception
    assert any(i.value.startswith("1 estimate is re-centred") for i in app.info)
    note = next(d.value for d in app.dataframe if list(d.value.columns) == ["task", "note"])
    assert list(note["task"]) == [first.id]
    assert f"scales it by {first.duration * 2}/{first.duration}" in note["note"].iloc[0]


def test_gate_actuals_edit_changes_status(app):
    """Tests recording gate actuals (library path the form uses): a missed KPI fails the gate."""
    from planner.core.gates import gate_status
    from planner.editing import plan_with_gate

    plan = app.session_state[state.PLAN]
    crit = [{"kpi": c.kpi, "target": c.target, "actual": "99%"} for c in plan.task("SD14").gate.criteria]
    crit[0]["actual"] = "90%"
    new = plan_with_gate(plan, "SD14", crit)
    assert gate_status(new.task("SD14")) == "failed"
    app.segmented_control(key="plan-view").set_value("Milestones").run()
    assert not app.exception
    assert app.selectbox(key="gate-pick").value == "SD04"
    assert any(b.label == "Apply actuals" for b in app.button)


def test_status_names_a_task_deadline_missed_or_close():
    """Tests task deadlines in the status: a task's own deadline by its id; the handover's deadline
    is the contract end and is named so (issue 30 item 2)."""
    data = plan_data(task("A", 10, deadline=dt.date(2027, 1, 13)), task("B", 0, "A"), task("C", 3, "B"))
    red = plan_status(schedule(parse_plan(data)), today=MONDAY)
    assert red.rag == "red" and red.reason == "A misses its deadline 2027-01-13 by 2 working days"
    data["tasks"][0]["deadline"] = dt.date(2027, 1, 20)
    amber = plan_status(schedule(parse_plan(data)), today=MONDAY)
    assert amber.rag == "amber" and amber.reason.startswith("only 3 working days of margin to A's deadline")
    data = plan_data(task("A", 10), task("HANDOVER", 0, "A", deadline=dt.date(2027, 1, 13)))
    red = plan_status(schedule(parse_plan(data)), today=MONDAY)
    assert red.reason == "the handover (most likely 2027-01-15) misses the contract end 2027-01-13 by 2 working days"


def test_status_weighs_p80_against_the_deadline(app):
    """Tests the status line in the app: with 12 working days of margin the plan itself is on
    track, but its P80 finish lies past the deadline, so the status is amber and says why."""
    plan = app.session_state[state.PLAN]
    sched = schedule(plan)
    deadline = sched.calendar.date_of(sched.finish_offset - 1 + 12)
    state_plan = plan.model_copy(update={"deadline": deadline})
    app.session_state[state.PLAN] = state_plan
    app.run()
    assert not app.exception
    line = next(m.value for m in app.markdown if "Status" in m.value)
    p80 = simulate(state_plan, iterations=2_000, seed=1).finish_days[80]
    assert p80 > sched.finish_offset + 12  # the case this test is about
    assert "AMBER" in line and f"P80 finish lies {p80 - sched.finish_offset - 12} working days past" in line


def test_risk_view_shows_which_risks_move_p80(app):
    """Tests the tornado in the Risk view: with a certain 15-day risk on the pilot go/no-go gate's
    predecessor, the view draws one more chart and its bar says the P80 finish moves 15 days."""
    plan = app.session_state[state.PLAN]
    risky = plan.model_copy(
        update={
            "raid": (
                *(r for r in plan.raid if r.schedule_impact is None),
                RaidItem(
                    id="R9",
                    kind="risk",
                    title="Pilot scale gate fails first time",
                    tasks=("SD15",),
                    schedule_impact={"probability": 1.0, "delay": [15, 15, 15]},
                ),
            )
        }
    )
    app.session_state[state.PLAN] = parse_plan(risky.model_dump())
    app.segmented_control(key="plan-view").set_value("Risk").run()
    app.number_input(key="risk-iterations").set_value(1000)
    app.button(key="risk-run").click().run()
    assert not app.exception
    assert any("Risks that move the P80 finish" in m.value for m in app.markdown)
    tornado = next(c for c in app.get("vega_lite_chart") if "P80 finish moves by" in c.proto.spec)
    rows = convert_arrow_bytes_to_pandas_df(tornado.proto.datasets[0].data.data)
    assert rows.to_dict("records") == [{"risk": "R9  Pilot scale gate fails first time", "shift": 15, "chance": "100%"}]


def _contract_plan(contract_end: str, exit_plan_due: str | None = None, estimates: bool = False):
    """A handover (phase Cutover) with the contract end as its deadline, a steady-state tail after
    it, and an exit plan with a deadline of its own (as the generator derives one)."""
    est = {"estimate": [8, 10, 16]} if estimates else {}
    return parse_plan(
        plan_data(
            task("KT", 10, **est),
            task("EXIT-PLAN", 2, "KT", **({"deadline": dt.date.fromisoformat(exit_plan_due)} if exit_plan_due else {})),
            task("HANDOVER", 0, "KT", phase="Cutover", deadline=dt.date.fromisoformat(contract_end)),
            task("STEADY", 40, "HANDOVER", phase="Steady state"),
        )
    )


def test_the_contract_end_leads_the_status_and_has_a_gantt_line():
    """Tests issue 30 item 2: the status speaks of the handover against the contract end, not the
    steady-state finish; without estimates from the most likely margin; a derived deadline that is
    missed is named after the contract end's standing, never instead of it; the Gantt draws the
    contract end as a line of its own."""
    green = plan_status(schedule(_contract_plan("2027-02-26")), today=MONDAY)
    assert green.rag == "green" and green.reason == (
        "on track: the handover (most likely 2027-01-15) meets the contract end 2027-02-26 "
        "with 30 working days of margin"
    )
    tight = plan_status(schedule(_contract_plan("2027-01-20")), today=MONDAY)
    assert tight.rag == "amber" and "only 3 working days of margin to the contract end 2027-01-20" in tight.reason
    late = plan_status(schedule(_contract_plan("2027-01-12")), today=MONDAY)
    assert late.rag == "red" and "misses the contract end 2027-01-12 by 3 working days" in late.reason
    derived = plan_status(schedule(_contract_plan("2027-02-26", exit_plan_due="2027-01-13")), today=MONDAY)
    assert derived.rag == "red"
    assert derived.reason.startswith("the handover (most likely 2027-01-15) meets the contract end 2027-02-26")
    assert derived.reason.endswith("but EXIT-PLAN misses its deadline 2027-01-13 by 4 working days")
    sched = schedule(_contract_plan("2027-02-26", estimates=True))
    from planner.status import committed

    run = committed(sched.plan, sched.network)
    with_run = plan_status(sched, today=MONDAY, run=run)
    assert with_run.reason.startswith("on track: the handover meets the contract end 2027-02-26 (P80 ")
    spec = json.dumps(gantt_chart(sched, today=MONDAY).to_dict())
    assert '"what": "contract end"' in spec and '"day": "2027-02-26"' in spec
