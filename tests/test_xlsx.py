"""Tests of the Excel workbook (planner.formats.xlsx): export read back by openpyxl and pandas,
import of a task sheet, and the format registry that serves `export --to` and the app."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from planner.core.model import PlanError
from planner.core.validate import parse_plan
from planner.files import load_plan, plan_from_bytes
from planner.formats.csvfile import milestone_rows, read_tasks_csv, tasks_csv
from planner.formats.registry import BY_NAME, FORMATS
from planner.formats.xlsx import to_xlsx
from planner.generate.build import build_plan
from planner.scheduling import schedule
from tests.conftest import MONDAY, WORKBOOK_SHEETS
from tests.test_cli import run


@pytest.fixture(scope="module")
def sched():
    plan = build_plan("service-desk", waves=2, start=MONDAY)
    data = plan.model_dump(mode="json")
    data["tasks"][0]["name"] = '=HYPERLINK("http://evil.example","click")'
    return schedule(parse_plan(data))


def test_workbook_sheets_types_and_layout(sched, tmp_path):
    """Tests `export --to xlsx`: four sheets with frozen, filtered headers; dates as dates, numbers as
    numbers, flags as booleans; critical rows shaded; columns wide enough; a formula stays text."""
    out = tmp_path / "plan.xlsx"
    res = run("export", str(_plan_file(sched, tmp_path)), "--to", "xlsx", "-o", str(out))
    assert res.returncode == 0, res.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == WORKBOOK_SHEETS
    ws = book["Schedule"]
    header = [c.value for c in ws[1]]
    assert header == list(sched.table.columns)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == ws.dimensions
    first = {h: ws.cell(row=2, column=i + 1) for i, h in enumerate(header)}
    assert isinstance(first["start"].value, dt.datetime) and first["start"].number_format == "yyyy-mm-dd"
    assert first["start"].value.date().isoformat() == sched.table["start"].iloc[0]
    assert isinstance(first["duration"].value, int) and first["critical"].value is True
    assert first["name"].value.startswith("=HYPERLINK") and first["name"].data_type == "s"
    assert first["name"].quotePrefix
    for row in ws.iter_rows(min_row=2):
        critical = row[header.index("critical")].value
        assert (row[0].fill.start_color.rgb == "00FDE2E1") == critical
    for i, h in enumerate(header):
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
        assert width >= len(h) + 2
    assert ws.column_dimensions["B"].width >= 40  # names are long: the column fits them (up to 60)
    milestones = pd.read_excel(out, sheet_name="Milestones")
    assert list(milestones["id"]) == list(milestone_rows(sched)["id"])
    assert milestones["date"].dtype.kind == "M"
    raid = pd.read_excel(out, sheet_name="RAID")
    assert list(raid["id"]) == [r.id for r in sched.plan.raid] and raid["score"].dtype.kind in "if"
    schedule_sheet = pd.read_excel(out, sheet_name="Schedule")
    assert list(schedule_sheet["total_float"]) == list(sched.table["total_float"])


def test_workbook_imports_back_like_the_task_csv(sched, tmp_path):
    """Tests `import` of an exported workbook: the Tasks sheet gives the plan the task CSV gives."""
    raw = to_xlsx(sched)
    from_csv = read_tasks_csv(tasks_csv(sched.plan), name="x", start=MONDAY)
    from_xlsx = plan_from_bytes(raw, "x.xlsx", start=MONDAY)
    assert from_xlsx.tasks == from_csv.tasks
    path = tmp_path / "exported.xlsx"
    path.write_bytes(raw)
    res = run("import", str(path), "--start", "2027-01-04", "-o", str(tmp_path / "back.yaml"))
    assert res.returncode == 0, res.stderr
    assert load_plan(tmp_path / "back.yaml").tasks == from_csv.tasks


def test_an_exported_workbook_imports_back_without_asking_for_the_start(tmp_path):
    """Tests the round trip a user makes: export a workbook of a plan on England's holidays with
    closures, a deadline, other parties and resources; import it with no --start: the same
    start, calendar, deadline, parties, capacities and tasks, so the same finish. A --start
    still overrides the workbook's."""
    plan = build_plan(
        "vendor-exit", waves=1, start=dt.date(2027, 2, 1), holidays="GB-ENG", deadline=dt.date(2027, 12, 31)
    )
    plan = plan.model_copy(
        update={"calendar": plan.calendar.model_copy(update={"closures": (dt.date(2027, 4, 6), dt.date(2027, 8, 2))})}
    )
    before = schedule(plan)
    path = tmp_path / "exit.xlsx"
    path.write_bytes(to_xlsx(before))
    settings = pd.read_excel(path, sheet_name="Plan", index_col=0)["value"]
    assert settings["start"] == pd.Timestamp("2027-02-01") and settings["holidays"] == "GB-ENG"
    res = run("import", str(path), "-o", str(tmp_path / "back.yaml"))
    assert res.returncode == 0, res.stderr
    back = load_plan(tmp_path / "back.yaml")
    assert back.start == plan.start and back.calendar == plan.calendar and back.deadline == plan.deadline
    assert back.parties == plan.parties and back.resources == plan.resources and back.name == plan.name
    assert back.tasks == tuple(t.model_copy(update={"gate": None}) for t in plan.tasks)  # a task table has no gates
    assert schedule(back).finish == before.finish
    assert plan_from_bytes(path.read_bytes(), "exit.xlsx", start=MONDAY).start == MONDAY


def test_a_hand_made_sheet_imports_and_its_errors_name_sheet_row_and_column(tmp_path):
    """Tests a workbook typed by hand: typed cells become the CSV's text; problems name the place."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "My tasks"
    ws.append(["id", "name", "duration", "depends_on", "deadline", "milestone"])
    ws.append(["A", "Kick-off", 0, None, None, True])
    ws.append(["B", "Build", 5.0, "A", dt.datetime(2027, 3, 1), None])
    good = _bytes(book)
    plan = plan_from_bytes(good, "tasks.xlsx", start=MONDAY)
    assert [t.id for t in plan.tasks] == ["A", "B"] and plan.task("B").deadline == dt.date(2027, 3, 1)
    assert plan.task("B").duration == 5 and plan.task("A").is_milestone
    ws.append(["C", "Test", "five", "B", None, None])
    with pytest.raises(PlanError) as bad:
        plan_from_bytes(_bytes(book), "tasks.xlsx", start=MONDAY)
    assert "sheet My tasks row 4 (C): duration" in str(bad.value)
    with pytest.raises(PlanError, match="task sheet has no plan start"):
        plan_from_bytes(good, "tasks.xlsx")
    with pytest.raises(PlanError, match=r"not a readable \.xlsx workbook"):
        plan_from_bytes(b"not a workbook", "tasks.xlsx", start=MONDAY)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    """Tests that a workbook claiming gigabytes of content is refused by its zip directory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    with pytest.raises(PlanError, match="unpacks to 315 MB; the limit is 256 MB"):
        plan_from_bytes(buf.getvalue(), "bomb.xlsx", start=MONDAY)


def test_binary_export_to_the_terminal_is_refused(sched, tmp_path):
    res = run("export", str(_plan_file(sched, tmp_path)), "--to", "xlsx")
    assert res.returncode == 1 and "binary output (xlsx) needs a file: add -o FILE.xlsx" in res.stderr


def test_registry_serves_the_command_line_and_the_app(app):
    """Tests that every registered format is an `export --to` choice and every app format a button."""
    from planner.cli.main import build_parser

    choices = next(a for a in build_parser()._subparsers._group_actions[0].choices["export"]._actions if a.dest == "to")
    assert set(choices.choices) == set(BY_NAME)
    labels = {b.label for b in app.get("download_button")}
    assert {f"⬇ {f.label}" for f in FORMATS if f.place in ("main", "more")} <= labels
    assert "⬇ Excel workbook" in labels


def _plan_file(sched, tmp_path):
    from planner.formats.planfile import dump_yaml

    path = tmp_path / "plan.yaml"
    path.write_text(dump_yaml(sched.plan))
    return path


def _bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
