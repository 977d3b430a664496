"""Tests of the RAID log: validation, CSV, heat map, app and share views."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from streamlit.testing.v1 import AppTest

from planner.charts import gantt_rows, raid_heatmap
from planner.core.model import PlanError
from planner.core.validate import parse_plan
from planner.formats.csvfile import raid_csv
from planner.generate.build import build_plan
from planner.scheduling import schedule
from planner.store.database import Store, default_url
from planner.ui import state
from tests.conftest import APP, MONDAY, plan_data, task

RAID = [
    {
        "id": "R1",
        "kind": "risk",
        "title": "=Key staff leave",
        "owner": "vendor",
        "tasks": ["A"],
        "probability": 4,
        "impact": 5,
        "due": "2027-02-01",
    },
    {"id": "R2", "kind": "risk", "title": "Tooling late", "tasks": ["B"], "probability": 4, "impact": 5},
    {"id": "A1", "kind": "action", "title": "Sign RACI", "status": "closed", "tasks": ["A"]},
    {"id": "D1", "kind": "decision", "title": "Pilot site = Leeds"},
]


def raid_plan():
    return parse_plan(plan_data(task("A", 3), task("B", 2, "A"), raid=RAID))


def test_raid_refuses_unknown_tasks_and_bad_values():
    """Tests RAID validation: unknown task ids, duplicate ids, kinds and 1-5 scales."""
    with pytest.raises(PlanError) as info:
        parse_plan(
            plan_data(
                task("A", 1),
                raid=[
                    {"id": "R1", "kind": "risk", "title": "x", "tasks": ["Z"]},
                    {"id": "R1", "kind": "issue", "title": "y"},
                ],
            )
        )
    found = [str(p) for p in info.value.problems]
    assert "raid R1: tasks[1]: unknown task 'Z'" in found and "raid R1: id: duplicate RAID id" in found
    with pytest.raises(PlanError, match="must be <= 5"):
        parse_plan(plan_data(task("A", 1), raid=[{"id": "R1", "kind": "risk", "title": "x", "impact": 9}]))


def test_raid_csv_heatmap_and_gantt_marks():
    """Tests the RAID CSV (formula-safe), heat-map counts of open risks, and linked tasks on the Gantt."""
    plan = raid_plan()
    rows = list(csv.DictReader(io.StringIO(raid_csv(plan))))
    assert rows[0]["title"] == "'=Key staff leave" and rows[0]["score"] == "20" and rows[0]["tasks"] == "A"
    values = next(iter(raid_heatmap(plan).to_dict()["datasets"].values()))
    cell = next(v for v in values if v["probability"] == 4 and v["impact"] == 5)
    assert cell["count"] == 2 and cell["ids"] == "R1, R2"
    marks = {r["id"]: r["raid"] for r in gantt_rows(schedule(plan)) if r["id"]}
    assert marks == {"A": "R1", "B": "R2"}  # the closed action is not shown


def test_raid_view_in_app(app):
    """Tests the RAID view: the editable table, heat map and CSV download."""
    plan = raid_plan()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[state.PLAN] = plan
    at.run()
    at.segmented_control(key="plan-view").set_value("RAID").run()
    assert not at.exception
    assert any("R1" in d.value["id"].tolist() for d in at.dataframe)
    assert "⬇ RAID CSV" in {b.label for b in at.get("download_button")}
    assert "Apply RAID changes" in {b.label for b in at.button}  # the log is edited in the app


def test_executive_share_view_lists_open_raid_items():
    """Tests that the executive share view shows open RAID items and not closed ones."""
    store = Store(default_url())
    base = build_plan("service-desk", waves=1, start=MONDAY)
    data = base.model_dump()
    data["raid"] = [
        {"id": "R9", "kind": "risk", "title": "Incumbent staff attrition", "tasks": ["SD09"]},
        {"id": "A9", "kind": "action", "title": "Done thing", "status": "done"},
    ]
    plan_id, _ = store.save(parse_plan(data))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["share"] = store.share_links.share(plan_id, "executive")
    at.run()
    assert not at.exception
    ids = [i for d in at.dataframe if "title" in d.value.columns for i in d.value["id"].tolist()]
    assert "R9" in ids and "A9" not in ids


def test_raid_csv_and_workbook_carry_a_risks_schedule_impact(tmp_path):
    """Tests that the RAID CSV and the workbook's RAID sheet carry the chance and the three-point
    delay as numbers (never a text like 5/10/20, which a spreadsheet would read as a date)."""
    import pandas as pd

    from planner.formats.xlsx import to_xlsx

    data = plan_data(
        task("A", 5),
        raid=[
            {
                "id": "R1",
                "kind": "risk",
                "title": "Key SMEs leave during KT",
                "tasks": ["A"],
                "schedule_impact": {"probability": 0.3, "delay": [5, 10, 20]},
            },
            {"id": "A1", "kind": "action", "title": "Backfill plan", "tasks": ["A"]},
        ],
    )
    plan = parse_plan(data)
    rows = list(csv.DictReader(io.StringIO(raid_csv(plan))))
    assert [rows[0][k] for k in ("delay_chance", "delay_optimistic", "delay_likely", "delay_pessimistic")] == [
        "0.3",
        "5",
        "10",
        "20",
    ]
    assert rows[1]["delay_chance"] == "" and rows[1]["delay_likely"] == ""
    out = tmp_path / "plan.xlsx"
    out.write_bytes(to_xlsx(schedule(plan)))
    sheet = pd.read_excel(out, sheet_name="RAID")
    assert sheet.loc[0, "delay_chance"] == 0.3 and sheet.loc[0, "delay_pessimistic"] == 20


def test_raid_rows_edit_add_and_close_items_with_the_files_validation():
    """Tests the RAID editor's rules: rows round-trip; a new risk with owner, due date, mitigation
    and a schedule impact is added; setting a status closes an item; a bad row is refused whole,
    naming the RAID row and the field, and the plan is unchanged."""
    from planner.editing import plan_with_raid, raid_rows

    plan = raid_plan()
    rows = raid_rows(plan)
    assert plan_with_raid(plan, rows).raid == plan.raid
    new_row = {
        "id": "R9",
        "kind": "risk",
        "title": "Pilot scale gate fails first time",
        "owner": "joint",
        "status": "open",
        "tasks": "A; B",
        "due": dt.date(2027, 3, 1),
        "delay_chance": 0.25,
        "delay_optimistic": 10,
        "delay_likely": 15,
        "delay_pessimistic": 20,
        "mitigation": "Dry-run the scale gate evidence two weeks early",
    }
    edited = [{**rows[0], "status": "closed"}, *rows[1:], new_row, dict.fromkeys(rows[0])]  # a blank row is dropped
    new = plan_with_raid(plan, edited)
    assert not new.raid[0].is_open and len(new.raid) == len(plan.raid) + 1
    added = new.raid[-1]
    assert added.tasks == ("A", "B") and added.due == dt.date(2027, 3, 1) and added.owner == "joint"
    assert added.schedule_impact.probability == 0.25 and added.schedule_impact.delay.pessimistic == 20
    assert added.mitigation.startswith("Dry-run")
    bad = [{**rows[0], "title": ""}, {**new_row, "delay_likely": None}]
    with pytest.raises(PlanError) as err:
        plan_with_raid(plan, bad)
    text = str(err.value)
    assert "RAID row 2: schedule impact: give the chance and the three delays together" in text
    assert "RAID row 1: title" in text
