"""CSV: the task CSV (import and export), the schedule CSV and the milestone CSV.

Exports are data, not code: a text cell that a spreadsheet would run as a formula (it begins
with =, +, -, @, tab or carriage return) is prefixed with `'`; numbers stay numbers. The reader
undoes that prefix, so an exported task CSV imports back to the same plan. Excel writes UTF-8
with a byte-order mark, `;` as the delimiter in many locales and CRLF line ends; all are read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from planner.core.gates import criterion_text, gate_status
from planner.core.links import split_cell
from planner.core.model import Plan, PlanError, Problem
from planner.core.validate import parse_plan
from planner.limits import MAX_COLUMNS, MAX_TASKS, shorten

TASK_COLUMNS = [
    *("id", "name", "duration", "depends_on", "phase", "wave", "owner", "milestone"),
    *("optimistic", "likely", "pessimistic", "not_before", "deadline", "percent_complete", "uses"),
]
REQUIRED = ("id", "name", "duration")
MILESTONE_COLUMNS = ["id", "name", "phase", "owner", "date", "total_float", "critical", "criteria"]
_SCHEDULE_ONLY = {"es", "ef", "ls", "lf", "start", "finish", "total_float", "free_float", "critical"}
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_AFTER_BREAK = re.compile(r"([\r\n])([=+\-@\t])")
_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0", ""}


def safe_text(value: str) -> str:
    """A text cell a spreadsheet will show, never evaluate. A cell with a line break is quoted
    (see `write_rows`), and a line inside it that would start a formula is prefixed too."""
    out = "'" + value if value.startswith(_DANGEROUS) else value
    if "\r" in out or "\n" in out:
        out = _AFTER_BREAK.sub(r"\1'\2", out)
    return out


def _unsafe_text(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_DANGEROUS) else value


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return safe_text(value)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    return value


def write_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with a header; every cell made formula-safe."""
    buf = io.StringIO()
    # CRLF as RFC 4180 has it; it also makes the writer quote a cell holding a lone CR, which
    # spreadsheets would otherwise read as the start of a new row.
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


def schedule_csv(table: pd.DataFrame) -> str:
    """The schedule table (DESIGN.md columns, then the baseline columns when the plan has a
    baseline) as CSV with `true`/`false` booleans: the file people open in Excel."""
    return write_rows(list(table.columns), table.itertuples(index=False, name=None))


def milestone_rows(sched: Any) -> pd.DataFrame:
    """Milestones and gates in date order (plan order on the same date)."""
    t = sched.table
    plan = sched.plan
    mask = [task.is_key_date for task in plan.tasks]
    rows = t.loc[mask, ["id", "name", "phase", "owner", "finish", "total_float", "critical"]].rename(
        columns={"finish": "date"}
    )
    criteria = {task.id: "; ".join(criterion_text(c) for c in task.gate.criteria) for task in plan.tasks if task.gate}
    rows["criteria"] = [criteria.get(i, "") for i in rows["id"]]
    rows["_pos"] = range(len(rows))
    columns = list(MILESTONE_COLUMNS)
    if plan.baseline is not None:
        rows["baseline_date"] = t.loc[mask, "baseline_finish"].to_numpy()
        rows["variance"] = t.loc[mask, "finish_variance"].to_numpy()
        columns += ["baseline_date", "variance"]
    by_id = plan.tasks_by_id()
    rows["gate_status"] = [gate_status(by_id[i]) or "" for i in rows["id"]]
    columns.append("gate_status")
    return rows.sort_values(["date", "_pos"], kind="stable").drop(columns="_pos")[columns]


def milestones_csv(sched: Any) -> str:
    rows = milestone_rows(sched)
    return write_rows(list(rows.columns), rows.itertuples(index=False, name=None))


def task_row(t: Any) -> list[Any]:
    """One task in TASK_COLUMNS order, typed (dates stay dates): the task CSV's and workbook's row."""
    est = t.estimate
    return [
        t.id,
        t.name,
        t.duration,
        ";".join(str(link) for link in t.depends_on),
        t.phase,
        t.wave,
        t.owner or "",
        t.is_milestone if t.milestone is not None or t.duration == 0 else "",
        est.optimistic if est else None,
        est.likely if est else None,
        est.pessimistic if est else None,
        t.not_before or "",
        t.deadline or "",
        int(t.percent_complete) if float(t.percent_complete).is_integer() else t.percent_complete,
        ";".join(f"{rid}:{units:g}" for rid, units in t.uses),
    ]


def tasks_csv(plan: Plan) -> str:
    """The task CSV of DESIGN.md; imports back to the same plan (with a start date)."""
    return write_rows(TASK_COLUMNS, (task_row(t) for t in plan.tasks))


def _sniff_delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def _bool(value: str) -> bool | None:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False if v else None
    raise ValueError(f"must be true or false (got {value!r})")


def read_tasks_csv(text: str, name: str = "Imported plan", start: Any = None) -> Plan:
    """Reads a task CSV into a validated plan; every problem names its row and column."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    rows: list[list[str]] = []
    try:
        for cells in reader:  # the task limit applies while reading: 19 MB of rows once took 817 MB
            rows.append(cells[:MAX_COLUMNS])
            if len(rows) > MAX_TASKS + 1:
                raise PlanError([Problem(f"row {reader.line_num}", "", f"more than {MAX_TASKS:,} task rows")])
    except csv.Error as exc:
        raise PlanError(
            [Problem(f"row {reader.line_num}", "", f"not a readable CSV row: {shorten(str(exc))}")]
        ) from None
    return read_task_rows(rows, name, start)


def read_task_rows(
    rows: list[list[str]],
    name: str,
    start: Any,
    where: str = "CSV",
    row: str = "row",
    settings: Mapping[str, Any] | None = None,
) -> Plan:
    """A plan from rows of text cells, the first naming the columns (a task CSV or a workbook's task
    sheet); every problem names its row (`{row} N`) and column. `settings` are plan fields read
    beside the rows (a workbook's Plan sheet: name, start, calendar, resources...); `start`, when
    given, overrides theirs."""
    problems: list[Problem] = []
    if not rows or not any(c.strip() for c in rows[0]):
        raise PlanError([Problem(where, "", "the file is empty; the first row must name the columns")])
    header = [h.strip().lower() for h in rows[0]]
    for col in sorted({h for h in header if h and header.count(h) > 1}):
        problems.append(Problem(f"{where} header", col, "column appears more than once; keep one"))
    for col in REQUIRED:
        if col not in header:
            problems.append(Problem(f"{where} header", col, "required column is missing"))
    for col in header:
        if col and col not in TASK_COLUMNS and col not in _SCHEDULE_ONLY and col not in MILESTONE_COLUMNS:
            problems.append(Problem(f"{where} header", col, f"unknown column; known: {', '.join(TASK_COLUMNS)}"))
    if problems:
        raise PlanError(problems)
    tasks: list[dict[str, Any]] = []
    labels: list[str] = []
    for line_no, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        record = {header[i]: _unsafe_text(c.strip()) for i, c in enumerate(cells) if i < len(header) and header[i]}
        label = f"{row} {line_no}"
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            problems.append(Problem(label, "", f"has {len(cells)} cells but the header has {len(header)} columns"))
        task, row_problems = _task_from_record(record, label)
        problems += row_problems
        tasks.append(task)
        labels.append(label)
    if problems:
        raise PlanError(problems)
    data: dict[str, Any] = {"name": name, **(settings or {}), "tasks": tasks}
    stated = {r.get("id") for r in data.get("resources", [])}
    needs = [r for r in implied_resources(tasks) if r["id"] not in stated]
    if needs:
        data["resources"] = [*data.get("resources", []), *needs]
    if start is not None:
        data["start"] = start
    elif "start" not in data:
        kind = "task CSV" if where == "CSV" else "task sheet"
        problems.append(Problem("plan", "start", f"a {kind} has no plan start; give one (e.g. --start 2027-01-04)"))
    try:
        plan = parse_plan(data, labels=labels)
    except PlanError as exc:
        raise PlanError(problems + list(exc.every)) from None
    if problems:
        raise PlanError(problems)
    return plan


def implied_resources(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The resources a task table's `uses` names, each with the largest need as its capacity (a
    task table states no capacities; the importer says so and the user sets them)."""
    from planner.core.fields import uses_data

    most: dict[str, float] = {}
    for task in tasks:
        try:
            pairs = uses_data(task.get("uses"))
        except ValueError:
            continue  # the task's own validation names the problem
        for rid, units in pairs:
            most[rid] = max(most.get(rid, 0), units)
    return [{"id": rid, "capacity": units} for rid, units in most.items() if units > 0]


def _task_from_record(record: Mapping[str, str], label: str) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    task: dict[str, Any] = {}
    for key in ("id", "name", "duration", "phase", "owner", "not_before", "deadline", "wave", "percent_complete"):
        value = record.get(key, "")
        if value != "" or key in REQUIRED:
            task[key] = value
    if record.get("depends_on", ""):
        task["depends_on"] = split_cell(record["depends_on"])
    if record.get("uses", ""):
        task["uses"] = record["uses"]
    if "milestone" in record:
        try:
            flag = _bool(record["milestone"])
        except ValueError as exc:
            problems.append(Problem(f"{label} ({record.get('id', '')})", "milestone", str(exc)))
        else:
            implied = record.get("duration", "").strip() in ("0", "0.0")
            if flag is not None and flag != implied:
                task["milestone"] = flag
    points = {k: record.get(k, "") for k in ("optimistic", "likely", "pessimistic")}
    given = [k for k, v in points.items() if v != ""]
    if given and len(given) < 3:
        missing = ", ".join(k for k in points if k not in given)
        problems.append(
            Problem(f"{label} ({record.get('id', '')})", missing, "give optimistic, likely and pessimistic together")
        )
    elif given:
        task["estimate"] = points
    return task, problems


RAID_COLUMNS = [
    *("id", "kind", "title", "owner", "status", "tasks", "due", "probability", "impact", "score"),
    # a risk's schedule impact: the chance (0..1) and the delay in working days, three-point
    *("delay_chance", "delay_optimistic", "delay_likely", "delay_pessimistic", "mitigation"),
]


def raid_row(r: Any) -> list[Any]:
    """One RAID item in RAID_COLUMNS order, typed (the due date stays a date)."""
    return [
        r.id,
        r.kind,
        r.title,
        r.owner or "",
        r.status,
        ";".join(r.tasks),
        r.due or "",
        r.probability,
        r.impact,
        r.score,
        *_impact_cells(r.schedule_impact),
        r.mitigation,
    ]


def _impact_cells(impact: Any) -> list[Any]:
    if impact is None:
        return [None, None, None, None]
    e = impact.delay
    return [impact.probability, e.optimistic, e.likely, e.pessimistic]


def raid_csv(plan: Plan) -> str:
    """The RAID log as CSV (formula-safe like every export)."""
    return write_rows(RAID_COLUMNS, (raid_row(r) for r in plan.raid))
