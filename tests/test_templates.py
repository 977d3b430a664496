"""Tests the built-in templates and the volume-driven generator (DESIGN.md, "Scope-driven pilot
and waves"; issue 14): every template at several wave counts and pilot shares ends at 100% of the
volume, sizes move dates, and the practitioner's rules hold."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from planner.core.model import PlanError
from planner.generate.build import build_plan, describe, generate
from planner.generate.catalogue import list_templates, raw_template, template_info, template_names
from planner.generate.sizing import scaled_estimate, split_shares
from planner.scheduling import schedule
from tests.conftest import MONDAY, ROOT

NAMES = template_names()
CLOSING = re.compile(r"payment|credits start|closure|lessons learned and exit|final invoices", re.I)


def _table(plan):
    return schedule(plan).table.set_index("id")


def test_every_template_file_is_offered_with_a_description():
    """Tests that each templates/*.yaml is a built-in template with a one-line description and size note."""
    assert sorted(p.stem for p in (ROOT / "templates").glob("*.yaml")) == NAMES and len(NAMES) >= 5
    for info in list_templates():
        assert info.description and info.size_note and "{" not in info.description


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("waves", [0, 1, 3, 6])
@pytest.mark.parametrize("share", [5, 15, 25])
def test_every_option_ends_at_full_volume_with_a_critical_path_into_steady_state(name, waves, share):
    """Tests each template at 0, 1, 3 and 6 waves and a 5, 15 and 25% pilot: the last cutover
    takes the plan to 100% (exactly once), shares add up, and the critical path ends in steady
    state."""
    gen = generate(name, waves=waves, pilot_share=share, start=MONDAY)
    plan = gen.plan
    sched = schedule(plan)
    path = sched.critical_path
    assert path and plan.task(path[-1]).phase == "Steady state"
    cutovers = [t for t in plan.tasks if t.id.endswith("-CUTOVER")]
    assert len(cutovers) == max(waves, 1)
    names = " ".join(t.name for t in plan.tasks)
    assert names.count("cumulative 100%") == 1 and "cumulative 100%" in cutovers[-1].name
    assert "{" not in names
    assert gen.handover == cutovers[-1].id
    record = plan.generated
    assert (record.template, record.waves, record.pilot_share, record.size) == (name, waves, share, "medium")
    assert sum(record.wave_shares) == (100 - share if waves else 0)
    assert all(t.estimate is not None for t in plan.tasks)


@pytest.mark.parametrize("name", NAMES)
def test_template_has_phases_and_gates_decided_by_the_client(name):
    """Tests that each template covers the phases and gates G0-G7, that every gate after the
    contract is a client decision, and that each gate follows an evidence task."""
    plan = build_plan(name, waves=2, start=MONDAY)
    phases = {t.phase for t in plan.tasks}
    for phase in ("Contract & governance", "Planning & mobilisation", "Pilot", "Cutover", "Hypercare", "Steady state"):
        assert phase in phases, phase
    gates = [t for t in plan.tasks if t.gate is not None]
    text = " ".join(f"{t.name} {' '.join(c.kpi for c in t.gate.criteria)}" for t in gates)
    for gate in ("G0", "G1", "G2", "G3", "G4", "G5", "G6", "G7"):
        assert re.search(rf"\b{gate}\b", text), gate
    for t in gates:
        if "G0" not in t.name:
            assert t.owner == "client", t.id
    pilot = [t for t in plan.tasks if t.wave == 0]
    assert pilot and all(t.phase == "Pilot" for t in pilot)


@pytest.mark.parametrize("name", NAMES)
def test_wave_overlap_rules(name):
    """Tests DOMAIN.md's overlap rules: each wave's KT after the previous wave's KT, work at the
    wave's sites after the previous cutover, cutover go after the previous hypercare exit."""
    plan = build_plan(name, waves=3, start=MONDAY)
    for n in (2, 3):
        deps = {t.id: {link.task for link in t.depends_on} for t in plan.tasks if t.id.startswith(f"W{n}-")}
        assert f"W{n - 1}-KT" in deps[f"W{n}-KT"]
        assert any(f"W{n - 1}-CUTOVER" in d for k, d in deps.items() if k != f"W{n}-GO")
        assert f"W{n - 1}-HC-EXIT" in deps[f"W{n}-GO"]
    table = _table(plan)
    assert table.loc["W2-CUTOVER", "start"] > table.loc["W1-HC-EXIT", "finish"]


def test_contact_centre_classes_overlap():
    """Tests that the next recruitment and training class starts 10 working days into the
    previous one, not after it (in the plain schedule: levelling spaces classes out when the
    trainers are busy)."""
    plan = build_plan("contact-centre", waves=3, start=MONDAY)
    assert [str(link) for link in plan.task("W3-KT").depends_on] == ["W2-KT:SS+10"]
    table = schedule(plan, level=False).table.set_index("id")
    gap = schedule(plan).calendar.working_days_between(
        dt.date.fromisoformat(table.loc["W2-KT", "start"]), dt.date.fromisoformat(table.loc["W3-KT", "start"])
    )
    assert gap == 11 and table.loc["W3-KT", "start"] < table.loc["W2-KT", "finish"]


def _gate(plan, tag: str) -> str:
    return next(t.id for t in plan.tasks if t.gate is not None and re.search(rf"\b{tag}\b", t.name))


@pytest.mark.parametrize("name", NAMES)
def test_a_bigger_pilot_starts_the_rollout_later_and_moves_less_at_its_cutovers(name):
    """Tests that the pilot share changes durations, not only labels: the pilot's volume-driven
    work grows with it, so the scale go (G4) comes later, and the waves after it move less, so
    their own work and each cutover's risk shrink."""
    small, big = (build_plan(name, waves=2, pilot_share=p, start=MONDAY) for p in (5, 25))
    pilot_work = [t["id"] for t in raw_template(name)["tasks"] if "volume_days" in t]
    assert pilot_work
    for tid in pilot_work:
        assert big.task(tid).duration > small.task(tid).duration, tid
    g4 = _gate(small, "G4")
    assert _table(big).loc[g4, "ef"] > _table(small).loc[g4, "ef"]
    wave_work = [f"W1-{t['id']}" for t in raw_template(name)["wave"]["tasks"] if "volume_days" in t]
    assert wave_work and all(big.task(tid).duration <= small.task(tid).duration for tid in wave_work)
    risk = {p.generated.pilot_share: next(r for r in p.raid if r.id == "CR1").schedule_impact for p in (small, big)}
    assert risk[25].probability < risk[5].probability and risk[25].delay.likely < risk[5].delay.likely


@pytest.mark.parametrize("name", NAMES)
def test_more_waves_repeat_the_fixed_work_but_share_the_volume(name):
    """Tests DESIGN.md's waves: what does not grow with a wave's volume (KT breadth, shadowing, dry
    run, hypercare) is repeated per wave, so 10 waves take longer than 2 from the pilot go to the
    handover; the volume-driven work is shared out, so they take far less than 5 times as long."""

    def rollout(waves: int) -> int:
        gen = generate(name, waves=waves, start=MONDAY)
        table = _table(gen.plan)
        return int(table.loc[gen.handover, "ef"] - table.loc[_gate(gen.plan, "G3"), "ef"])

    two, ten = rollout(2), rollout(10)
    assert two < ten < 5 * two, (two, ten)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_contract_to_steady_state_lands_in_the_size_band(name, size):
    """Tests DOMAIN.md section 1.2: from contract signature (G0) to steady state (G7) at the
    template's default waves and pilot, 30-65 working days small, 65-130 medium, 130-260+ large."""
    plan = build_plan(name, size=size, start=MONDAY)
    table = _table(plan)
    days = int(table.loc[_gate(plan, "G7"), "ef"] - table.loc[_gate(plan, "G0"), "ef"])
    low, high = {"small": (30, 65), "medium": (65, 130), "large": (130, 275)}[size]
    assert low <= days <= high, days


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pilot", [5, 25])
def test_options_show_the_trade_off_between_few_and_many_cutovers(name, pilot):
    """Tests issue 27's order of options: at most likely and at P50 fewer waves finish sooner
    (the fixed work is not repeated); with the year-end freeze set aside, the big bang is the
    widest between P50 and P80 (one cutover of everything carries the biggest rollback risk). With
    the freeze, a plan long enough to reach the year end widens further: the table shows that too."""
    from planner.risk.montecarlo import simulate

    plans = {w: build_plan(name, waves=w, pilot_share=pilot, start=MONDAY) for w in (0, 2, 6)}
    runs = {w: simulate(plan, iterations=2000, seed=1) for w, plan in plans.items()}
    bare = {w: simulate(plan.model_copy(update={"freezes": ()}), iterations=2000, seed=1) for w, plan in plans.items()}
    likely = [runs[w].deterministic_days for w in (0, 2, 6)]
    p50 = [runs[w].finish_days[50] for w in (0, 2, 6)]
    spread = {w: bare[w].finish_days[80] - bare[w].finish_days[50] for w in bare}
    assert likely == sorted(likely) and len(set(likely)) == 3, likely
    assert p50 == sorted(p50) and len(set(p50)) == 3, p50
    assert spread[0] > spread[2] and spread[0] > spread[6], spread
    assert runs[6].finish_days[80] >= bare[6].finish_days[80]  # a freeze never brings a date forward


@pytest.mark.parametrize("name", NAMES)
def test_every_cutover_carries_a_risk_that_grows_with_its_volume(name):
    """Tests the generated cutover risks: one per wave, on its cutover, in the RAID log with a
    schedule impact whose chance and delay grow with the share the wave moves."""
    plan = build_plan(name, pilot_share=10, wave_shares=[15, 30, 45], start=MONDAY)
    risks = [r for r in plan.raid if r.id.startswith("CR")]
    assert [r.tasks for r in risks] == [("W1-CUTOVER",), ("W2-CUTOVER",), ("W3-CUTOVER",)]
    chances = [r.schedule_impact.probability for r in risks]
    delays = [r.schedule_impact.delay.likely for r in risks]
    assert chances == sorted(chances) and len(set(chances)) == 3
    assert delays == sorted(delays) and len(set(delays)) == 3
    assert all(r.kind == "risk" and r.probability and r.impact for r in risks)


@pytest.mark.parametrize("name", NAMES)
def test_a_plan_without_a_pilot(name):
    """Tests --pilot-share 0: no pilot tasks or pilot gates, the first wave carries the volume,
    every link still points at a task of the plan, the text never says 0%; skipping the pilot
    is quiet where the template allows it (small, or an exit) and warned about otherwise."""
    for size in ("small", "medium"):
        gen = generate(name, waves=2, pilot_share=0, size=size, start=MONDAY)
        plan = gen.plan
        assert not [t.id for t in plan.tasks if t.wave == 0 or (t.gate and re.search(r"\bG[34]\b", t.name))]
        ids = {t.id for t in plan.tasks}
        assert all(link.task in ids for t in plan.tasks for link in t.depends_on)
        assert all(set(r.tasks) <= ids for r in plan.raid)
        assert plan.generated.wave_shares == (50, 50) and " 0%" not in " ".join(t.name for t in plan.tasks)
        assert "no pilot" in describe(plan.generated) and "{" not in plan.description
        assert "pilot" not in plan.description.lower().replace("without a pilot", "").replace(
            "without a separate pilot", ""
        )
        warned = [w for w in gen.warnings if w.startswith("no pilot")]
        assert bool(warned) == (size == "medium" and name != "vendor-exit"), (size, gen.warnings)
        sched = schedule(plan)
        assert plan.task(sched.critical_path[-1]).phase == "Steady state"


@pytest.mark.parametrize("name", NAMES)
def test_contract_end_a_week_too_early_gives_negative_float_and_a_warning(name):
    """Tests --contract-end: a deadline on the handover; a week too early shows as negative float
    on the handover and a warning that names it."""
    free = generate(name, start=MONDAY)
    handover = dt.date.fromisoformat(_table(free.plan).loc[free.handover, "finish"])
    early = generate(name, start=MONDAY, contract_end=handover - dt.timedelta(days=7))
    table = _table(early.plan)
    assert table.loc[early.handover, "total_float"] == -5
    assert any(early.handover in w and "contract end" in w for w in early.warnings)
    on_time = generate(name, start=MONDAY, contract_end=handover)
    assert not [w for w in on_time.warnings if "contract end" in w]


def test_exit_checks_termination_assistance_against_the_plan():
    """Tests the exit: exit acceptance must fall inside the 90 days of termination assistance
    after the incumbent's contract end."""
    free = generate("vendor-exit", start=MONDAY)
    handover = dt.date.fromisoformat(_table(free.plan).loc[free.handover, "finish"])
    gen = generate("vendor-exit", start=MONDAY, contract_end=handover)
    assert gen.plan.task("EX21").deadline == handover + dt.timedelta(days=90)
    assert not gen.warnings
    tight = generate("vendor-exit", start=MONDAY, contract_end=handover - dt.timedelta(days=90))
    assert [w.split()[0] for w in tight.warnings] == [tight.handover, "EX21"]
    assert "after its deadline " + handover.isoformat() in tight.warnings[1]


def test_vendor_exit_closes_only_after_the_last_hypercare():
    """Tests the exit template against DOMAIN.md's table: data deletion (EX16) and access
    revocation (EX19) after the successor's service commencement, exit acceptance after the last
    hypercare exit; the incumbent on call through each hypercare; dry run, novation, fallback and
    communications before the pilot go and every cutover go; default 0 waves."""
    assert template_info("vendor-exit").default_waves == 0
    plan = build_plan("vendor-exit", waves=2, start=MONDAY)
    assert {str(link) for link in plan.task("EX16").depends_on} == {"EX15"}
    assert {str(link) for link in plan.task("EX19").depends_on} == {"EX15"}
    assert {"W2-HC-EXIT", "EX16", "EX19"} <= {link.task for link in plan.task("EX21").depends_on}
    for n in (1, 2):
        oncall = plan.task(f"W{n}-ONCALL")
        assert oncall.owner == "incumbent" and f"W{n}-HC-EXIT" in {
            t.id for t in plan.tasks if any(link.task == oncall.id for link in t.depends_on)
        }
    for go in ("EX31", "W1-GO", "W2-GO"):
        assert {"EX07", "EX13", "EX23", "EX24"} <= {link.task for link in plan.task(go).depends_on}, go
    assert "Data migration dry run" in plan.task("EX13").name and "Novate" in plan.task("EX07").name


@pytest.mark.parametrize("name", NAMES)
def test_no_floating_obligations(name):
    """Tests that at the default size no task but the closing ones has two months of float, and
    that the exit plan is due within three months of signature and agreed before G7."""
    plan = build_plan(name, start=MONDAY)
    table = _table(plan)
    floating = [
        (t.id, int(table.loc[t.id, "total_float"]))
        for t in plan.tasks
        if table.loc[t.id, "total_float"] >= 42 and not CLOSING.search(t.name)
    ]
    assert not floating
    exit_plan = next(t for t in plan.tasks if "exit plan" in t.name.lower() and t.deadline is not None)
    contract = next(t["due"]["after"] for t in raw_template(name)["tasks"] if t["id"] == exit_plan.id)
    assert plan.task(contract).gate is not None  # the signature gate (G0, or G1 for a successor)
    signed = dt.date.fromisoformat(table.loc[contract, "finish"])
    assert signed < exit_plan.deadline <= signed + dt.timedelta(days=92)
    g7 = next(t for t in plan.tasks if t.gate and "G7" in t.name)
    assert exit_plan.id in {link.task for link in g7.depends_on}


@pytest.mark.parametrize("name", ["service-desk", "contact-centre", "ams"])
def test_staff_transfer_before_the_first_transfer(name):
    """Tests TUPE consultation where staff transfer: client-owned, 20/30/45 working days at medium
    size (a 30 to 45-day statutory consultation), after signature and before the pilot go, whose
    gate asks for employee liability information."""
    plan = build_plan(name, start=MONDAY)
    tupe = next(t for t in plan.tasks if t.name.startswith("TUPE"))
    assert tupe.owner == "client" and tupe.estimate.model_dump() == {"optimistic": 20, "likely": 30, "pessimistic": 45}
    pilot_go = next(t for t in plan.tasks if t.wave == 0 and t.gate and "G3" in t.name)
    assert tupe.id in {link.task for link in pilot_go.depends_on}
    assert any("Employee liability information" in c.kpi for c in pilot_go.gate.criteria)


def test_size_scales_set_up_kt_and_hypercare_by_the_domain_factors():
    """Tests --size: due diligence, contract and mobilisation x0.5 / x2 (DOMAIN.md 1.2), KT-type
    work x0.6 / x1.8 and hypercare x0.7 / x2.0; gates and the pilot's evidence window do not
    scale; a small service desk defaults to no pilot and one cutover, without a warning."""
    medium, large = (build_plan("service-desk", waves=2, size=s, start=MONDAY) for s in ("medium", "large"))
    assert large.task("SD09").estimate.likely == round(12 * 1.8)
    assert large.task("SD03").estimate.likely == 2 * medium.task("SD03").estimate.likely == 30
    assert large.task("W1-HYPERCARE").duration == 2 * medium.task("W1-HYPERCARE").duration
    # the pilot: 20 days of evidence at every size, plus the ramp to 15% of the contacts (2 days per 10%)
    assert (medium.task("SD15").duration, large.task("SD15").duration) == (20 + 3, 20 + round(3 * 1.8))
    small = generate("service-desk", size="small", start=MONDAY)
    record = small.plan.generated
    assert (record.waves, record.pilot_share, small.warnings) == (0, 0, ())
    assert small.plan.task("SD09").estimate.likely == round(12 * 0.6)
    assert small.plan.task("SD03").estimate.likely == 8


def test_wave_shares_are_the_shares_the_names_state():
    """Tests --wave-shares and the equal split: names carry the real shares and cumulative
    percentages, and equal shares are whole numbers."""
    plan = build_plan("service-desk", pilot_share=10, wave_shares=[20, 30, 40], start=MONDAY)
    assert [plan.task(f"W{n}-CUTOVER").name.split("(")[1] for n in (1, 2, 3)] == [
        "cumulative 30%)",
        "cumulative 60%)",
        "cumulative 100%)",
    ]
    assert plan.task("W2-KT").duration < plan.task("W3-KT").duration  # 30% against 40% of contacts
    assert split_shares(15, 3) == (29, 28, 28)
    assert split_shares(15, 0) == (85,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"waves": 21}, "waves"),
        ({"pilot_share": -1}, "pilot_share"),
        ({"pilot_share": 95}, "pilot_share"),
        ({"size": "huge"}, "size"),
        ({"pilot_share": 10, "wave_shares": [50, 30]}, "must add up to 100 - pilot share = 90"),
        ({"waves": 3, "wave_shares": [45, 40]}, "lists 2 shares for 3 waves"),
        ({"wave_shares": [90, -5]}, "every wave needs a share above 0"),
    ],
)
def test_bad_generator_arguments(kwargs, message):
    """Tests out-of-range waves, pilot share, size and wave shares."""
    with pytest.raises(PlanError, match=message):
        build_plan("ams", start=MONDAY, **kwargs)


def test_warnings_for_options_a_practitioner_would_question():
    """Tests the generator's warnings: a pilot over 25%, more than 6 waves, a wave under 5%."""
    assert any("first wave, not a pilot" in w for w in generate("ams", pilot_share=30, start=MONDAY).warnings)
    assert any("more than 6" in w for w in generate("ams", waves=7, start=MONDAY).warnings)
    tiny = generate("ams", pilot_share=15, wave_shares=[3, 82], start=MONDAY).warnings
    assert any("wave 1 (3%)" in w for w in tiny)
    assert generate("ams", start=MONDAY).warnings == ()


def test_scaled_estimates_keep_their_spread_above_the_floor():
    """Tests the scaling rule: x factor, the most likely value never under the floor, the spread
    kept in proportion."""
    assert scaled_estimate([10, 15, 20], 2, 5) == [20, 30, 40]
    assert scaled_estimate([10, 15, 20], 0.1, 5) == [3, 5, 7]
    assert scaled_estimate([6, 8, 12], 1, 0, [4.25, 6.4, 10.6]) == [10, 14, 23]  # fixed work plus volume


def test_unknown_template():
    """Tests that an unknown template name lists the built-in ones."""
    with pytest.raises(PlanError, match="built-in templates: ams, contact-centre"):
        template_info("nope")


@pytest.mark.parametrize("name", NAMES)
def test_size_note_states_what_the_generator_produces(name):
    """Tests the size note's figure: the working days from the start to steady state (G7, exit
    acceptance in the exit) of the default plan."""
    note = template_info(name).size_note
    stated = int(re.search(r"\((\d+)\s+working days\)", note).group(1))
    plan = build_plan(name, start=MONDAY)
    g7 = next(t.id for t in plan.tasks if t.gate and "G7" in t.name)
    assert int(_table(plan).loc[g7, "ef"]) == stated


@pytest.mark.parametrize("name", NAMES)
def test_templates_carry_the_people_who_pace_them(name):
    """Tests issue 15 item 6: each template names the scarce people (capacities in one place, the
    plan's resources), its tasks use them, overlapping work competes for them in the plain
    schedule, and the levelled schedule resolves every clash (checked independently) at a later
    handover."""
    from planner.formats.planfile import plan_to_data
    from planner.levelling.usage import over_allocations
    from tests.test_level import violations

    plan = build_plan(name, start=MONDAY)
    assert len(plan.resources) >= 2 and all(r.name and r.party in plan.parties for r in plan.resources)
    used = {rid for t in plan.tasks for rid, _ in t.uses}
    assert used == {r.id for r in plan.resources}
    plain = schedule(plan, level=False)
    assert plan.level and over_allocations(plain)
    levelled = schedule(plan, level=True)
    assert not over_allocations(levelled)
    assert violations(plan_to_data(plan), levelled.table) == []
    assert levelled.finish_offset > plain.finish_offset and levelled.levelling.optimal
    waits = [d for d in levelled.drivers.values() if d.reason == "resource"]
    assert waits and all(d.resource in used for d in waits)
    path = levelled.critical_path  # from the first task, through a wait for people, to the finish
    assert path[0] == plan.tasks[0].id and any(d.task in path for d in waits)


def test_the_size_follows_the_service_as_people_state_it():
    """Tests issue 30 item 6: a 600-agent, 3-site service desk is large (the larger measure
    counts) with the rule in words; a measure the template does not use is a named error; on the
    command line the figures set --size and say why, and an explicit --size is kept with a warning."""
    from planner.generate.service_size import size_from_service
    from tests.test_cli import run

    desk = size_from_service("service-desk", {"fte": 600, "sites": 3})
    assert desk.size == "large"
    assert desk.rule == "600 agents or FTE: large (over 250); 3 sites: medium (2-3); the larger counts: large"
    assert size_from_service("contact-centre", {"fte": 40}).size == "small"
    assert size_from_service("infrastructure", {"servers": 800, "sites": 3}).size == "medium"
    assert size_from_service("ams", {"applications": 75}).size == "large"
    assert size_from_service("service-desk", {"fte": None}) is None
    with pytest.raises(PlanError, match="template: servers: service-desk is sized by agents or FTE, sites"):
        size_from_service("service-desk", {"servers": 100})
    res = run("new", "--template", "service-desk", "--fte", "600", "--sites", "3", "-o", "-")
    assert res.returncode == 0 and "size: large, from the service (600 agents or FTE: large" in res.stderr
    assert "size: large" in res.stdout
    kept = run("new", "--template", "service-desk", "--fte", "600", "--size", "medium", "-o", "-")
    assert "warning: --size medium kept; the service's size says large" in kept.stderr and "size: medium" in kept.stdout
