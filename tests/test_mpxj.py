"""An independent MS Project XML reader and writer (MPXJ, Java through JPype) checks our files.

Skipped with a message when no Java runtime or MPXJ is present; `make test` installs both.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil

import pytest

from benchmarks.plans import layered_plan_data
from planner.core.validate import parse_plan
from planner.formats.mspdi import to_mspdi
from planner.formats.mspdi_read import read_mspdi
from planner.generate.build import build_plan
from planner.scheduling import schedule
from tests.conftest import MONDAY

if shutil.which("java") is None:
    pytest.skip("no Java runtime (make test installs default-jre-headless)", allow_module_level=True)
jpype = pytest.importorskip("jpype")
pytest.importorskip("mpxj")


@pytest.fixture(scope="module")
def mpxj():
    if not jpype.isJVMStarted():
        jpype.startJVM()
    from org.mpxj.mspdi import MSPDIWriter
    from org.mpxj.reader import UniversalProjectReader

    return UniversalProjectReader, MSPDIWriter


def _read(mpxj, path):
    reader, _ = mpxj
    project = reader().read(str(path))
    out = {}
    for t in project.getTasks():
        if t.getUniqueID() is None or int(t.getUniqueID()) == 0 or t.getSummary():
            continue
        links = sorted(
            (str(r.getPredecessorTask().getText(1)), str(r.getType()), float(r.getLag().getDuration()))
            for r in t.getPredecessors()
        )
        parent = t.getParentTask()
        out[str(t.getText(1))] = {
            "name": str(t.getName()),
            "start": str(t.getStart())[:10],
            "finish": str(t.getFinish())[:10],
            "days": float(t.getDuration().getDuration()),
            "milestone": bool(t.getMilestone()),
            "links": links,
            "phase": str(parent.getName()) if parent is not None and int(parent.getUniqueID() or 0) != 0 else "",
        }
    return out


def _random_plan(seed: int):
    data = layered_plan_data(60, seed=seed, layer_size=6)
    rng = random.Random(seed)
    for t in data["tasks"]:  # Project-comparable links: FS/SS/FF with non-negative lags
        t["depends_on"] = [
            f"{d.split(':')[0]}:{rng.choice(['FS', 'SS', 'FF'])}+{rng.randint(0, 3)}" for d in t.get("depends_on", [])
        ]
    return parse_plan(data)


@pytest.mark.parametrize(
    "plan",
    [
        build_plan("service-desk", waves=3, start=MONDAY, holidays="GB"),
        build_plan("vendor-exit", waves=2, start=MONDAY),
        _random_plan(1),
        _random_plan(2),
    ],
    ids=["service-desk", "vendor-exit", "random-1", "random-2"],
)
def test_independent_reader_sees_our_tasks_links_and_dates(mpxj, plan, tmp_path):
    """Tests MPXJ's reading of our export: every task, duration, link type and lag, milestone, phase, date."""
    sched = schedule(plan)
    path = tmp_path / "plan.xml"
    path.write_bytes(to_mspdi(sched))
    seen = _read(mpxj, path)
    table = sched.table.set_index("id")
    assert set(seen) == {t.id for t in plan.tasks}
    for t in plan.tasks:
        got = seen[t.id]
        assert got["name"] == t.name, t.id  # the name as written; the id travels in Text1
        assert got["days"] == t.duration, t.id
        assert (got["start"], got["finish"]) == (table.loc[t.id, "start"], table.loc[t.id, "finish"]), t.id
        assert got["milestone"] == t.is_milestone, t.id
        assert got["phase"] == t.phase, t.id
        assert got["links"] == sorted((link.task, link.type, float(link.lag)) for link in t.depends_on), t.id


def test_file_written_by_independent_writer_imports_with_its_dates(mpxj, tmp_path):
    """Tests MPXJ's own MSPDI writer: its file imports with the same tasks, links and dates."""
    reader, writer = mpxj
    plan = build_plan("infrastructure", waves=2, start=dt.date(2027, 3, 1), holidays="DE")
    sched = schedule(plan)
    ours = tmp_path / "ours.xml"
    ours.write_bytes(to_mspdi(sched))
    theirs = tmp_path / "theirs.xml"
    writer().write(reader().read(str(ours)), str(theirs))
    written = _read(mpxj, theirs)
    back, _ = read_mspdi(theirs.read_bytes())
    table = schedule(back).table.set_index("id")
    for tid, got in written.items():
        assert (table.loc[tid, "start"], table.loc[tid, "finish"]) == (got["start"], got["finish"]), tid


@pytest.mark.parametrize("name", ["service-desk", "contact-centre", "vendor-exit"])
def test_independent_reader_sees_resources_and_assignments(mpxj, name, tmp_path):
    """Tests issue 15 item 7: MPXJ reads every resource with its max units (capacity) and every
    assignment with its units; our import reads the same back."""
    plan = build_plan(name, start=MONDAY)
    path = tmp_path / "plan.xml"
    path.write_bytes(to_mspdi(schedule(plan)))
    reader, _ = mpxj
    project = reader().read(str(path))
    resources = {
        str(r.getInitials()): (str(r.getName()), float(r.getMaxUnits().doubleValue()))
        for r in project.getResources()
        if r.getUniqueID() is not None and int(r.getUniqueID()) != 0
    }
    expected = {r.id: (r.name, 100.0 * r.capacity) for r in plan.resources}  # MPXJ gives max units in percent
    assert resources == expected
    seen = {}
    for a in project.getResourceAssignments():
        task, res = a.getTask(), a.getResource()
        if task is None or res is None:
            continue
        seen[(str(task.getText(1)), str(res.getInitials()))] = float(a.getUnits().doubleValue())
    assert seen == {(t.id, rid): 100.0 * units for t in plan.tasks for rid, units in t.uses}
    back, warnings = read_mspdi(path.read_bytes())
    assert warnings == []
    assert [(r.id, r.capacity, r.party) for r in back.resources] == [
        (r.id, r.capacity, r.party) for r in plan.resources
    ]
    assert {t.id: dict(t.uses) for t in back.tasks} == {t.id: dict(t.uses) for t in plan.tasks}
