"""Tests of MS Project XML, iCalendar and Mermaid, read back by real parsers."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from icalendar import Calendar

from planner.core.model import PlanError
from planner.core.validate import parse_plan
from planner.files import load_plan_with_warnings, plan_from_bytes
from planner.formats.ics import to_ics
from planner.formats.mermaid import to_mermaid
from planner.formats.mspdi import NS, not_carried, to_mspdi
from planner.formats.mspdi_read import read_mspdi
from planner.generate.build import build_plan
from planner.generate.catalogue import template_names
from planner.scheduling import schedule
from tests.conftest import MONDAY, plan_data, task

DATA = Path(__file__).resolve().parent / "data"
COLS = ["id", "start", "finish", "duration", "total_float", "free_float", "critical", "milestone", "phase"]
HOSTILE = "<b>&amp;</b> \"q\" 'a'; #x: =1+1 %% {x}"


def by_id(sched):
    return sched.table[COLS].sort_values("id").astype(str).values.tolist()


@pytest.mark.parametrize("name", template_names())
def test_mspdi_round_trip_keeps_the_schedule(name):
    """Tests plan -> MS Project XML -> plan: same tasks, dates, floats, links, and (issue 30 item 5)
    the owners, waves, phases, estimates, notes and gates with their actuals; the parts the format
    cannot carry are named."""
    plan = build_plan(name, waves=2, start=MONDAY, holidays="GB")
    gate = next(t for t in plan.tasks if t.gate is not None)
    actual = gate.gate.model_copy(update={"criteria": (gate.gate.criteria[0].model_copy(update={"actual": "97%"}),)})
    tasks = [
        t.model_copy(update={"gate": actual, "notes": "Ask the client's CIO first.\nThen book the room."})
        if t.id == gate.id
        else t
        for t in plan.tasks
    ]
    plan = plan.model_copy(update={"tasks": tuple(tasks)})
    sched = schedule(plan)
    back, warnings = read_mspdi(to_mspdi(sched))
    assert warnings == []
    assert by_id(schedule(back)) == by_id(sched)
    for field in ("depends_on", "gate", "owner", "wave", "phase", "estimate", "notes"):
        assert {t.id: getattr(t, field) for t in back.tasks} == {t.id: getattr(t, field) for t in plan.tasks}, field
    assert back.task(gate.id).gate.criteria[0].actual == "97%"
    assert any(w.startswith("the RAID log (") for w in not_carried(plan))


def test_mspdi_structure_read_by_elementtree():
    """Tests the exported XML: namespace, summary phases, durations, link types and lags."""
    data = plan_data(
        task("A", 5, phase="KT"),
        task("B", 3, "A:SS+2", phase="KT", not_before=dt.date(2027, 1, 6)),
        task("M", 0, "B:FF-1", phase="Pilot", deadline=dt.date(2027, 1, 20)),
    )
    root = ET.fromstring(to_mspdi(schedule(parse_plan(data))))
    assert root.tag == f"{{{NS}}}Project"
    tasks = root.findall(f"{{{NS}}}Tasks/{{{NS}}}Task")
    rows = {t.findtext(f"{{{NS}}}Name"): t for t in tasks}
    assert rows["KT"].findtext(f"{{{NS}}}Summary") == "1" and rows["KT"].findtext(f"{{{NS}}}OutlineLevel") == "1"
    b = rows["Task B"]  # the name as written; the id travels in Text1
    assert b.findtext(f"{{{NS}}}ExtendedAttribute/{{{NS}}}Value") == "B"
    assert b.findtext(f"{{{NS}}}Duration") == "PT24H0M0S" and b.findtext(f"{{{NS}}}OutlineNumber") == "1.2"
    assert b.findtext(f"{{{NS}}}ConstraintType") == "4"
    link = b.find(f"{{{NS}}}PredecessorLink")
    assert (link.findtext(f"{{{NS}}}Type"), link.findtext(f"{{{NS}}}LinkLag")) == ("3", "9600")
    m = rows["Task M"]
    assert m.findtext(f"{{{NS}}}Milestone") == "1" and m.findtext(f"{{{NS}}}Deadline") == "2027-01-20T17:00:00"
    mlink = m.find(f"{{{NS}}}PredecessorLink")
    assert (mlink.findtext(f"{{{NS}}}Type"), mlink.findtext(f"{{{NS}}}LinkLag")) == ("0", "-4800")


def test_project_written_file_imports_with_its_dates():
    """Tests a file in Microsoft Project's shape: summaries, hours, lag formats, SNET, holidays."""
    plan, warnings = load_plan_with_warnings(DATA / "ms_project_sample.xml")
    assert warnings == []
    rows = {r["name"]: r for r in schedule(plan).table.to_dict(orient="records")}
    assert plan.name == "Sample transition" and plan.start == dt.date(2027, 3, 1)
    expected = {  # Project's Start/Finish in the file
        "KT sessions": ("2027-03-01", "2027-03-05"),
        "Runbooks": ("2027-03-03", "2027-03-12"),
        "Pilot go/no-go": ("2027-03-12", "2027-03-12"),
        "Pilot run": ("2027-03-17", "2027-04-06"),
        "Evaluation": ("2027-04-06", "2027-04-09"),
    }
    for name, (start, finish) in expected.items():
        assert (rows[name]["start"], rows[name]["finish"]) == (start, finish), name
    assert rows["Runbooks"]["phase"] == "Knowledge transfer" and rows["Pilot run"]["phase"] == "Pilot"
    assert rows["Evaluation"]["total_float"] == -1  # deadline 8 April missed by a day


def test_mspdi_lossy_parts_are_warned():
    """Tests warnings for fractional durations, elapsed and percent lags."""
    xml = (DATA / "ms_project_sample.xml").read_text()
    xml = xml.replace("<Duration>PT64H0M0S</Duration>", "<Duration>PT60H0M0S</Duration>")
    xml = xml.replace(
        "<LinkLag>14400</LinkLag><LagFormat>7</LagFormat>", "<LinkLag>28800</LinkLag><LagFormat>8</LagFormat>"
    )
    xml = xml.replace(
        "<LinkLag>9600</LinkLag><LagFormat>5</LagFormat>", "<LinkLag>500</LinkLag><LagFormat>19</LagFormat>"
    )
    _, warnings = read_mspdi(xml.encode())
    text = " ".join(warnings)
    assert "duration 7.50 working days rounded to 8" in text
    assert "elapsed lag" in text and "50% lag" in text


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            f'<Project xmlns="{NS}"><Name>&xxe;</Name></Project>',
            "refused",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
            f'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><Project xmlns="{NS}"><Name>&lol3;</Name></Project>',
            "refused",
        ),
        ("<Project><Name>x</Project>", "not well-formed XML"),
        ('<?xml version="1.0"?><Plan xmlns="urn:other"/>', "not an MS Project XML file"),
    ],
)
def test_hostile_and_foreign_xml_refused(payload, message):
    """Tests XXE, billion laughs, broken and foreign XML: refused with a clear message."""
    with pytest.raises(PlanError, match=message):
        plan_from_bytes(payload.encode(), "attack.xml")


def _hostile_sched():
    data = plan_data(
        task("A-1", 3, name=HOSTILE, phase=HOSTILE),
        task("G.2", 0, "A-1", name=f"Gate {HOSTILE}", gate={"criteria": [{"kpi": HOSTILE, "target": ">= 95%"}]}),
    )
    return schedule(parse_plan(data))


def test_hostile_names_survive_mspdi_and_ics():
    """Tests that markup and formula characters come back unchanged from XML and ICS."""
    sched = _hostile_sched()
    back, _ = read_mspdi(to_mspdi(sched))
    assert back.task("A-1").name == HOSTILE and back.task("A-1").phase == HOSTILE
    events = list(Calendar.from_ical(to_ics(sched)).walk("VEVENT"))
    assert str(events[0]["SUMMARY"]) == f"G.2: Gate {HOSTILE}"


def test_ics_events_dates_and_stable_uids():
    """Tests one all-day event per milestone and gate, on its date, with stable UIDs."""
    sched = schedule(build_plan("service-desk", waves=2, start=MONDAY))
    first = list(Calendar.from_ical(to_ics(sched, stamp=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))).walk("VEVENT"))
    second = list(Calendar.from_ical(to_ics(sched)).walk("VEVENT"))
    points = [t for t in sched.plan.tasks if t.is_milestone or t.is_gate]
    assert len(first) == len(points)
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in second]
    table = sched.table.set_index("id")
    for event in first:
        tid = str(event["UID"]).split(".", 1)[1].split("@")[0]
        assert event.decoded("DTSTART") == dt.date.fromisoformat(table.loc[tid, "finish"])
        assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(days=1)
    g4 = next(e for e in first if "SD16" in str(e["UID"]))
    assert "Exit criteria:" in str(g4["DESCRIPTION"]) and "Total float: 0" in str(g4["DESCRIPTION"])


def test_mermaid_sections_crit_milestones_after():
    """Tests the Mermaid text: header, one section per phase, crit, milestone, after links."""
    sched = schedule(build_plan("service-desk", waves=1, start=MONDAY))
    text = to_mermaid(sched)
    lines = text.splitlines()
    assert lines[:4] == [
        "gantt",
        "    title IT service desk transition",
        "    dateFormat YYYY-MM-DD",
        "    excludes weekends",
    ]
    phases = list(dict.fromkeys(t.phase for t in sched.plan.tasks))
    assert [line.strip()[8:] for line in lines if line.strip().startswith("section ")] == phases
    key = {t.id: f"t{j + 1}" for j, t in enumerate(sched.plan.tasks)}
    assert any(
        line.strip().startswith("[SD01] ") and f":crit, {key['SD01']}, 2027-01-04, 10d" in line for line in lines
    )
    assert any(line.strip().startswith("[W1-GO] ") and f"milestone, {key['W1-GO']}," in line for line in lines)
    assert any(f"after {key['SD01']}," in line for line in lines)


def test_mermaid_sanitises_hostile_text():
    """Tests that names cannot inject Mermaid syntax (colons, semicolons, comments, directives)."""
    text = to_mermaid(_hostile_sched())
    task_lines = [line for line in text.splitlines() if ":" in line and not line.strip().startswith(("title",))]
    for line in task_lines:
        name, _, spec = line.partition(" :")
        assert not any(ch in name for ch in ":;#%{}<>") and spec.split(",")[-1].strip().endswith("d")
    assert ", t1, " in text and ", t2, " in text


@pytest.mark.parametrize("keyword", ["click", "title", "section", "dateFormat", "excludes", "todayMarker"])
def test_mermaid_keywords_as_ids_cannot_take_over_the_chart(keyword):
    """Tests ids that are Mermaid keywords: no line starts with one, keys are generated, the header stays."""
    plan = parse_plan(plan_data(task(keyword, 3), task("B", 2, keyword, name=f"{keyword} x")))
    lines = to_mermaid(schedule(plan)).splitlines()
    assert lines[1].strip() == "title Test plan" and lines[2].strip() == "dateFormat YYYY-MM-DD"
    body = [line.strip() for line in lines[4:] if not line.strip().startswith("section ")]
    assert body == [f"[{keyword}] Task {keyword} :crit, t1, 2027-01-04, 3d", f"[B] {keyword} x :crit, t2, after t1, 2d"]
