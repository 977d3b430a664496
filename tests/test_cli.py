"""Tests of the command line (planner.cli.main): in-process through `cli.main(argv)`, plus a few through a
real `python -m planner` subprocess (marked `subprocess`) for the entry point, exit codes and streams."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from planner.cli import main as cli
from planner.formats.planfile import dump_yaml
from planner.generate.catalogue import template_names
from tests.conftest import party_plan


def _finish(path: Path) -> str:
    """The plan finish the library gives (levelled when the plan levels): what the CLI must print."""
    from planner.files import load_plan
    from planner.scheduling import schedule

    return schedule(load_plan(path)).finish.isoformat()


ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`planner ARGS` in this process: exit code, stdout and stderr as a subprocess would give them."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or ROOT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def run_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


@pytest.fixture(scope="module")
def sd_plan(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "sd.yaml"
    res = run("new", "--template", "service-desk", "--waves", "2", "--start", "2027-01-04", "-o", str(out))
    assert res.returncode == 0, res.stderr
    return out


@pytest.mark.subprocess
def test_templates_lists_name_two_spaces_description():
    """Tests `python -m planner templates`: one line per template, name, two spaces, description."""
    res = run_process("templates")
    assert res.returncode == 0
    lines = res.stdout.strip().splitlines()
    assert [line.split("  ", 1)[0] for line in lines] == template_names()
    assert all(line.split("  ", 1)[1].strip() for line in lines)


def test_new_validate_schedule(sd_plan):
    """Tests `new` then `validate` (one line, exit 0) and `schedule` in every format."""
    res = run("validate", str(sd_plan))
    assert res.returncode == 0 and len(res.stdout.strip().splitlines()) == 1
    finish = _finish(sd_plan)
    assert f"finish {finish}" in res.stdout
    res = run("schedule", str(sd_plan))
    assert res.returncode == 0
    assert max(len(line) for line in res.stdout.splitlines()) <= 100
    assert any(line.startswith("* SD01") for line in res.stdout.splitlines())
    res = run("schedule", str(sd_plan), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(rows[0])[:6] == ["id", "name", "phase", "wave", "owner", "duration"]
    assert rows[0]["critical"] in ("true", "false")
    res = run("schedule", str(sd_plan), "--format", "json")
    doc = json.loads(res.stdout)
    assert doc["finish"] == finish and doc["critical_path"][-1] == "SD26"  # retiring the fallback, after G7
    assert {t["id"] for t in doc["tasks"]} >= {"SD01", "W2-CUTOVER"}


def test_export_formats(sd_plan, tmp_path):
    """Tests `export` to milestones-csv, tasks-csv and yaml, read back by real parsers."""
    for fmt, name in (("milestones-csv", "m.csv"), ("tasks-csv", "t.csv"), ("yaml", "p.yaml")):
        out = tmp_path / name
        res = run("export", str(sd_plan), "--to", fmt, "-o", str(out))
        assert res.returncode == 0, res.stderr
    milestones = list(csv.DictReader(io.StringIO((tmp_path / "m.csv").read_text(encoding="utf-8"))))
    assert [m["id"] for m in milestones][:2] == ["SD04", "SD32"]
    assert yaml.safe_load((tmp_path / "p.yaml").read_text())["name"] == "IT service desk transition"
    # a task list carries no plan settings: levelling is asked for again
    res = run("schedule", str(tmp_path / "t.csv"), "--start", "2027-01-04", "--level", "--format", "json")
    assert json.loads(res.stdout)["finish"] == _finish(sd_plan)


@pytest.mark.subprocess
def test_exported_gantt_files_are_drawn_as_in_process(sd_plan, tmp_path):
    """Tests `python -m planner export --to svg|png`: the files are the ones the library draws in
    process (the same fonts, so the same labels and layout), the PNG the same size."""
    from planner.files import load_plan
    from planner.formats.registry import BY_NAME
    from planner.scheduling import schedule

    for fmt in ("svg", "png"):
        res = run_process("export", str(sd_plan), "--to", fmt, "-o", str(tmp_path / f"gantt.{fmt}"))
        assert res.returncode == 0, res.stderr
    sched = schedule(load_plan(sd_plan))
    here = BY_NAME["svg"].write(sched)
    assert (tmp_path / "gantt.svg").read_text(encoding="utf-8") == here
    png = (tmp_path / "gantt.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[16:24] == BY_NAME["png"].write(sched)[16:24]


def test_export_raid_csv(sd_plan):
    """Tests `export --to raid-csv`: the template's starter RAID log, one row per item."""
    res = run("export", str(sd_plan), "--to", "raid-csv")
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    raid = yaml.safe_load(sd_plan.read_text())["raid"]
    assert [r["id"] for r in rows] == [item["id"] for item in raid]
    assert {r["kind"] for r in rows} <= {"risk", "action", "issue", "decision"}
    risk = next(r for r in rows if r["kind"] == "risk")
    assert int(risk["score"]) == int(risk["probability"]) * int(risk["impact"])


@pytest.mark.parametrize(
    ("content", "suffix", "needle"),
    [
        ("name: x\nstart: 2027-01-04\ntasks:\n  - {id: A, name: a, duration: -1}\n", ".yaml", "task A: duration"),
        (
            "name: x\nstart: 2027-01-04\ntasks:\n  - {id: A, name: a, duration: 1, depends_on: [B]}\n"
            "  - {id: B, name: b, duration: 1, depends_on: [A]}\n",
            ".yaml",
            "dependency cycle A -> B -> A",
        ),
        ("name: [x\n", ".yaml", "not valid YAML"),
        ('{"name": 1', ".json", "not valid JSON"),
        ("id,name,duration\nA,a,1\nA,b,2\n", ".csv", "duplicate id"),
        ("just text", ".yaml", "must be a mapping"),
        ("", ".yaml", "must be a mapping"),
        ("\x00\xff\xfe", ".txt", "unsupported file type"),
    ],
)
def test_bad_input_exits_1_without_traceback(tmp_path, content, suffix, needle):
    """Tests that bad files exit 1 with a message naming the culprit and no traceback."""
    path = tmp_path / f"bad{suffix}"
    path.write_text(content)
    res = run("validate", str(path), "--start", "2027-01-04")
    assert res.returncode == 1
    assert needle in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""


@pytest.mark.subprocess
def test_bad_usage_exits_2():
    """Tests usage errors: unknown command, bad date, unknown template, bad export format."""
    assert run_process("frobnicate").returncode == 2
    assert run("new", "--template", "nope", "-o", "x.yaml").returncode == 2
    res = run("new", "--template", "ams", "--start", "2027-02-30", "-o", "x.yaml")
    assert res.returncode == 2 and "not a date" in res.stderr
    assert run("export", "x.yaml", "--to", "docx").returncode == 2


def test_missing_file_and_csv_without_start(tmp_path):
    """Tests a missing plan file and a task CSV without --start."""
    res = run("schedule", str(tmp_path / "none.yaml"))
    assert res.returncode == 1 and "no such file" in res.stderr
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("id,name,duration\nA,a,1\n")
    res = run("schedule", str(csv_path))
    assert res.returncode == 1 and "--start" in res.stderr


def test_new_pilot_only_with_holidays(tmp_path):
    """Tests `new --waves 0 --pilot-share 20 --holidays GB`: one cutover of the remaining 80%
    after the pilot, so the plan ends at 100%, and the plan records how it was made."""
    out = tmp_path / "p.yaml"
    res = run(
        "new",
        "--template",
        "contact-centre",
        "--waves",
        "0",
        "--pilot-share",
        "20",
        "--start",
        "2027-01-04",
        "--holidays",
        "GB",
        "-o",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    data = yaml.safe_load(out.read_text())
    assert data["calendar"]["holidays"] == "GB"
    cutovers = [t["name"] for t in data["tasks"] if t["id"].endswith("-CUTOVER")]
    assert len(cutovers) == 1 and "80% more of volume (cumulative 100%)" in cutovers[0]
    assert any("20%" in t["name"] for t in data["tasks"])
    assert data["generated"] == {
        "template": "contact-centre",
        "waves": 0,
        "pilot_share": 20,
        "wave_shares": [],
        "size": "medium",
        "handover": "W1-CUTOVER",
        "termination_assistance": None,  # an exit's alone
    }


def test_import_and_exchange_exports(sd_plan, tmp_path):
    """Tests `import` from MS Project XML and a task CSV, and exports to mspdi, ics and mermaid."""
    xml = tmp_path / "p.xml"
    assert run("export", str(sd_plan), "--to", "mspdi", "-o", str(xml)).returncode == 0
    out = tmp_path / "from-xml.yaml"
    res = run("import", str(xml), "-o", str(out))
    assert res.returncode == 0, res.stderr
    finish = _finish(sd_plan)
    assert f"finish {finish}" in run("validate", str(out)).stdout  # the levelling delays bring levelling back
    assert f"finish {finish}" in run("validate", str(xml)).stdout  # PLAN accepts .xml directly
    assert run("export", str(sd_plan), "--to", "ics").stdout.startswith("BEGIN:VCALENDAR")
    assert run("export", str(sd_plan), "--to", "mermaid").stdout.startswith("gantt")
    csv_path = tmp_path / "t.csv"
    run("export", str(sd_plan), "--to", "tasks-csv", "-o", str(csv_path))
    res = run("import", str(csv_path), "--start", "2027-01-04", "-o", str(tmp_path / "from-csv.yaml"))
    assert res.returncode == 0 and "52 tasks" in res.stderr


def test_simulate_json_has_designs_object_and_is_repeatable(sd_plan):
    """Tests `simulate --format json`: DESIGN.md's keys, ordered percentiles, per-task criticality,
    and the same output for the same seed."""
    res = run("simulate", str(sd_plan), "--iterations", "2000", "--seed", "5", "--format", "json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["iterations"] == 2000 and doc["seed"] == 5
    assert set(doc["deterministic"]) == {"days", "date"}
    days = [doc["finish"][f"p{q}"]["days"] for q in (10, 50, 80, 90)]
    assert days == sorted(days) and days[2] >= doc["deterministic"]["days"]
    plan_ids = [t["id"] for t in yaml.safe_load(sd_plan.read_text())["tasks"]]
    assert [t["id"] for t in doc["tasks"]] == plan_ids
    assert all(0 <= t["criticality"] <= 1 and len(t["finish_p80"]) == 10 for t in doc["tasks"])
    gates = [m for m in doc["milestones"] if m["id"] == "SD14"]  # the pilot go/no-go gate
    assert len(gates) == 1 and gates[0]["p10"] <= gates[0]["p50"] <= gates[0]["p80"] <= gates[0]["p90"]
    again = run("simulate", str(sd_plan), "--iterations", "2000", "--seed", "5", "--format", "json")
    assert again.stdout == res.stdout


def test_simulate_table_and_csv(sd_plan):
    """Tests the readable table (aligned percentile lines, the reference-class check from the
    template's risk settings) and the CSV (one row per task, read back by the csv module)."""
    res = run("simulate", str(sd_plan), "--iterations", "1000", "--distribution", "triangular")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    figures = [line for line in lines if "working days)" in line]
    assert [line.split()[0] for line in figures] == ["deterministic", "P10", "P50", "P80", "P90", "reference"]
    assert len({line.index("(") for line in figures}) == 1  # the dates line up
    assert "  most often critical:" in lines
    assert lines[lines.index("  most often critical:") - 1].split()[0] == "SD41"  # the last milestone
    assert max(len(line) for line in lines) <= 100
    table = list(
        csv.DictReader(io.StringIO(run("simulate", str(sd_plan), "--iterations", "500", "--format", "csv").stdout))
    )
    assert list(table[0]) == ["id", "criticality", "finish_p80"] and len(table) == 52


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--distribution", "normal"], 2, "distribution"),
        (["--iterations", "0"], 1, "iterations"),
        (["--iterations", "many"], 2, "iterations"),
    ],
)
def test_simulate_bad_arguments_exit_cleanly(sd_plan, args, code, message):
    """Tests that bad simulate arguments exit 1 or 2 with the argument named and no traceback."""
    res = run("simulate", str(sd_plan), *args)
    assert res.returncode == code
    assert message in res.stderr and "Traceback" not in res.stderr


HEAVY = ("pandas", "altair", "sqlalchemy")
_LOADED = (
    "import json, sys; from planner.cli.main import main; main({argv!r}); "
    "print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"
)


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["templates"], ()),
        (["validate", "PLAN"], ()),
        # a template levels, and the exact levelling (OR-Tools' CP-SAT) imports pandas with it
        (["new", "--template", "contact-centre", "--waves", "3", "-o", "NEW"], ("pandas",)),
        (["store", "list", "--db", "DB"], ("sqlalchemy",)),
    ],
)
def test_quick_commands_load_no_table_or_chart_library(tmp_path, argv, allowed):
    """Tests that commands needing no table start fast: they never import pandas, Altair or
    SQLAlchemy (the store commands need SQLAlchemy alone; levelling needs OR-Tools, which brings
    pandas, so the plan validated here does not level)."""
    plan = tmp_path / "plan.yaml"
    assert run("new", "--template", "service-desk", "--holidays", "GB", "-o", str(plan)).returncode == 0
    plan.write_text(plan.read_text(encoding="utf-8").replace("level: true\n", ""), encoding="utf-8")
    names = {"PLAN": str(plan), "NEW": str(tmp_path / "new.yaml"), "DB": f"sqlite:///{tmp_path / 'p.db'}"}
    argv = [names.get(a, a) for a in argv]
    code = _LOADED.format(argv=argv, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == sorted(allowed), done.stdout


@pytest.mark.subprocess
def test_templates_lists_without_loading_the_plan_model():
    """Tests that `templates`, which only reads the catalogue, starts without pydantic or numpy
    (the plan model and its calendar): a fraction of `validate`'s start."""
    code = _LOADED.format(argv=["templates"], heavy=("pydantic", "numpy", *HEAVY))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [], done.stdout
    assert "service-desk" in done.stdout


def test_simulate_names_the_risks_that_move_p80(tmp_path):
    """Tests `simulate`: a plan whose RAID risk carries a schedule impact lists how far it moves P80,
    in the table and in the JSON."""
    doc = {
        "name": "Risky",
        "start": "2027-01-04",
        "tasks": [
            {"id": "A", "name": "Build", "duration": 5},
            {"id": "B", "name": "Cutover", "duration": 2, "depends_on": ["A"]},
        ],
        "raid": [
            {
                "id": "R1",
                "kind": "risk",
                "title": "Key SMEs leave during KT",
                "tasks": ["A"],
                "schedule_impact": {"probability": 1, "delay": [4, 4, 4]},
            }
        ],
    }
    path = tmp_path / "risky.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    table = run("simulate", str(path), "--iterations", "200")
    assert table.returncode == 0
    assert "risk R1 (100%) moves P80 by +4 working days: Key SMEs leave during KT" in table.stdout
    data = json.loads(run("simulate", str(path), "--iterations", "200", "--format", "json").stdout)
    assert data["risk_drivers"] == [
        {"id": "R1", "title": "Key SMEs leave during KT", "probability": 1.0, "p80_shift_days": 4}
    ]
    assert data["finish"]["p80"]["days"] == 11


def test_new_sizes_the_plan_and_warns(tmp_path):
    """Tests `new` with wave shares, size, deadline and contract end: the record in the file, the
    handover deadline, and warnings on stderr for a contract end the handover misses."""
    out = tmp_path / "p.yaml"
    args = ["new", "--template", "service-desk", "--pilot-share", "10", "--wave-shares", "30,60", "--size", "large"]
    res = run(*args, "--start", "2027-01-04", "--contract-end", "2027-03-01", "-o", str(out))
    assert res.returncode == 0, res.stderr
    data = yaml.safe_load(out.read_text())
    assert data["generated"] == {
        "template": "service-desk",
        "waves": 2,
        "pilot_share": 10,
        "wave_shares": [30, 60],
        "size": "large",
        "handover": "W2-CUTOVER",
        "termination_assistance": None,  # an exit's alone
    }
    handover = next(t for t in data["tasks"] if t["id"] == "W2-CUTOVER")
    assert str(handover["deadline"]) == "2027-03-01" and "cumulative 100%" in handover["name"]
    assert "warning: W2-CUTOVER finishes" in res.stderr and "after the contract end 2027-03-01" in res.stderr
    bad = run("new", "--template", "ams", "--pilot-share", "10", "--wave-shares", "50,50", "-o", str(out))
    assert bad.returncode == 1 and "must add up to 100 - pilot share = 90 (they add up to 100)" in bad.stderr
    assert run("new", "--template", "ams", "--wave-shares", "a,b", "-o", str(out)).returncode == 2


def test_compare_template_options(tmp_path):
    """Tests `compare --template`: one row per option in table, CSV and JSON, the same numbers as
    the library, and the contract end both ways (verdict with its chance, what to ask for, the
    latest start)."""
    import datetime as dt

    from planner.generate.options import option
    from tests.conftest import MONDAY

    args = ["compare", "--template", "ams", "--waves", "0,2", "--pilot-share", "5,20", "--start", "2027-01-04"]
    args += ["--contract-end", "2027-09-01"]
    table = run(*args)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    head = [
        "waves",
        "pilot",
        "%",
        "finish",
        "handover",
        "P50",
        "P80",
        "contract",
        "end",
        "ask",
        "for",
        "latest",
        "start",
        *("cost", "P50", "(GBP", "k)", "cost", "P80"),
    ]
    assert lines[0].split() == head
    expected = option("ams", 2, 20, start=MONDAY, contract_end=dt.date(2027, 9, 1))
    c = expected.contract
    assert f"  {c.verdict} {c.chance:.0%}  " in lines[4] and f"  {c.latest_start.isoformat()}  " in lines[4]
    assert lines[4].split()[-1] == f"{expected.cost_risk.percentiles[80] / 1000:,.0f}"
    assert (f"extend {c.extension_weeks} wk" if c.extension_weeks else f"overlap {c.double_running_weeks} wk") in lines[
        4
    ]
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    assert [(r["waves"], r["pilot_share"]) for r in rows] == [("0", "5"), ("0", "20"), ("2", "5"), ("2", "20")]
    assert rows[3]["p80"] == expected.p80.isoformat() and rows[3]["handover"] == expected.handover.isoformat()
    assert float(rows[3]["contract_end_chance"]) == round(c.chance, 4)
    assert (rows[3]["contract_verdict"], rows[3]["extension_weeks"]) == (c.verdict, str(c.extension_weeks))
    assert rows[3]["latest_start"] == c.latest_start.isoformat()
    doc = json.loads(run(*args, "--format", "json").stdout)
    assert doc["options"][3]["contract_end"] == c.to_json()
    assert run("compare").returncode == 1


def test_compare_plans_side_by_side(tmp_path):
    """Tests `compare A.yaml B.yaml`: finish, P80 and each milestone, with the change in days."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert run("new", "--template", "service-desk", "--start", "2027-01-04", "-o", str(a)).returncode == 0
    data = yaml.safe_load(a.read_text())
    for t in data["tasks"]:
        if t["id"] == "SD15":
            t["duration"] += 10  # the pilot runs two weeks longer
    b.write_text(yaml.safe_dump(data))
    res = run("compare", str(a), str(b), "--format", "csv")
    assert res.returncode == 0, res.stderr
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(res.stdout))}
    assert rows["finish"][str(a)] == _finish(a) and rows["finish"][str(b)] == _finish(b) > _finish(a)
    assert rows["SD16"]["change_days"] == "14" and rows["SD14"]["change_days"] == "0"
    table = run("compare", str(a), str(b)).stdout.splitlines()
    assert next(line for line in table if line.startswith("SD16")).endswith("+14 d")
    both = run("compare", str(a), "--template", "ams")
    assert both.returncode == 1 and "either --template or plan files" in both.stderr


def test_export_html_as_a_party_sees_it(tmp_path):
    """Tests `export --to html --view PARTY`: the report holds the party's own, joint and key-date
    tasks and its own and joint RAID items, nothing of the other side's work; a view on another
    format, or a view the plan does not have, is a named error."""
    plan = party_plan()
    path = tmp_path / "p.yaml"
    path.write_text(dump_yaml(plan))
    res = run("export", str(path), "--to", "html", "--view", "client", "-o", str(tmp_path / "client.html"))
    assert res.returncode == 0, res.stderr
    html = (tmp_path / "client.html").read_text()
    assert "Client-only prep" in html and "Joint rehearsal" in html and "Go-live gate" in html
    assert "Vendor-only build" not in html and "Client data late" in html and "Vendor staffing gap" not in html
    full = run("export", str(path), "--to", "html")
    assert "Vendor-only build" in full.stdout and "Vendor staffing gap" in full.stdout
    res = run("export", str(path), "--to", "milestones-csv", "--view", "client")
    assert (
        res.returncode == 1 and "export: --view: a view is made for these formats only: html, pptx, pdf" in res.stderr
    )
    res = run("export", str(path), "--to", "html", "--view", "incumbent")
    assert (
        res.returncode == 1
        and "unknown view 'incumbent'; use one of executive, full, client, vendor, joint" in res.stderr
    )


def test_ms_project_export_says_what_it_cannot_carry(tmp_path):
    """Tests issue 30 item 5 on the command line: exporting a generated plan to MS Project XML
    warns that its RAID log, steering cadence and generation do not travel, and still writes it."""
    plan = tmp_path / "sd.yaml"
    assert run("new", "--template", "service-desk", "--start", "2027-01-04", "-o", str(plan)).returncode == 0
    res = run("export", str(plan), "--to", "mspdi", "-o", str(tmp_path / "p.xml"))
    assert res.returncode == 0 and (tmp_path / "p.xml").stat().st_size > 0
    assert "warning: MS Project XML does not carry the RAID log (" in res.stderr
    assert "keep the plan YAML for it" in res.stderr
