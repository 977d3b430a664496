"""Hostile and broken input (issue 11): every path bounded, every message named, nothing accepted silently."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import sqlite3
import threading

import pytest

from planner.cli.main import main
from planner.core.model import PlanError
from planner.core.validate import parse_plan
from planner.files import MAX_PLAN_BYTES
from planner.formats.csvfile import write_rows
from planner.formats.planfile import read_yaml
from planner.limits import MAX_QUOTE, MAX_SPAN
from planner.risk.montecarlo import simulate
from planner.scheduling import schedule
from planner.ui.keys import HISTORY, POSITION
from tests.conftest import plan_data, task

HEAD = "name: P\nstart: 2027-01-04\n"
ONE = "tasks:\n  - {id: A, name: A, duration: 3}\n"

CASES = {
    "duration 10,000,000": (HEAD + "tasks:\n  - {id: A, name: A, duration: 10000000}\n", "task A: duration:"),
    "duration 10**9": (HEAD + "tasks:\n  - {id: A, name: A, duration: 1000000000}\n", "task A: duration:"),
    "duration 2**63": (HEAD + "tasks:\n  - {id: A, name: A, duration: 9223372036854775808}\n", "task A: duration:"),
    "lag 2**63": (
        HEAD + "tasks:\n  - {id: A, name: A, duration: 1}\n  - {id: B, name: B, duration: 1, "
        "depends_on: ['A:FS+9223372036854775808']}\n",
        "task B: depends_on[1].lag:",
    ),
    "wave 2**63": (HEAD + "tasks:\n  - {id: A, name: A, duration: 1, wave: 9223372036854775808}\n", "task A: wave:"),
    "start 9999": ("name: P\nstart: 9999-06-01\n" + ONE, "plan: start:"),
    "status date 9999-12-31": (HEAD + "status_date: 9999-12-31\n" + ONE, "plan: status_date:"),
    "deadline far away": (HEAD + "deadline: 2500-01-01\n" + ONE, "plan: deadline:"),
    "weekend: 5": (HEAD + "calendar: {weekend: 5}\n" + ONE, "plan: calendar: weekend"),
    "weekend: [{a: 1}]": (HEAD + "calendar: {weekend: [{a: 1}]}\n" + ONE, "plan: calendar: weekend"),
    "parties: 5": (HEAD + "parties: 5\n" + ONE, "plan: parties:"),
    "parties: [1, 2]": (HEAD + "parties: [1, 2]\n" + ONE, "plan: parties[1]:"),
    "duration: true": (HEAD + "tasks:\n  - {id: A, name: A, duration: true}\n", "task A: duration: must be a number"),
    "NUL in a name": (HEAD + 'tasks:\n  - {id: A, name: "A\\0B", duration: 1}\n', "task A: name: must not contain"),
    "ESC in a note": (HEAD + 'tasks:\n  - {id: A, name: A, notes: "x\\e[31m", duration: 1}\n', "task A: notes:"),
    "estimate 1e9": (HEAD + "tasks:\n  - {id: A, name: A, duration: 2, estimate: [1, 2, 1000000000]}\n", "estimate"),
    "schedule past the span": (
        HEAD
        + "tasks:\n"
        + "".join(f"  - {{id: T{i}, name: T, duration: 5000, depends_on: [T{i - 1}]}}\n" for i in range(1, 7))
        + "  - {id: T0, name: T, duration: 5000}\n",
        "finish: the schedule runs",
    ),
    "duplicate YAML keys": (HEAD + "tasks:\n  - {id: A, name: A, duration: 1, duration: 5}\n", "duplicate"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_plan_gets_a_named_message_and_exit_1(name, tmp_path, capsys):
    """Tests each hostile plan file: exit 1, a message naming where and which field, never 'unexpected'."""
    text, needle = CASES[name]
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert needle in err and "unexpected" not in err, err
    assert all(len(line) < 600 for line in err.splitlines())


@pytest.mark.parametrize(
    ("content", "suffix", "needle"),
    [
        (
            '{"name": "P", "start": "2027-01-04", "tasks": [{"id": "A", "name": "A", "duration": 1, "duration": 5}]}',
            ".json",
            "appears twice",
        ),
        ("[" * 100_000 + "]" * 100_000, ".json", "nested too deeply"),
        ("id,name,duration,duration\nA,A,1,5\n", ".csv", "CSV header: duration: column appears more than once"),
        ("id,name,duration\nA," + "x" * 200_000 + ",1\n", ".csv", "row 2: not a readable CSV row"),
    ],
    ids=["duplicate JSON keys", "100k-deep JSON", "duplicate CSV columns", "CSV field over 128 KiB"],
)
def test_other_files_get_named_messages(content, suffix, needle, tmp_path, capsys):
    """Tests JSON and CSV edge cases: refused with a named message, exit 1."""
    path = tmp_path / f"plan{suffix}"
    path.write_text(content)
    assert main(["validate", str(path), "--start", "2027-01-04"]) == 1
    err = capsys.readouterr().err
    assert needle in err and "unexpected" not in err, err


def test_a_symlink_to_dev_zero_hits_the_size_cap(tmp_path, capsys):
    """Tests a .yaml that is a link to /dev/zero: refused at the size cap, without reading it all."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert main(["validate", str(link)]) == 1
    assert f"larger than the limit of {MAX_PLAN_BYTES >> 20} MB" in capsys.readouterr().err


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)


@pytest.mark.parametrize("where", ["main thread", "app thread"])
def test_yaml_reader_is_the_same_on_every_thread(where):
    """Tests the two YAML readers agree: a billion laughs and a duplicate key are refused, 010 is ten."""
    out: dict[str, object] = {}

    def read() -> None:
        for name, text in {"laughs": LAUGHS, "dup": "a: 1\na: 2\n", "ok": "a: 010\nb: yes\n"}.items():
            try:
                out[name] = read_yaml(text, name)
            except PlanError as exc:
                out[name] = str(exc)

    if where == "main thread":
        read()
    else:
        worker = threading.Thread(target=read)
        worker.start()
        worker.join()
    assert "not valid YAML" in out["laughs"] and len(out["laughs"]) < MAX_QUOTE * 2
    assert "duplicate mapping key" in out["dup"]
    assert out["ok"] == {"a": 10, "b": "yes"}


def test_csv_lone_carriage_return_cannot_start_a_formula_row():
    """Tests a name with a lone CR before a formula: one row, one quoted cell, the formula prefixed."""
    text = write_rows(["id", "name"], [["A", "x\r=cmd|' /C calc'!A0"], ["B", "plain"]])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["id", "name"], ["A", "x\r'=cmd|' /C calc'!A0"], ["B", "plain"]]
    assert all(not line.startswith(("=", "+", "-", "@")) for line in text.replace("\r", "\n").split("\n"))


def test_monte_carlo_result_is_right_or_an_error():
    """Tests estimates at the limit: positive, ordered percentiles on a short chain; a long chain of
    huge pessimistic estimates is refused, not wrapped around into negative days."""
    short = parse_plan(
        plan_data(*[task(f"T{i}", 2, *([f"T{i - 1}"] if i else []), estimate=[1, 2, 5000]) for i in range(3)])
    )
    result = simulate(short, iterations=2000)
    days = [result.finish_days[q] for q in (10, 50, 80, 90)]
    assert days == sorted(days) and days[0] > 0
    json.dumps(result.to_json())
    long = parse_plan(
        plan_data(*[task(f"T{i}", 2, *([f"T{i - 1}"] if i else []), estimate=[1, 2, 5000]) for i in range(40)])
    )
    with pytest.raises(PlanError, match=f"past the limit of {MAX_SPAN:,}"):
        simulate(long, iterations=2000)


def test_schedule_span_is_checked_before_any_date():
    """Tests the span limit through the library: a named problem on the last task."""
    plan = parse_plan(plan_data(*[task(f"T{i}", 5000, *([f"T{i - 1}"] if i else [])) for i in range(6)]))
    with pytest.raises(PlanError, match="task T5: finish: the schedule runs 30,000 working days"):
        schedule(plan)


def test_foreign_sqlite_file_with_a_planner_table_is_refused_unchanged(tmp_path):
    """Tests a SQLite file that has a planner_plans table but is not a planner database: refused,
    and not a byte of it changed (no WAL switch, no tables added)."""
    from planner.store.database import Store, StoreError

    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table planner_plans (id text)")
    conn.execute("create table invoices (id integer)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="nothing was changed"):
        Store(f"sqlite:///{path}")
    assert path.read_bytes() == before
    assert not (tmp_path / "other.db-wal").exists()


def test_a_deep_chain_builds_only_what_its_kernel_uses():
    """Tests a 20,000-task chain (a generation per task): the task-by-task kernel is chosen and the
    per-generation groups are not built, yet the Monte Carlo passes (numpy only) still get them."""
    from planner.core.network import prepare, sweep_groups

    n = 20_000
    plan = parse_plan(plan_data(*[task(f"T{i}", i % 2, *([f"T{i - 1}"] if i else [])) for i in range(n)]))
    net = prepare(plan)
    assert not net.use_numpy and net.forward.groups == [] and net.backward.groups == []
    assert schedule(plan).finish_offset == n // 2
    assert len(sweep_groups(net.forward)) == n - 1


def peak_memory(run) -> int:
    """Bytes of Python memory at the peak of `run()` (tracemalloc), for the bounded-memory checks."""
    import tracemalloc

    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _rezip(raw: bytes, change) -> bytes:
    """The workbook `raw` with each member passed through `change(name, data)`."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as a, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as b:
        for m in a.infolist():
            b.writestr(m.filename, change(m.filename, a.read(m.filename)))
    return out.getvalue()


def many_sheets(raw: bytes, count: int = 4_000) -> bytes:
    """A workbook whose workbook.xml names `count` more sheets (tens of kilobytes zipped)."""
    extra = b"".join(b'<sheet name="S%d" sheetId="%d" r:id="rId1"/>' % (k, k + 100) for k in range(count))
    return _rezip(raw, lambda n, d: d.replace(b"</sheets>", extra + b"</sheets>") if n == "xl/workbook.xml" else d)


def many_styles(raw: bytes, count: int = 500_000) -> bytes:
    extra = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * count
    return _rezip(raw, lambda n, d: d.replace(b"</cellXfs>", extra + b"</cellXfs>") if n == "xl/styles.xml" else d)


def wide_sheet(columns: int = 5_000, rows: int = 100) -> bytes:
    """A task sheet of 500,000 cells (each row 5,000 cells wide) in a workbook of about 1 MB."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Tasks"
    book.active.append(["id", "name", "duration"])
    out = io.BytesIO()
    book.save(out)
    cells = "".join('<c t="inlineStr"><is><t>y</t></is></c>' for _ in range(columns))
    body = "".join(f'<row r="{k + 2}"><c t="inlineStr"><is><t>T{k}</t></is></c>{cells}</row>' for k in range(rows))
    return _rezip(
        out.getvalue(),
        lambda n, d: (
            d.replace(b"</sheetData>", body.encode() + b"</sheetData>") if n.startswith("xl/worksheets/") else d
        ),
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (many_sheets, "workbook: names 4,0"),
        (many_styles, "workbook: its styles take"),
    ],
)
def test_workbooks_are_bounded_by_what_they_cost_to_read(make, message):
    """Tests issue 31 item 1: a workbook naming 4,000 sheets (once 2 GB) or holding 500,000 styles
    (once 9 s) is refused from its zip's directory and XML counts, using little memory (measured)."""
    from planner.formats.xlsx import read_xlsx, to_xlsx
    from planner.ui import state

    raw = make(to_xlsx(schedule(state.example_plan())))
    assert len(raw) < 200_000

    def refused() -> None:
        with pytest.raises(PlanError, match=message):
            read_xlsx(raw)

    peak = peak_memory(refused)
    assert peak < 40 * 2**20, f"{peak / 2**20:.0f} MB"


def test_a_sheet_with_too_many_cells_is_refused_before_it_is_read():
    """Tests the cell bound: a 1 MB workbook whose task sheet holds 500,000 cells (openpyxl took
    10 s to read it) is refused from a streamed count of its cells, using little memory."""
    from planner.formats.xlsx import MAX_CELLS, read_xlsx

    raw = wide_sheet()

    def refused() -> None:
        with pytest.raises(PlanError, match=f"workbook: has 500,1.. cells; the limit is {MAX_CELLS:,}"):
            read_xlsx(raw, start=dt.date(2027, 1, 4))

    peak = peak_memory(refused)
    assert peak < 40 * 2**20, f"{peak / 2**20:.0f} MB"


def _long_levelled_plan(resources: int = 100) -> dict:
    """1,000 tasks of 5,000 days, each on three of `resources` people with a capacity of 4: the
    levelled schedule cannot fit in MAX_SPAN (this once ran 282 s of CPU before it said so)."""
    rng = random.Random(1)
    tasks = [task(f"T{k}", 5_000, uses={f"R{r}": 1 for r in rng.sample(range(resources), 3)}) for k in range(1_000)]
    return plan_data(*tasks, level=True, resources=[{"id": f"R{r}", "capacity": 4} for r in range(resources)])


def test_levelling_past_the_span_limit_stops_early_with_a_named_error():
    """Tests issue 31 item 2: levelling stops at the first placement past MAX_SPAN and names the
    task and its resources; CPU time and memory are measured (generous bounds: 0.1-2 s and about
    100 MB here)."""
    import resource
    import time

    plan = parse_plan(_long_levelled_plan())
    used = time.process_time()
    with pytest.raises(PlanError, match=r"task T\d+: uses: levelled, the plan runs past 25,000 working days"):
        schedule(plan)
    assert time.process_time() - used < 30
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 2 * 2**20  # KB: under 2 GB for the process


def test_an_unschedulable_plan_shows_its_problem_and_a_way_out(app):
    """Tests the plan page on a plan that validates but cannot be levelled within the limit: the
    problem by task and field and a button that schedules it without levelling; no error page."""
    from planner.ui import state

    plan = parse_plan(_long_levelled_plan(resources=20))
    app.session_state[state.PLAN] = plan
    app.session_state[HISTORY], app.session_state[POSITION] = [plan], 0
    app.run()
    assert not app.exception
    said = " ".join(e.value for e in app.error)
    assert "This plan cannot be scheduled" in said and "levelled, the plan runs past 25,000 working days" in said
    app.button(key="unlevel").click().run()
    assert not app.exception and not app.session_state[state.PLAN].level
    assert not app.error


def test_a_csv_of_100000_bad_rows_lists_the_first_problems_and_a_count():
    """Tests issue 31 item 5: a task CSV whose 100,000 rows all have a bad duration is refused with
    the first MAX_PROBLEMS problems, each naming its row, and the count of the rest (listing them
    all froze the page); the command line prints as many lines."""
    from planner.formats.csvfile import read_tasks_csv
    from planner.problems import MAX_PROBLEMS

    text = "id,name,duration\n" + "".join(f"T{k},task {k},soon\n" for k in range(100_000))
    with pytest.raises(PlanError) as caught:
        read_tasks_csv(text, start=dt.date(2027, 1, 4))
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1 and caught.value.count == 100_000
    assert str(problems[0]) == "row 2 (T0): duration: must be a whole number (got 'soon')"
    assert str(problems[-1]) == "plan: and 99,950 more problems, not listed: correct the ones above first"


def test_a_csv_over_the_task_limit_is_refused_while_it_is_read():
    """Tests the task limit applied while reading: 100,001 task rows are refused at the row past the
    limit, within bounded memory (measured; a 19 MB file once took 817 MB before its refusal)."""
    from planner.formats.csvfile import read_tasks_csv
    from planner.limits import MAX_TASKS

    text = "id,name,duration\n" + "".join(f"T{k},task {k},1\n" for k in range(MAX_TASKS + 1))

    def refused() -> None:
        with pytest.raises(PlanError, match=f"row {MAX_TASKS + 2}: more than 100,000 task rows"):
            read_tasks_csv(text, start=dt.date(2027, 1, 4))

    peak = peak_memory(refused)
    assert peak < 300 * 2**20, f"{peak / 2**20:.0f} MB"
