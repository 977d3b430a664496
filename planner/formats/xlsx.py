"""Excel workbook: Plan, Schedule, Milestones, RAID, Tasks, Resources and (with a cost model)
Costs sheets, and import.

Cells are typed: dates are Excel dates, numbers are numbers, flags are TRUE/FALSE. Every text cell
is stored as text with Excel's quote prefix, so a name such as `=HYPERLINK(...)` shows as written
and is never run. Header rows are frozen and filtered, columns fit their contents, and critical
tasks are shaded. The Tasks sheet has the task CSV's columns and the Plan and Resources sheets
the plan's start, calendar, deadline, parties and capacities, so a workbook the planner wrote
imports back to the same tasks on the same calendar without asking for a start again.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.core.model import Plan, PlanError, Problem
from planner.core.schedule import Schedule
from planner.editing import freezes_from_text, freezes_text, steering_from_text, steering_text
from planner.formats.csvfile import RAID_COLUMNS, TASK_COLUMNS, milestone_rows, raid_row, read_task_rows, task_row
from planner.limits import MAX_COLUMNS, MAX_TASKS

CRITICAL_FILL = PatternFill("solid", start_color="FDE2E1", end_color="FDE2E1")
HEADER_FONT = Font(bold=True)
DATE_FORMAT = "yyyy-mm-dd"
WIDEST = 60  # characters: longer text wraps in the cell rather than widening the column
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters a workbook cannot hold
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
TASK_SHEETS = ("Tasks", "Schedule")  # read in this order; else the first sheet


PLAN_FIELDS = ("name", "description", "start", "deadline", "status_date")  # as they are in the plan file
RESOURCE_COLUMNS = ("id", "name", "party", "capacity")


def _settings_rows(plan: Plan) -> list[tuple[str, Any]]:
    cal = plan.calendar
    values: dict[str, Any] = {
        "name": plan.name,
        "description": plan.description,
        "start": plan.start,
        "deadline": plan.deadline,
        "status_date": plan.status_date,
        "weekend": ", ".join(cal.weekend_names),
        "holidays": cal.region,
        "closures": ", ".join(d.isoformat() for d in cal.closures) or None,
        "parties": ", ".join(plan.parties),
        "level": plan.level,
        "steering": steering_text(plan.steering),
        "freezes": freezes_text(plan.freezes) or None,
    }
    return list(values.items())


def to_xlsx(sched: Schedule) -> bytes:
    """The workbook as bytes."""
    book = Workbook()
    table = sched.table
    date_columns = {"start", "finish", "baseline_start", "baseline_finish"}
    critical = [bool(c) for c in table["critical"]]
    _sheet(
        book.active, "Schedule", list(table.columns), table.itertuples(index=False, name=None), date_columns, critical
    )
    rows = milestone_rows(sched)
    marks = [bool(c) for c in rows["critical"]]
    milestones = book.create_sheet()
    _sheet(milestones, "Milestones", list(rows.columns), rows.itertuples(index=False, name=None), {"date"}, marks)
    _sheet(book.create_sheet(), "RAID", RAID_COLUMNS, (raid_row(r) for r in sched.plan.raid), {"due"})
    tasks = (task_row(t) for t in sched.plan.tasks)
    _sheet(book.create_sheet(), "Tasks", TASK_COLUMNS, tasks, {"not_before", "deadline"})
    plan = sched.plan
    if plan.resources:
        resources = ((r.id, r.name, r.party, r.capacity) for r in plan.resources)
        _sheet(book.create_sheet(), "Resources", RESOURCE_COLUMNS, resources, set())
    from planner.costs import monthly_costs, plan_cost

    cost = plan_cost(sched)
    if cost is not None:  # amounts as numbers, to the cent; the currency in the header
        amount = f"amount_{cost.currency.lower()}"
        lines = [(x.category, x.label, float(x.amount)) for x in cost.lines]
        _sheet(
            book.create_sheet(),
            "Costs",
            ("category", "item", amount),
            [*lines, ("total", "", float(cost.total))],
            set(),
        )
        cells = ((m, c, float(a)) for m, c, a in monthly_costs(sched))
        _sheet(book.create_sheet(), "Costs by month", ("month", "category", amount), cells, {"month"})
    settings = book.create_sheet(index=0)
    _sheet(settings, "Plan", ("setting", "value"), _settings_rows(plan), set())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(
    ws: Worksheet,
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    dates: set[str],
    shaded: Sequence[bool] = (),
) -> None:
    ws.title = title
    widths = [len(c) for c in columns]
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = HEADER_FONT
    is_date = [c in dates for c in columns]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            typed = _typed(value, is_date[c - 1])
            if isinstance(typed, str):
                cell.value = typed
                cell.data_type = "s"  # text, even when it starts with "="
                cell.quotePrefix = True
            else:
                cell.value = typed
                if isinstance(typed, dt.date):
                    cell.number_format = DATE_FORMAT
            widths[c - 1] = max(widths[c - 1], min(WIDEST, len(str(typed)) if typed is not None else 0))
            if r - 2 < len(shaded) and shaded[r - 2]:
                cell.fill = CRITICAL_FILL
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width + 2


def _typed(value: Any, is_date: bool) -> Any:
    """A cell value Excel types correctly: dates, numbers and flags as such, the rest as text."""
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, bool | int | dt.date):
        return value
    if isinstance(value, float):
        return None if value != value else value  # NaN: an empty cell
    if not isinstance(value, str):  # pandas NA and the like
        return None
    text = _ILLEGAL.sub("", str(value))
    if is_date and _ISO.fullmatch(text):
        return dt.date.fromisoformat(text)
    return text


def read_xlsx(
    raw: bytes, name: str = "Imported plan", start: dt.date | None = None, default_start: dt.date | None = None
) -> Plan:
    """A plan from a workbook's task sheet (Tasks, else Schedule, else the first sheet), which has
    the task CSV's columns; problems name the sheet, row and column."""
    _check_workbook(raw)
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise PlanError([Problem("workbook", "", f"not a readable .xlsx workbook ({type(exc).__name__})")]) from None
    try:
        sheet = next((book[t] for t in TASK_SHEETS if t in book.sheetnames), None)
        if sheet is None:
            sheet = next(s for s in book.worksheets if s.title not in ("Plan", "Resources"))
        rows = _rows(sheet, MAX_TASKS)
        title = sheet.title
        settings = _settings(_rows(book["Plan"], 100)) if "Plan" in book.sheetnames else {}
        if "Resources" in book.sheetnames:
            settings["resources"] = _resources(_rows(book["Resources"], MAX_TASKS))
    except StopIteration:
        raise PlanError([Problem("workbook", "", "has no task sheet (Tasks or Schedule)")]) from None
    finally:
        book.close()
    if start is None and "start" not in settings:
        start = default_start
    return read_task_rows(rows, name, start, where=f"sheet {title}", row=f"sheet {title} row", settings=settings)


def _rows(sheet: Any, limit: int) -> list[list[str]]:
    """A sheet's rows as text cells, trailing empty rows dropped; at most `limit` rows below the header."""
    rows = []
    cells = 0
    for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
        rows.append([_text(v) for v in row])
        cells += len(row)
        if len(rows) > limit + 1:
            raise PlanError([Problem(f"sheet {sheet.title}", "", f"has more than {limit:,} rows")])
        if cells > MAX_CELLS:
            raise PlanError([Problem(f"sheet {sheet.title}", "", f"has more than {MAX_CELLS:,} cells")])
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _settings(rows: list[list[str]]) -> dict[str, Any]:
    """Plan fields from the Plan sheet's (setting, value) rows; validation names what is wrong."""
    values = {r[0].strip().lower(): r[1] for r in rows[1:] if len(r) >= 2 and r[0].strip() and r[1] != ""}
    data: dict[str, Any] = {k: values[k] for k in PLAN_FIELDS if k in values}
    calendar: dict[str, Any] = {k: values[k] for k in ("weekend", "holidays") if k in values}
    if "closures" in values:
        calendar["closures"] = [c.strip() for c in values["closures"].split(",") if c.strip()]
    if calendar:
        data["calendar"] = calendar
    if "parties" in values:
        data["parties"] = [p.strip() for p in values["parties"].split(",") if p.strip()]
    if "level" in values:
        data["level"] = values["level"]
    if "steering" in values:
        data["steering"] = steering_from_text(str(values["steering"]))
    if "freezes" in values:
        data["freezes"] = freezes_from_text(str(values["freezes"]))
    return data


def _resources(rows: list[list[str]]) -> list[dict[str, Any]]:
    header = [h.strip().lower() for h in rows[0]] if rows else []
    return [
        {k: v for k, v in zip(header, row, strict=False) if k in RESOURCE_COLUMNS and v != ""}
        for row in rows[1:]
        if any(row)
    ]


MAX_UNPACKED = 256 * 1024 * 1024  # bytes a workbook may unpack to (a 20 MB upload cannot be a zip bomb)
MAX_MEMBERS = 500  # files inside the workbook's zip
MAX_SHEETS = 50  # sheet entries in its workbook.xml
MAX_STYLES_BYTES = 4 * 1024 * 1024  # its styles.xml, unpacked
MAX_STYLES = 20_000  # cell formats (xf entries) in it
MAX_CELLS = 300_000  # cells in all its sheets: about 10,000 tasks; openpyxl reads some 50,000 a second
CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")


def _check_workbook(raw: bytes) -> None:
    """What a workbook costs to read, checked on its zip before openpyxl opens it: openpyxl builds
    every sheet entry and every style up front, so a 47 KB file naming 4,000 sheets, or one with
    500,000 styles, costs gigabytes or seconds before a cell is read."""

    def refuse(message: str) -> PlanError:
        return PlanError([Problem("workbook", "", message)])

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise refuse(f"holds {len(members):,} files; a workbook of tasks holds a few (limit {MAX_MEMBERS})")
            unpacked = sum(member.file_size for member in members)
            if unpacked > MAX_UNPACKED:
                raise refuse(f"unpacks to {unpacked / 1e6:,.0f} MB; the limit is 256 MB")
            sizes = {m.filename: m.file_size for m in members}
            if sizes.get("xl/workbook.xml", 0) > 1024 * 1024:
                raise refuse("its workbook.xml is over 1 MB: far more sheets than a plan has")
            book = archive.read("xl/workbook.xml") if "xl/workbook.xml" in sizes else b""
            sheets = len(re.findall(rb"<(?:\w+:)?sheet\b", book))
            if sheets > MAX_SHEETS:
                raise refuse(f"names {sheets:,} sheets; the limit is {MAX_SHEETS}")
            if sizes.get("xl/styles.xml", 0) > MAX_STYLES_BYTES:
                raise refuse(f"its styles take {sizes['xl/styles.xml'] / 1e6:,.0f} MB; the limit is 4 MB")
            styles = archive.read("xl/styles.xml") if "xl/styles.xml" in sizes else b""
            formats = len(re.findall(rb"<(?:\w+:)?xf\b", styles))
            if formats > MAX_STYLES:
                raise refuse(f"has {formats:,} cell styles; the limit is {MAX_STYLES:,}")
            cells = sum(_cells(archive, m) for m in members if m.filename.startswith("xl/worksheets/"))
            if cells > MAX_CELLS:
                raise refuse(
                    f"has {cells:,} cells; the limit is {MAX_CELLS:,} (about 10,000 tasks): save a bigger plan as a "
                    "task CSV"
                )
    except (zipfile.BadZipFile, OSError, KeyError):
        raise refuse("not a readable .xlsx workbook (not a zip archive)") from None


def _cells(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """Cells in a sheet's XML, counted while it is unpacked in 1 MB pieces (never held whole); a
    cell tag cut by a piece's end is counted with the next piece."""
    keep = 16
    count, tail = 0, b""
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            edge = len(data) - keep
            count += sum(1 for m in CELL.finditer(data) if m.start() < edge)
            tail = data[edge:] if edge > 0 else data
    return count + len(CELL.findall(tail))


def _text(value: Any) -> str:
    """A cell as the task CSV would have it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
