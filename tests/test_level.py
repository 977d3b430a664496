"""Tests resource levelling (issue 15): levelled schedules checked by an independent feasibility
checker on random plans (every link, every capacity, every day), tiny plans against brute force,
and the PSPLIB j30 sample against its proven optima."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import statistics
from pathlib import Path

import pytest

from benchmarks.psplib import instances
from planner.core.validate import parse_plan
from planner.explain import explain
from planner.scheduling import schedule

START = dt.date(2027, 1, 4)


def random_plan(seed: int, n: int = 18, resources: int = 3) -> dict:
    """Links of every type with lags and leads, not-before dates, 1-3 resources per task; every
    day a working day, so a day's offset is its distance from the start."""
    rng = random.Random(seed)
    caps = [rng.randint(2, 6) for _ in range(resources)]
    tasks = []
    for j in range(n):
        d = rng.choice([0, 1, 2, 3, 4, 5, 6]) if j else 3
        task: dict = {"id": f"T{j}", "name": f"task {j}", "duration": d}
        links = []
        for p in rng.sample(range(j), k=min(j, rng.randint(0, 3))):
            kind = rng.choice(["FS", "FS", "SS", "FF", "SF"])
            lag = rng.choice([0, 0, 1, 2, -1])
            links.append(f"T{p}:{kind}{lag:+d}" if lag else (f"T{p}:{kind}" if kind != "FS" else f"T{p}"))
        if links:
            task["depends_on"] = links
        if d:
            picked = rng.sample(range(resources), k=rng.randint(1, resources))
            task["uses"] = {f"R{r}": rng.randint(1, caps[r]) for r in picked}
        if rng.random() < 0.15:
            task["not_before"] = START + dt.timedelta(days=rng.randint(0, 10))
        tasks.append(task)
    return {
        "name": f"random {seed}",
        "start": START,
        "calendar": {"weekend": []},
        "resources": [{"id": f"R{r}", "capacity": c} for r, c in enumerate(caps)],
        "tasks": tasks,
    }


def violations(data: dict, table) -> list[str]:
    """Every broken rule of a levelled schedule, found from the plan data and the table alone."""
    rows = {r["id"]: r for r in table.to_dict(orient="records")}
    caps = {r["id"]: r["capacity"] for r in data["resources"]}
    out = []
    use: dict[tuple[str, int], float] = {}
    for t in data["tasks"]:
        r = rows[t["id"]]
        es, ef = int(r["es"]), int(r["ef"])
        if ef - es != t["duration"]:
            out.append(f"{t['id']} split or stretched: {es}..{ef} for {t['duration']} days")
        if "not_before" in t and es < (t["not_before"] - START).days:
            out.append(f"{t['id']} starts before its not-before date")
        for text in t.get("depends_on", []):
            pid, _, rest = text.partition(":")
            kind = rest[:2] or "FS"
            lag = int(rest[2:]) if rest[2:] else 0
            p = rows[pid]
            lhs, rhs = {
                "FS": (es, p["ef"] + lag),
                "SS": (es, p["es"] + lag),
                "FF": (ef, p["ef"] + lag),
                "SF": (ef, p["es"] + lag),
            }[kind]
            if lhs < rhs:
                out.append(f"{t['id']} breaks its {kind} link from {pid}")
        for rid, units in t.get("uses", {}).items():
            for day in range(es, ef):
                use[(rid, day)] = use.get((rid, day), 0) + units
    out += [f"{rid} over capacity on day {day}" for (rid, day), u in use.items() if u > caps[rid] + 1e-9]
    return out


@pytest.mark.parametrize("seed", range(12))
def test_levelled_schedules_are_feasible_and_repeatable(seed):
    """Tests random plans: every link, not-before date and capacity holds on every day, no task
    is split, level_delay is the shift from the unlevelled start, the finish is no earlier than
    the lower bound, and the same plan levels the same way twice."""
    data = random_plan(seed)
    plan = parse_plan(data)
    plain = schedule(plan)
    levelled = schedule(plan, level=True)
    assert violations(data, levelled.table) == []
    assert (levelled.table["level_delay"] == (levelled.table["es"] - plain.table["es"]).clip(lower=0)).all()
    info = levelled.levelling
    assert info.bound <= levelled.finish_offset and info.unlevelled_finish == plain.finish_offset
    again = schedule(parse_plan(data), level=True)
    assert again.table["es"].tolist() == levelled.table["es"].tolist()
    assert levelled.critical_path and levelled.table.loc[levelled.table["critical"], "total_float"].eq(0).all()


def _brute_force(data: dict) -> int:
    """The shortest finish over every start assignment (tiny plans: FS links, one resource)."""
    tasks = data["tasks"]
    cap = data["resources"][0]["capacity"]
    horizon = sum(t["duration"] for t in tasks)
    best = horizon
    index = {t["id"]: k for k, t in enumerate(tasks)}
    for starts in itertools.product(range(horizon + 1), repeat=len(tasks)):
        ends = [s + t["duration"] for s, t in zip(starts, tasks, strict=True)]
        if max(ends) >= best:
            continue
        if any(starts[k] < ends[index[p]] for k, t in enumerate(tasks) for p in t.get("depends_on", [])):
            continue
        if all(
            sum(t["uses"]["R0"] for k, t in enumerate(tasks) if starts[k] <= day < ends[k]) <= cap
            for day in range(max(ends))
        ):
            best = max(ends)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_tiny_plans_level_to_the_brute_force_optimum(seed):
    """Tests 5-task plans against every possible schedule: levelling finds the shortest."""
    rng = random.Random(100 + seed)
    tasks = []
    for j in range(5):
        task = {"id": f"T{j}", "name": f"t{j}", "duration": rng.randint(1, 3), "uses": {"R0": rng.randint(1, 3)}}
        preds = [f"T{p}" for p in range(j) if rng.random() < 0.25]
        if preds:
            task["depends_on"] = preds
        tasks.append(task)
    data = {
        "name": "tiny",
        "start": START,
        "calendar": {"weekend": []},
        "resources": [{"id": "R0", "capacity": 3}],
        "tasks": tasks,
    }
    levelled = schedule(parse_plan(data), level=True)
    assert violations(data, levelled.table) == []
    assert levelled.finish_offset == _brute_force(data)


def test_j30_sample_reaches_the_proven_optima():
    """Tests the 48 j30 sample instances at the default effort: mean gap to the proven optimum
    at most 0.5% (issue 15), every schedule feasible."""
    gaps = []
    for name, data, optimum in instances("j30", Path(__file__).parent / "data" / "psplib"):
        levelled = schedule(parse_plan(data), level=True)
        assert violations(data, levelled.table) == [], name
        gaps.append((levelled.finish_offset - optimum) / optimum)
    assert min(gaps) >= 0 and statistics.mean(gaps) <= 0.005


def test_started_work_keeps_its_dates_and_capacity():
    """Tests progress: a started task keeps its actual start and holds its resource, so a task
    that needs the same resource waits for it, and the wait is named in "why critical"."""
    data = {
        "name": "progress",
        "start": START,
        "calendar": {"weekend": []},
        "status_date": START + dt.timedelta(days=2),
        "resources": [{"id": "KT-LEAD", "name": "Vendor KT leads", "capacity": 1}],
        "tasks": [
            {
                "id": "A",
                "name": "wave 1 KT",
                "duration": 5,
                "uses": {"KT-LEAD": 1},
                "actual_start": START,
                "percent_complete": 40,
            },
            {"id": "B", "name": "wave 2 KT", "duration": 3, "uses": {"KT-LEAD": 1}},
        ],
    }
    levelled = schedule(parse_plan(data), level=True)
    table = levelled.table.set_index("id")
    assert table.loc["A", "start"] == START.isoformat()
    assert table.loc["B", "es"] == table.loc["A", "ef"] and table.loc["B", "level_delay"] > 0
    assert "waits for KT-LEAD" in explain(levelled, "B")[0]


def test_levelling_past_a_deadline_shows_negative_float():
    """Tests deadlines: two tasks sharing one person cannot both meet a deadline that CPM meets."""
    data = {
        "name": "deadline",
        "start": START,
        "calendar": {"weekend": []},
        "resources": [{"id": "SME", "capacity": 1}],
        "tasks": [
            {"id": "A", "name": "a", "duration": 5, "uses": {"SME": 1}},
            {"id": "B", "name": "b", "duration": 5, "uses": {"SME": 1}, "deadline": START + dt.timedelta(days=6)},
        ],
    }
    plan = parse_plan(data)
    assert schedule(plan).table["total_float"].min() >= 0
    levelled = schedule(plan, level=True)
    assert levelled.finish_offset == 10 and levelled.table["total_float"].min() < 0


def test_gantt_draws_the_wait_before_a_levelled_task():
    """Tests the Gantt of a levelled plan: a thin bar from where the task could have started to
    where it starts, for every task that waited (and none without levelling)."""
    from planner.charts import gantt_rows

    data = {
        "name": "wait",
        "start": START,
        "calendar": {"weekend": []},
        "resources": [{"id": "SME", "capacity": 1}],
        "tasks": [
            {"id": "A", "name": "a", "duration": 4, "uses": {"SME": 1}},
            {"id": "B", "name": "b", "duration": 2, "uses": {"SME": 1}},
        ],
    }
    plan = parse_plan(data)
    rows = {r["id"]: r for r in gantt_rows(schedule(plan, level=True)) if r["id"]}
    waited = [r for r in rows.values() if "wait_from" in r]
    assert len(waited) == 1 and waited[0]["wait_from"] == f"{START.isoformat()}T00:00:00Z"
    assert waited[0]["start"] == f"{(START + dt.timedelta(days=4)).isoformat()}T00:00:00Z"
    assert not any("wait_from" in r for r in gantt_rows(schedule(plan)))


def _clash_plan(tmp_path):
    """Two tasks that each need the one SME for 5 days, and a deadline on day 7."""
    from planner.formats.planfile import dump_yaml

    data = {
        "name": "clash",
        "start": START,
        "calendar": {"weekend": []},
        "deadline": START + dt.timedelta(days=7),
        "resources": [{"id": "SME", "name": "Incumbent SMEs", "capacity": 1}],
        "tasks": [
            {"id": "A", "name": "a", "duration": 5, "uses": {"SME": 1}},
            {"id": "B", "name": "b", "duration": 5, "uses": {"SME": 1}},
        ],
    }
    path = tmp_path / "clash.yaml"
    path.write_text(dump_yaml(parse_plan(data)))
    return path


def test_over_allocations_are_listed_after_the_table_and_in_json(tmp_path):
    """Tests issue 15 item 2 on the command line: resource, from, to, peak, capacity and the
    clashing tasks (issue 30 item 4) of each over-allocation after the plain schedule; none after
    the levelled one, which states its finish against the unlevelled one and the bound."""
    import json

    from tests.test_cli import run

    path = _clash_plan(tmp_path)
    plain = run("schedule", str(path))
    assert plain.returncode == 0
    assert "SME over-allocated 2027-01-04 to 2027-01-08: peak 2 against a capacity of 1 (A, B)" in plain.stdout
    levelled = run("schedule", str(path), "--level")
    assert "no resource is over-allocated" in levelled.stdout
    assert "levelled: finish 2027-01-13 (10 working days) against 5 without levelling" in levelled.stdout
    doc = json.loads(run("schedule", str(path), "--format", "json").stdout)
    assert doc["over_allocations"] == [
        {"resource": "SME", "from": "2027-01-04", "to": "2027-01-08", "peak": 2.0, "capacity": 1.0, "tasks": ["A", "B"]}
    ]
    doc = json.loads(run("schedule", str(path), "--level", "--format", "json").stdout)
    assert doc["over_allocations"] == [] and doc["levelling"] == {
        "unlevelled_finish_days": 5,
        "lower_bound_days": 10,
        "optimal": True,
    }
    assert [t["level_delay"] for t in doc["tasks"]] == [0, 5]


def test_what_if_prints_the_finish_at_each_capacity(tmp_path):
    """Tests `--what-if SME=1..3`: one more SME lets both tasks run at once and meet the deadline."""
    from tests.test_cli import run

    res = run("schedule", str(_clash_plan(tmp_path)), "--what-if", "SME=1..3")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[2:] == [
        "       1  2027-01-13            10  no",
        "       2  2027-01-08             5  yes",
        "       3  2027-01-08             5  yes",
    ]
    assert run("schedule", str(_clash_plan(tmp_path)), "--what-if", "NOPE=1..2").returncode == 1
    assert run("schedule", str(_clash_plan(tmp_path)), "--what-if", "SME=3..1").returncode == 2


def test_task_csv_carries_uses_and_names_the_capacities_it_assumed(tmp_path):
    """Tests the task CSV: `uses` as RESOURCE:UNITS; a CSV brings resources at their largest
    need, and the import says so."""
    from planner.files import load_plan_with_warnings
    from planner.formats.csvfile import tasks_csv

    plan = parse_plan(random_plan(3))
    path = tmp_path / "tasks.csv"
    path.write_text(tasks_csv(plan))
    back, notes = load_plan_with_warnings(path, start=START)
    assert {t.id: dict(t.uses) for t in back.tasks} == {t.id: dict(t.uses) for t in plan.tasks}
    assert notes and "come from the uses column" in notes[0]


@pytest.mark.parametrize("name", ["service-desk", "vendor-exit"])
def test_rows_in_another_order_level_to_the_same_dates(name):
    """Tests that the levelled dates belong to the plan, not to its row order: the same tasks
    listed in reverse (as an MS Project file lists them by phase) level to the same dates."""
    from planner.generate.build import build_plan
    from tests.conftest import MONDAY

    plan = build_plan(name, waves=2, start=MONDAY)
    reordered = plan.model_copy(update={"tasks": tuple(reversed(plan.tasks))})
    dates = {
        p: schedule(x).table.set_index("id")[["start", "finish"]].sort_index()
        for p, x in (("as written", plan), ("reversed", reordered))
    }
    assert dates["as written"].equals(dates["reversed"])


@pytest.mark.parametrize("name", ["service-desk", "vendor-exit"])
def test_levelling_a_plan_with_nothing_over_allocated_keeps_every_date(name):
    """Tests issue 30 item 4: with each capacity at the unlevelled peak (tight, never exceeded), the
    levelled schedule keeps every start and finish, and the milestone CSV and the MS Project XML
    say the same dates as without levelling."""
    from planner.formats.registry import BY_NAME
    from planner.generate.build import generate
    from planner.levelling.usage import over_allocations, use_per_day

    plan = generate(name, waves=2, start=dt.date(2027, 1, 4)).plan
    peak = use_per_day(schedule(plan, level=False))
    data = plan.model_dump(mode="json", exclude_none=True)
    for r in data["resources"]:
        r["capacity"] = max(float(peak[r["id"]].max()), 1.0)
    tight = parse_plan(data)
    plain, levelled = schedule(tight, level=False), schedule(tight)
    assert tight.level and levelled.levelling is not None and over_allocations(plain) == []
    cols = ["id", "start", "finish"]
    assert levelled.table[cols].equals(plain.table[cols])
    for fmt in ("milestones-csv", "mspdi"):
        assert BY_NAME[fmt].write(levelled) == BY_NAME[fmt].write(plain)
