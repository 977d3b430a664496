"""Tests that every built-in template loads, validates and schedules at 0-5 waves."""

from __future__ import annotations

import re

import pytest

from planner.model import PlanError
from planner.schedule import schedule
from planner.templates import build_plan, list_templates, template_info, template_names
from tests.conftest import MONDAY, ROOT

NAMES = template_names()


def test_every_template_file_is_offered_with_a_description():
    """Tests that each templates/*.yaml is a built-in template with a one-line description and size note."""
    assert sorted(p.stem for p in (ROOT / "templates").glob("*.yaml")) == NAMES and len(NAMES) >= 5
    for info in list_templates():
        assert info.description and info.size_note and "{" not in info.description


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("waves", range(6))
def test_template_schedules_with_critical_path_to_steady_state(name, waves):
    """Tests each template at 0-5 waves: valid, critical path ending in steady state."""
    plan = build_plan(name, waves=waves, start=MONDAY)
    sched = schedule(plan)
    path = sched.critical_path
    assert path, "no critical path"
    assert plan.task(path[-1]).phase == "Steady state"
    assert sched.table.loc[sched.table["id"] == path[-1], "ef"].item() == sched.finish_offset
    ids = [t.id for t in plan.tasks]
    for n in range(1, waves + 1):
        assert f"W{n}-CUTOVER" in ids and f"W{n}-HC-EXIT" in ids
    assert f"W{waves + 1}-CUTOVER" not in ids
    assert all(t.estimate is not None for t in plan.tasks)


@pytest.mark.parametrize("name", NAMES)
def test_template_has_phases_and_gates(name):
    """Tests that each template covers the transition phases and gates G0-G7."""
    plan = build_plan(name, waves=2, start=MONDAY)
    phases = {t.phase for t in plan.tasks}
    for phase in ("Contract & governance", "Planning & mobilisation", "Pilot", "Cutover", "Hypercare", "Steady state"):
        assert phase in phases, phase
    assert phases & {"Due diligence", "Exit planning"}
    gate_text = " ".join(
        f"{t.name} {' '.join(c.kpi for c in t.gate.criteria)}" for t in plan.tasks if t.gate is not None
    )
    for gate in ("G0", "G1", "G2", "G3", "G4", "G5", "G6", "G7"):
        assert re.search(rf"\b{gate}\b", gate_text), gate
    pilot = [t for t in plan.tasks if t.wave == 0]
    assert pilot and all(t.phase == "Pilot" for t in pilot)


@pytest.mark.parametrize("name", NAMES)
def test_wave_overlap_rules(name):
    """Tests DOMAIN.md's overlap rules: KT after the previous KT, shadowing after the previous
    cutover, cutover go after the previous hypercare exit."""
    plan = build_plan(name, waves=3, start=MONDAY)
    for n in (2, 3):
        deps = {f"W{n}-{k}": {str(link) for link in plan.task(f"W{n}-{k}").depends_on} for k in ("KT", "SHADOW", "GO")}
        assert f"W{n - 1}-KT" in deps[f"W{n}-KT"]
        assert f"W{n - 1}-CUTOVER" in deps[f"W{n}-SHADOW"]
        assert f"W{n - 1}-HC-EXIT" in deps[f"W{n}-GO"]
    sched = schedule(plan)
    table = sched.table.set_index("id")
    assert table.loc["W2-CUTOVER", "start"] > table.loc["W1-HC-EXIT", "finish"]


@pytest.mark.parametrize("name", NAMES)
def test_pilot_share_in_names_and_criteria(name):
    """Tests that the pilot share appears in task names and gate criteria."""
    plan = build_plan(name, waves=2, pilot_share=12, start=MONDAY)
    names = " ".join(t.name for t in plan.tasks)
    criteria = " ".join(c.target for t in plan.tasks if t.gate for c in t.gate.criteria)
    assert "12%" in names
    assert ">= 12%" in criteria
    assert "{" not in names and "{" not in criteria
    assert "cumulative 56%" in names or "56%" in names  # 12 + (100 - 12) / 2


def test_pilot_only_plan_ends_at_pilot_scope():
    """Tests N = 0: no waves, steady state follows the pilot's scale decision."""
    plan = build_plan("service-desk", waves=0, pilot_share=20, start=MONDAY)
    assert not any(t.id.startswith("W") for t in plan.tasks)
    assert {str(link) for link in plan.task("SD25").depends_on} == {"SD16"}
    assert "20% of contacts" in plan.task("SD25").name


def test_exit_template_parties():
    """Tests the vendor-exit template's parties: client, incumbent, successor, joint."""
    plan = build_plan("vendor-exit", start=MONDAY)
    assert plan.parties == ("client", "incumbent", "successor", "joint")
    assert {t.owner for t in plan.tasks} <= set(plan.parties)
    assert "incumbent" in {t.owner for t in plan.tasks}


@pytest.mark.parametrize(("kwargs", "message"), [({"waves": 21}, "waves"), ({"pilot_share": 0}, "pilot_share")])
def test_bad_generator_arguments(kwargs, message):
    """Tests out-of-range waves and pilot share."""
    with pytest.raises(PlanError, match=message):
        build_plan("ams", start=MONDAY, **kwargs)


def test_unknown_template():
    """Tests that an unknown template name lists the built-in ones."""
    with pytest.raises(PlanError, match="built-in templates: ams, contact-centre"):
        template_info("nope")
