"""Tests of the Gantt and network charts (planner.charts), rendered by vl-convert."""

from __future__ import annotations

import datetime as dt
import json
import re

import altair as alt
import pytest
import vl_convert as vlc

from benchmarks.plans import layered_plan_data
from planner.charts import gantt_chart, gantt_rows, network_chart, network_layout
from planner.charts.common import spec_of
from planner.charts.gantt import gantt_datasets, gantt_description, gantt_drawing, gantt_layout
from planner.charts.gantt_data import gantt_data
from planner.core.schedule import baseline_of
from planner.core.validate import parse_plan
from planner.generate.build import build_plan
from planner.scheduling import schedule
from tests.conftest import MONDAY, plan_data, task


@pytest.fixture(scope="module")
def sd():
    return schedule(build_plan("service-desk", waves=2, start=MONDAY))


def test_rows_group_tasks_under_phase_bars_in_order(sd):
    """Tests that each phase bar precedes its tasks and rows keep plan order within a phase."""
    rows = gantt_rows(sd)
    assert rows[0]["kind"] == "phase" and rows[0]["phase"] == "Due diligence"
    assert [r["id"] for r in rows[1:3]] == ["SD01", "SD02"]
    labels = [r["label"] for r in rows]
    assert labels == sorted(labels)  # the ascending label order is the row order
    crit = {r["id"]: r["color"] for r in rows if r["id"]}
    assert crit["SD01"] == "critical" and crit["SD02"] == "not critical"


def test_bars_are_exclusive_and_milestones_sit_on_their_date(sd):
    """Tests date encoding: a bar ends the midnight after its finish; a milestone at midday."""
    rows = {r["id"]: r for r in gantt_rows(sd)}
    sd01 = rows["SD01"]
    assert sd01["start"] == "2027-01-04T00:00:00Z" and sd01["end"] == "2027-01-16T00:00:00Z"
    go = rows["W1-GO"]
    assert go["duration"] == 0 and go["point"] == f"{go['finish']}T12:00:00Z"
    assert rows["SD02"]["late_end"] > rows["SD02"]["end"]  # float tail
    assert rows["W1-CUTOVER"]["driver"] == "W1-GO"


@pytest.mark.parametrize("color_by", ["criticality", "phase", "owner"])
def test_gantt_renders_to_svg(sd, color_by):
    """Tests that the Gantt spec is valid Vega-Lite and renders, for each colouring."""
    chart = gantt_chart(sd, color_by=color_by, selected="W1-CUTOVER", today=dt.date(2027, 3, 1), width=800)
    svg = vlc.vegalite_to_svg(json.dumps(chart.to_dict()))
    assert "<svg" in svg and "SD01" in svg


def test_links_for_selected_task_only_on_big_plans():
    """Tests dependency lines: all on small plans, only the selected task's on big ones."""
    small = schedule(parse_plan(plan_data(task("A", 2), task("B", 3, "A"), task("C", 1, "B"))))
    spec = gantt_chart(small).to_dict()
    assert any(
        layer.get("mark", {}).get("type") == "rule" and "y2" in layer.get("encoding", {}) for layer in spec["layer"]
    )
    big = schedule(parse_plan(layered_plan_data(200, layer_size=20)))
    spec = gantt_chart(big, show_links=False, selected="T150").to_dict()
    link_layers = [layer for layer in spec["layer"] if "y2" in layer.get("encoding", {})]
    assert len(link_layers) == 1


def test_rollup_and_phase_filter():
    """Tests the phase roll-up (default past 400 tasks) and the phase filter."""
    sched = schedule(parse_plan(layered_plan_data(500, layer_size=20)))
    rolled = gantt_rows(sched, rollup=True)
    assert all(r["kind"] == "phase" for r in rolled)
    spec = gantt_chart(sched).to_dict()
    assert spec  # default roll-up keeps big plans small
    one = gantt_rows(sched, phases=["Phase 0"])
    assert {r["phase"] for r in one} == {"Phase 0"} and len(one) > 1


def test_more_than_5000_rows_still_chart():
    """Tests that a 6,000-task Gantt builds past Altair's 5,000-row guard."""
    sched = schedule(parse_plan(layered_plan_data(6000)))
    chart = gantt_chart(sched, rollup=False, show_links=False)
    with alt.data_transformers.disable_max_rows():
        spec = chart.to_dict(validate=False)
    rows = {r["label"] for d in spec["datasets"].values() for r in d if "label" in r}  # a data set per kind of layer
    assert len(rows) > 6000


def test_network_layout_left_to_right(sd):
    """Tests the network view: every link goes left to right; the critical path is marked."""
    nodes, edges = network_layout(sd)
    assert len(nodes) == len(sd.plan.tasks)
    assert all(e["x2"] > e["x"] for e in edges)
    marked = {n["id"] for n in nodes if n["critical"]}
    assert marked == set(sd.critical_path)
    svg = vlc.vegalite_to_svg(json.dumps(network_chart(sd, color_by="phase").to_dict()))
    assert "<svg" in svg


def test_bad_colour_option(sd):
    """Tests that an unknown colouring is refused with the valid names."""
    with pytest.raises(ValueError, match="criticality, phase, owner"):
        gantt_chart(sd, color_by="wave")


def _drawn_shapes():
    levelled_plan = build_plan("service-desk", waves=1, start=MONDAY)
    with_status = levelled_plan.model_copy(
        update={"status_date": MONDAY + dt.timedelta(days=30), "deadline": MONDAY + dt.timedelta(days=400)}
    )
    return {
        "template": schedule(build_plan("service-desk", waves=2, start=MONDAY)),
        "baseline, status date": schedule(baseline_of(schedule(with_status))),
        "levelled": schedule(levelled_plan, level=True),
        "big": schedule(parse_plan(layered_plan_data(450, layer_size=30))),
    }


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"color_by": "phase", "selected": "SD05", "show_links": False},
        {"color_by": "owner", "show_links": True, "group_by": "wave", "today": dt.date(2027, 2, 1)},
        {"rollup": True, "width": 900},
        {"phases": ["Knowledge transfer"], "show_links": False},
    ],
    ids=repr,
)
def test_the_apps_kept_drawing_with_its_data_is_the_chart(options):
    """Tests the app's Gantt (a drawing it keeps per shape and description, with the plan's data
    sets added) against `gantt_chart` itself, data included, for every shape (links, lines,
    baseline, waits, roll-up): one way to draw the Gantt."""
    for what, sched in _drawn_shapes().items():
        data, shape = gantt_layout(sched, live=True, **options)
        kept = spec_of(gantt_drawing(shape, "", "", gantt_description(data, shape)))
        assert {**kept, "datasets": gantt_datasets(data, shape)} == spec_of(gantt_chart(sched, live=True, **options)), (
            what
        )


def _x_axis_span(svg: str) -> str:
    return re.search(r'aria-label="X-axis for a utc scale with values from ([^"]+)"', svg).group(1)


def _day(utc: str) -> str:
    return dt.date.fromisoformat(utc[:10]).strftime("%d %B %Y")


def test_an_edit_changes_the_app_gantt_data_alone():
    """Tests an edit that moves the finish: the app's Gantt keeps its drawing (Streamlit then
    updates the chart on screen instead of building it again) and carries the new time range in
    its data, which the drawn axis spans. A file names the finish and the range in its drawing."""
    sched = schedule(build_plan("service-desk", waves=2, start=MONDAY))
    longer = schedule(sched.plan.with_durations({"SD01": 200}))
    first, spec = spec_of(gantt_chart(sched, live=True)), spec_of(gantt_chart(longer, live=True))
    assert {k: v for k, v in spec.items() if k != "datasets"} == {k: v for k, v in first.items() if k != "datasets"}
    assert spec["datasets"] != first["datasets"]
    before, after = gantt_data(sched), gantt_data(longer)
    assert after.end > before.end
    assert _x_axis_span(vlc.vegalite_to_svg(first)) == f"{_day(before.start)} to {_day(before.end)}"
    assert _x_axis_span(vlc.vegalite_to_svg(spec)) == f"{_day(after.start)} to {_day(after.end)}"
    file = spec_of(gantt_chart(longer, width=1200, interactive=False))
    assert longer.finish.isoformat() in file["description"]
    assert file["layer"][0]["encoding"]["x"]["scale"]["domain"] == [after.start, after.end]
