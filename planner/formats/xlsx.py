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
from planner.limits import MAX_TASKS

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


def read_xlsx(raw: bytes, name: str = "Imported plan", start: dt.date | None = None) -> Plan:
    """A plan from a workbook's task sheet (Tasks, else Schedule, else the first sheet), which has
    the task CSV's columns; problems name the sheet, row and column."""
    _check_unpacked_size(raw)
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
    return read_task_rows(rows, name, start, where=f"sheet {title}", row=f"sheet {title} row", settings=settings)


def _rows(sheet: Any, limit: int) -> list[list[str]]:
    """A sheet's rows as text cells, trailing empty rows dropped; at most `limit` rows below the header."""
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append([_text(v) for v in row])
        if len(rows) > limit + 1:
            raise PlanError([Problem(f"sheet {sheet.title}", "", f"has more than {limit:,} rows")])
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


def _check_unpacked_size(raw: bytes) -> None:
    """A workbook is a zip: its members' unpacked sizes are summed before any is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise PlanError([Problem("workbook", "", "not a readable .xlsx workbook (not a zip archive)")]) from None
    if unpacked > MAX_UNPACKED:
        raise PlanError([Problem("workbook", "", f"unpacks to {unpacked / 1e6:,.0f} MB; the limit is 256 MB")])


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
