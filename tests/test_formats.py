"""Tests of the CSV and YAML/JSON formats, read back by real parsers (planner.formats)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import yaml

from planner.core.model import PlanError
from planner.core.schedule import COLUMNS
from planner.core.validate import parse_plan
from planner.files import MAX_UPLOAD_BYTES, load_plan, plan_from_bytes
from planner.formats.csvfile import milestones_csv, read_tasks_csv, safe_text, schedule_csv, tasks_csv
from planner.formats.planfile import dump_json, dump_yaml, read_yaml
from planner.generate.build import build_plan
from planner.scheduling import schedule
from tests.conftest import MONDAY, plan_data, task

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tTab", "\rCR"]


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_text_prefixes_formula_starts(value):
    """Tests that cells a spreadsheet would evaluate get a leading apostrophe."""
    assert safe_text(value) == "'" + value
    assert safe_text("Plain name") == "Plain name"


def test_milestone_csv_is_formula_safe_and_numbers_stay_numbers():
    """Tests the milestone CSV with hostile names, phases and criteria."""
    data = plan_data(
        task("A", 3, name="=cmd|' /C calc'!A0", phase="+Phase"),
        task(
            "G",
            0,
            "A",
            name="@gate",
            gate={"criteria": [{"kpi": "-SLA", "target": ">= 95%"}]},
        ),
    )
    sched = schedule(parse_plan(data))
    rows = read_csv(milestones_csv(sched))
    assert list(rows[0]) == [
        "id",
        "name",
        "phase",
        "owner",
        "date",
        "total_float",
        "critical",
        "criteria",
        "gate_status",
    ]
    assert rows[0]["name"] == "'@gate"
    assert rows[0]["criteria"] == "'-SLA >= 95%"
    assert rows[0]["total_float"] == "0" and rows[0]["critical"] == "true"
    sched_rows = read_csv(schedule_csv(sched.table))
    assert sched_rows[0]["name"].startswith("'=") and sched_rows[0]["phase"] == "'+Phase"
    for cell in (c for r in sched_rows for c in r.values()):
        assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not (
            cell.startswith("-") and not cell[1:].isdigit()
        )


def test_schedule_csv_columns_and_booleans():
    """Tests the schedule CSV header and true/false booleans."""
    sched = schedule(parse_plan(plan_data(task("A", 2), task("M", 0, "A"))))
    text = schedule_csv(sched.table)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = read_csv(text)
    assert rows[1]["milestone"] == "true" and rows[0]["milestone"] == "false"
    assert rows[0]["wave"] == ""


def test_milestones_in_date_order():
    """Tests that the milestone CSV lists milestones and gates by date."""
    data = plan_data(task("A", 5), task("M2", 0, "A"), task("M1", 0))
    rows = read_csv(milestones_csv(schedule(parse_plan(data))))
    assert [r["id"] for r in rows] == ["M1", "M2"]


def test_task_csv_round_trip_gives_same_schedule():
    """Tests plan -> task CSV -> plan keeps tasks and the schedule (a template, 3 waves; a task
    list carries no plan settings, so levelling is asked for again)."""
    plan = build_plan("service-desk", waves=3, start=MONDAY)
    back = read_tasks_csv(tasks_csv(plan), name=plan.name, start=plan.start)
    a, b = schedule(plan).table, schedule(back.model_copy(update={"resources": plan.resources}), level=True).table
    assert a.drop(columns=[]).equals(b)
    assert [t.depends_on for t in back.tasks] == [t.depends_on for t in plan.tasks]
    assert [t.estimate for t in back.tasks] == [t.estimate for t in plan.tasks]


def test_task_csv_as_excel_writes_it():
    """Tests a BOM, semicolons, CRLF and a quoted cell, as Excel writes a CSV."""
    text = (
        "\ufeffid;name;duration;depends_on;owner;milestone;optimistic;likely;pessimistic;not_before\r\n"
        'A;"Kick-off; all hands";2;;client;;1;2;4;\r\n'
        "B;Build;5;A;vendor;no;;;;2027-01-11\r\n"
        "G;Go live;0;B:FS+1;joint;yes;;;;\r\n"
    )
    plan = plan_from_bytes(text.encode("utf-8"), "plan.csv", start=MONDAY)
    assert [t.id for t in plan.tasks] == ["A", "B", "G"]
    assert plan.task("A").name == "Kick-off; all hands"
    assert plan.task("B").not_before == dt.date(2027, 1, 11)
    assert plan.task("A").estimate.likely == 2
    assert plan.task("G").is_milestone


def test_task_csv_errors_name_row_and_column():
    """Tests that bad CSV rows are reported with their row number and column."""
    text = "id,name,duration,depends_on,milestone,optimistic\nA,a,x,,,\nB,b,2,Z,maybe,3\n"
    with pytest.raises(PlanError) as info:
        read_tasks_csv(text, start=MONDAY)
    found = [str(p) for p in info.value.problems]
    assert "row 3 (B): milestone: must be true or false (got 'maybe')" in found
    assert "row 3 (B): likely, pessimistic: give optimistic, likely and pessimistic together" in found
    text = "id,name,duration,depends_on\nA,a,x,\nB,b,2,Z\n"
    with pytest.raises(PlanError) as info:
        read_tasks_csv(text, start=MONDAY)
    found = [str(p) for p in info.value.problems]
    assert "row 2 (A): duration: must be a whole number (got 'x')" in found
    assert "row 3 (B): depends_on[1]: unknown predecessor 'Z'" in found


def test_task_csv_header_problems():
    """Tests missing required columns and unknown columns."""
    with pytest.raises(PlanError) as info:
        read_tasks_csv("id,title,colour\nA,b,c\n", start=MONDAY)
    found = [str(p) for p in info.value.problems]
    assert "CSV header: name: required column is missing" in found
    assert "CSV header: duration: required column is missing" in found
    assert any("colour: unknown column" in p for p in found)


def test_task_csv_needs_a_start():
    """Tests that a task CSV without a start date asks for one."""
    with pytest.raises(PlanError, match="a task CSV has no plan start"):
        read_tasks_csv("id,name,duration\nA,a,1\n")


def test_yaml_round_trip_and_safe_output(tmp_path):
    """Tests plan -> YAML -> plan is identical, and the YAML loads with a safe loader."""
    plan = build_plan("vendor-exit", waves=2, start=MONDAY, holidays="GB")
    text = dump_yaml(plan)
    assert "!!python" not in text
    yaml.safe_load(text)
    path = tmp_path / "exit.yaml"
    path.write_text(text)
    assert load_plan(path) == plan
    jpath = tmp_path / "exit.json"
    jpath.write_text(dump_json(plan))
    assert json.loads(jpath.read_text())["parties"] == ["client", "incumbent", "successor", "joint"]
    assert load_plan(jpath) == plan


def test_yaml_with_python_tags_builds_no_objects():
    """Tests that a YAML tag that would construct a Python object is refused with a message
    naming where, and builds nothing."""
    with pytest.raises(PlanError, match=r"not valid YAML at line 1, column 7: could not determine a constructor"):
        read_yaml("name: !!python/object/apply:os.system ['echo pwned']\n")


def test_yaml_alias_bomb_is_refused():
    """Tests that a billion-laughs alias bomb is refused, not expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(PlanError, match="not valid YAML"):
        read_yaml("\n".join(lines) + "\n")


def test_an_alias_to_a_long_text_cannot_amplify(tmp_path):
    """Tests issue 31 item 3: a file of about 1 MB whose tasks all alias one 9,000-character name
    (once 4.6 GB in the app, a native abort on the command line) is refused as YAML, naming the
    repeated text, within bounded memory (measured); the command line exits 1 with the message."""
    from tests.test_cli import run
    from tests.test_hardening import peak_memory

    text = "name: &n " + "x" * 9_000 + "\nstart: 2027-01-04\ntasks:\n"
    text += "".join(f"- {{id: T{k}, name: *n, duration: 1}}\n" for k in range(30_000))
    assert len(text) < 1_200_000

    def refused() -> None:
        with pytest.raises(PlanError, match="aliases repeat 270,000,000 characters of text; at most 1,000,000"):
            read_yaml(text)

    peak = peak_memory(refused)
    assert peak < 400 * 2**20, f"{peak / 2**20:.0f} MB"
    path = tmp_path / "laughs.yaml"
    path.write_text(text)
    res = run("validate", str(path))
    assert res.returncode == 1 and "aliases repeat" in res.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: [unclosed\n", "not valid YAML"),
        ("name: a\nname: b\n", "duplicate mapping key"),
    ],
)
def test_yaml_syntax_errors(text, message):
    """Tests that broken YAML gives a PlanError with the reason."""
    with pytest.raises(PlanError, match=message):
        read_yaml(text)


def test_upload_limits_and_types():
    """Tests the upload size limit and unsupported file types."""
    with pytest.raises(PlanError, match="the limit is"):
        plan_from_bytes(b"x" * (MAX_UPLOAD_BYTES + 1), "big.yaml")
    with pytest.raises(PlanError, match=r"unsupported file type \.docx"):
        plan_from_bytes(b"x", "plan.docx")
    with pytest.raises(PlanError, match="not valid JSON at line 1"):
        plan_from_bytes(b"{", "plan.json")


def test_missing_file():
    """Tests a clear message for a missing file."""
    with pytest.raises(PlanError, match="no such file"):
        load_plan("/nonexistent/plan.yaml")


def test_yaml_read_off_the_main_thread_matches(tmp_path):
    """Tests that a plan file reads the same in the app's script threads as on the main thread,
    with YAML 1.2's rules (only true/false are booleans, 010 is ten)."""
    import threading

    text = dump_yaml(build_plan("ams", waves=2, start=MONDAY)) + "extra_yes: yes\ncount: 010\n"
    main = read_yaml(text)
    out = {}
    worker = threading.Thread(target=lambda: out.setdefault("data", read_yaml(text)))
    worker.start()
    worker.join()
    assert out["data"] == main
    assert main["extra_yes"] == "yes" and main["count"] == 10
