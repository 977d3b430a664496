"""Excel workbook: Schedule, Milestones, RAID and Tasks sheets, and import of a task sheet.

Cells are typed: dates are Excel dates, numbers are numbers, flags are TRUE/FALSE. Every text cell
is stored as text with Excel's quote prefix, so a name such as `=HYPERLINK(...)` shows as written
and is never run. Header rows are frozen and filtered, columns fit their contents, and critical
tasks are shaded. The Tasks sheet has the task CSV's columns, so a workbook imports back to the
same plan (with a start date).
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
from planner.formats.csvfile import RAID_COLUMNS, TASK_COLUMNS, milestone_rows, raid_row, read_task_rows, task_row
from planner.limits import MAX_TASKS

CRITICAL_FILL = PatternFill("solid", start_color="FDE2E1", end_color="FDE2E1")
HEADER_FONT = Font(bold=True)
DATE_FORMAT = "yyyy-mm-dd"
WIDEST = 60  # characters: longer text wraps in the cell rather than widening the column
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters a workbook cannot hold
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
TASK_SHEETS = ("Tasks", "Schedule")  # read in this order; else the first sheet


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
        sheet = next((book[t] for t in TASK_SHEETS if t in book.sheetnames), book.worksheets[0])
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_text(v) for v in row])
            if len(rows) > MAX_TASKS + 1:
                raise PlanError([Problem(f"sheet {sheet.title}", "", f"has more than {MAX_TASKS:,} task rows")])
        title = sheet.title
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    return read_task_rows(rows, name, start, where=f"sheet {title}", row=f"sheet {title} row")


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
