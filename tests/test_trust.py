"""Regression tests for what a transition manager met in the first hour (issue 10): the report's
chart, risk after an edit, values the grid must not alter, renames, exports and the status line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import altair as alt
import pytest

from planner.charts import gantt_chart
from planner.cli.main import main
from planner.core.model import PlanError
from planner.core.plan_warnings import plan_warnings
from planner.core.schedule import baseline_of
from planner.core.validate import parse_plan
from planner.editing import apply_delta, plan_rows, rows_to_plan
from planner.formats.csvfile import milestones_csv, schedule_csv
from planner.formats.report import chart_spec, report_html
from planner.generate.build import build_plan
from planner.risk.montecarlo import simulate
from planner.scheduling import schedule
from planner.status import plan_status
from tests.conftest import MONDAY, plan_data, task


@pytest.fixture(scope="module")
def sd():
    return build_plan("service-desk", waves=2, pilot_share=15, start=MONDAY)


def _names_and_datasets(spec: dict) -> tuple[set[str], set[str]]:
    names = set()
    for layer in spec["layer"]:
        data = layer.get("data") or spec.get("data")
        if data and "name" in data:
            names.add(data["name"])
    return names, set(spec.get("datasets", {}))


def test_report_spec_carries_its_data_while_another_transformer_is_active(sd):
    """Tests the app's report bug: with a foreign data transformer switched on (as Streamlit does while it
    draws a chart in another thread), every layer still names a data set the report embeds."""
    alt.data_transformers.register("elsewhere", lambda data, **_: {"name": "not-embedded"})
    with alt.data_transformers.enable("elsewhere"):
        spec = chart_spec(gantt_chart(schedule(sd), width=900))
        html = report_html(schedule(sd))
    names, datasets = _names_and_datasets(spec)
    assert names and names <= datasets
    embedded = json.loads(re.search(r'vegaEmbed\("#gantt", (.*), \{"actions"', html).group(1))
    names, datasets = _names_and_datasets(embedded)
    assert names <= datasets
    drawn = embedded["datasets"]
    assert {r["id"] for r in drawn["gantt-bars"]} == {t.id for t in sd.tasks if t.duration > 0}
    assert {r["id"] for r in drawn["gantt-points"]} == {t.id for t in sd.tasks if t.is_key_date}


def test_risk_follows_a_duration_edit(sd):
    """Tests that 20 more days of pilot (SD15, on the critical path) move P10-P90 with the plan
    finish, and P50 stays at or after the plan's."""
    before = simulate(sd, iterations=4000, seed=3)
    edited = sd.with_durations({"SD15": sd.task("SD15").duration + 20})
    after = simulate(edited, iterations=4000, seed=3)
    moved = after.deterministic_days - before.deterministic_days
    assert moved == 20
    for q in (10, 50, 80, 90):
        assert after.finish_days[q] - before.finish_days[q] >= 15, q
    assert after.finish_days[50] >= after.deterministic_days


def test_draws_scale_by_duration_over_likely_on_one_task():
    """Tests the closed form: estimate (10, 20, 30) on a 40-day task draws from (20, 40, 60), mean 40."""
    plan = parse_plan(plan_data(task("A", 40, estimate=[10, 20, 30])))
    result = simulate(plan, iterations=20_000, seed=1)
    assert 39 <= result.finish_days[50] <= 41
    assert result.finish_days[10] >= 30 and result.finish_days[90] <= 50
    assert [str(w) for w in plan_warnings(plan)] == [
        "task A: estimate: likely 20 differs from duration 40: the simulation scales it by 40/20 to 20/40/60"
    ]


def test_validate_warns_about_estimates_off_centre(tmp_path, capsys):
    """Tests `validate`: exit 0 and a warning naming the task and field."""
    path = tmp_path / "p.yaml"
    path.write_text("name: P\nstart: 2027-01-04\ntasks:\n  - {id: A, name: A, duration: 40, estimate: [10, 20, 30]}\n")
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning: task A: estimate: likely 20 differs from duration 40" in err


def test_task_deadline_chances():
    """Tests the chance of meeting a task's own deadline: certain, impossible and in between."""
    plan = parse_plan(
        plan_data(
            task("A", 10, estimate=[8, 10, 14]),
            task("EARLY", 0, "A", deadline=MONDAY + dt.timedelta(days=7)),
            task("LATE", 0, "A", deadline=MONDAY + dt.timedelta(days=60)),
            task("MID", 0, "A", deadline=dt.date(2027, 1, 15)),
        )
    )
    chances = {d.id: d.probability for d in simulate(plan, iterations=5000).task_deadlines}
    assert chances["EARLY"] == 0.0 and chances["LATE"] == 1.0 and 0.2 < chances["MID"] < 0.8


def _grid_edit(plan, task_id, **changes):
    rows = plan_rows(plan)
    i = [r["id"] for r in rows].index(task_id)
    return rows_to_plan(plan, apply_delta(rows, {"edited_rows": {i: changes}}))


def test_grid_duration_edit_scales_the_estimate(sd):
    """Tests that Days 20 -> 40 turns SD15's estimate (20, 20, 30) into (40, 40, 60), and an edited estimate stands."""
    est = sd.task("SD15").estimate
    scaled = _grid_edit(sd, "SD15", duration=40.0).task("SD15").estimate
    factor = 40 / est.likely
    assert (scaled.optimistic, scaled.likely, scaled.pessimistic) == (
        round(est.optimistic * factor),
        40,
        round(est.pessimistic * factor),
    )
    own = _grid_edit(sd, "SD15", duration=40.0, optimistic=30.0, likely=40.0, pessimistic=70.0).task("SD15").estimate
    assert (own.optimistic, own.likely, own.pessimistic) == (30, 40, 70)


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [("duration", -5.0, "duration"), ("duration", 2.5, "duration"), ("percent_complete", 150.0, "percent_complete")],
)
def test_grid_refuses_instead_of_altering(sd, field, value, needle):
    """Tests that a negative, fractional or out-of-range value is refused with its row and field, not altered."""
    with pytest.raises(PlanError) as err:
        _grid_edit(sd, "SD15", **{field: value})
    row = 1 + [t.id for t in sd.tasks].index("SD15")
    assert any(p.where.startswith(f"row {row} ") and p.field == needle for p in err.value.problems), err.value.problems


def test_grid_rename_carries_over_to_raid_and_baseline(sd):
    """Tests renaming a task that a RAID item and the baseline name: both follow the new id."""
    with_baseline = baseline_of(schedule(sd))
    linked = with_baseline.raid[0].tasks[0]
    renamed = _grid_edit(with_baseline, linked, id="KT-MAIN")
    assert "KT-MAIN" in renamed.raid[0].tasks and linked not in renamed.raid[0].tasks
    assert "KT-MAIN" in renamed.baseline.tasks and linked not in renamed.baseline.tasks


def test_milestone_csv_ends_with_gate_status_and_schedule_csv_has_baseline(sd):
    """Tests the milestone CSV's last column and the schedule CSV's columns, read back by csv."""
    sched = schedule(baseline_of(schedule(sd)))
    rows = list(csv.DictReader(io.StringIO(milestones_csv(sched))))
    assert list(rows[0])[-1] == "gate_status"
    assert {r["gate_status"] for r in rows} <= {"passed", "failed", "pending", ""}
    assert any(r["gate_status"] == "pending" for r in rows)
    table = list(csv.reader(io.StringIO(schedule_csv(sched.table))))
    assert table[0][:4] == ["id", "name", "phase", "wave"]
    assert {"start", "finish", "total_float", "critical", "baseline_start", "baseline_finish"} <= set(table[0])
    assert len(table) == len(sd.tasks) + 1


def test_cli_exports_schedule_csv(tmp_path, sd):
    """Tests `export --to schedule-csv` end to end."""
    from planner.formats.planfile import dump_yaml

    path = tmp_path / "sd.yaml"
    path.write_text(dump_yaml(sd))
    out = tmp_path / "s.csv"
    assert main(["export", str(path), "--to", "schedule-csv", "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["id"] == sd.tasks[0].id and rows[0]["critical"] in ("true", "false")


def test_status_with_a_baseline_naming_none_of_the_tasks(sd):
    """Tests the status line on a plan whose baseline names only tasks it no longer has."""
    data = sd.model_dump()
    data["baseline"] = {"taken": MONDAY, "tasks": {"GONE": {"start": MONDAY, "finish": MONDAY}}}
    status = plan_status(schedule(parse_plan(data)))
    assert status.rag in ("green", "amber", "red")


def test_gantt_lines_axes_and_groups():
    """Tests the Gantt a planner expects: deadline and status-date lines, a top axis on tall charts, baseline
    bars inside the time axis, and rows grouped by wave with the pilot before the waves."""
    plan = build_plan("service-desk", waves=2, pilot_share=15, start=MONDAY)
    data = plan.model_dump()
    data.update(deadline=dt.date(2027, 12, 31), status_date=dt.date(2027, 2, 1))
    sched = schedule(parse_plan(data))
    spec = chart_spec(gantt_chart(sched, width=900))
    rows = [r for d in spec["datasets"].values() for r in d]
    lines = {r["what"]: r["day"] for r in rows if "what" in r}
    assert lines["deadline"] == "2027-12-31" and lines["status date"] == "2027-02-01"
    orients = {(layer["encoding"]["x"].get("axis") or {}).get("orient") for layer in spec["layer"]}
    assert "top" in orients
    late = baseline_of(schedule(plan)).model_dump()
    late["status_date"] = dt.date(2027, 3, 1)  # nothing started: all work moves after it, the baseline stays
    chart = chart_spec(gantt_chart(schedule(parse_plan(late)), width=900))
    domain = next(
        layer["encoding"]["x"]["scale"]["domain"] for layer in chart["layer"] if "scale" in layer["encoding"]["x"]
    )
    firsts = [r["b_start"] for d in chart["datasets"].values() for r in d if "b_start" in r]
    starts = [r["start"] for r in chart["datasets"]["gantt-bars"]]
    assert min(firsts) < min(starts) and domain[0] <= min(firsts)
    by_wave = chart_spec(gantt_chart(sched, width=900, group_by="wave"))
    groups = [r["label"].split("|")[1] for r in by_wave["datasets"]["gantt-summary"]]
    assert groups.index("► Pilot") < groups.index("► Wave 1") < groups.index("► Wave 2")


def test_failed_gate_is_marked_on_the_gantt(sd):
    """Tests that a failed gate's label says so, so it shows even on a critical (red) bar."""
    data = sd.model_dump()
    for t in data["tasks"]:
        if t["id"] == "SD16":
            t["gate"] = {"criteria": [{"kpi": "SLA", "target": ">= 95%", "actual": "80%"}]}
    spec = chart_spec(gantt_chart(schedule(parse_plan(data)), width=900))
    marks = {r["id"]: r["mark"] for d in spec["datasets"].values() for r in d if r.get("id") and "mark" in r}
    assert marks["SD16"] == "SD16 ✕ failed" and marks["SD14"] == "SD14"


@pytest.mark.parametrize("name", ["service-desk", "infrastructure", "vendor-exit", "contact-centre", "ams"])
def test_network_labels_do_not_overlap_at_80_tasks(name):
    """Tests the network view at about 80 tasks, at the size it is drawn: no label runs into another label
    or into another task's node."""
    from planner.charts.network import LABEL_DY, LABEL_PX_PER_CHAR, NODE_SIZE, ROW_PX, column_step, network_layout

    waves = next(w for w in range(1, 30) if len(build_plan(name, waves=w, start=MONDAY).tasks) >= 76)
    sched = schedule(build_plan(name, waves=waves, start=MONDAY, plan_name="N"))
    nodes, _ = network_layout(sched)
    step, r = column_step(nodes), (NODE_SIZE / 3.14159) ** 0.5
    labels, circles = [], []
    for n in nodes:
        x, y = n["x"] * step, n["y"] * ROW_PX
        half = LABEL_PX_PER_CHAR * len(n["id"]) / 2
        cy = y + LABEL_DY[n["above"]]
        labels.append((x - half, x + half, cy - 5.5, cy + 5.5, n["id"]))
        circles.append((x - r, x + r, y - r, y + r, n["id"]))

    def hit(a, b):
        return a[4] != b[4] and a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]

    for a in labels:
        assert not [b[4] for b in labels + circles if hit(a, b)], a[4]
