"""Reading a plan from a file or an upload, whatever its format.

One entry point for the command line, the app and notebooks, so size limits, encodings and
error wording are the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from planner.core.model import Plan, PlanError, Problem
from planner.core.validate import parse_plan
from planner.formats.planfile import read_json, read_yaml

MAX_PLAN_BYTES = 64 * 1024 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PLAN_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx", ".xml")


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise PlanError([Problem(source, "", "is not UTF-8 text")]) from None


def plan_from_bytes(
    raw: bytes,
    filename: str,
    start: dt.date | None = None,
    limit: int = MAX_UPLOAD_BYTES,
) -> Plan:
    """A validated plan from file content; `start` supplies or overrides the plan start."""
    return read_plan_bytes(raw, filename, start, limit)[0]


def read_plan_bytes(
    raw: bytes,
    filename: str,
    start: dt.date | None = None,
    limit: int = MAX_UPLOAD_BYTES,
    default_start: dt.date | None = None,
) -> tuple[Plan, list[str]]:
    """A validated plan and the import warnings (MS Project XML: what was not carried over).
    `start` overrides the file's plan start; `default_start` is used only when a task CSV or a
    workbook has none (the app's upload form: a workbook's own Plan sheet keeps its start)."""

    suffix = Path(filename).suffix.lower()
    if len(raw) > limit:
        raise PlanError([Problem(filename, "", f"is {len(raw) / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB")])
    if suffix not in PLAN_SUFFIXES:
        raise PlanError(
            [Problem(filename, "", f"unsupported file type {suffix or '(none)'}; use {', '.join(PLAN_SUFFIXES)}")]
        )
    if suffix == ".xml":
        from planner.formats.mspdi_read import read_mspdi

        plan, warnings = read_mspdi(raw, filename)
        if start is not None:
            plan = parse_plan({**plan.model_dump(), "start": start})
        return plan, warnings
    if suffix == ".xlsx":
        from planner.formats.xlsx import read_xlsx

        plan = read_xlsx(raw, name=Path(filename).stem, start=start, default_start=default_start)
        return plan, _capacity_notes(plan)
    text = _decode(raw, filename)
    if suffix == ".csv":
        from planner.formats.csvfile import read_tasks_csv

        plan = read_tasks_csv(text, name=Path(filename).stem, start=start or default_start)
        return plan, _capacity_notes(plan)
    data: Any = read_json(text, filename) if suffix == ".json" else read_yaml(text, filename)
    if start is not None and isinstance(data, dict):
        data = {**data, "start": start}
    return parse_plan(data), []


def _capacity_notes(plan: Plan) -> list[str]:
    """A task table names resources in `uses` but states no capacities."""
    if not plan.resources:
        return []
    listed = ", ".join(f"{r.id} ({r.capacity:g})" for r in plan.resources)
    return [
        f"resources {listed} come from the uses column, each with the largest need as its capacity; "
        "set their real capacities in the plan file or the app"
    ]


def _read_capped(path: Path, size: int) -> bytes:
    """The file's bytes, never more than one past the cap: a device such as /dev/zero or a growing
    file may report any size, so they are read in chunks; a regular file in one read of its size."""
    with path.open("rb") as handle:
        if path.is_file():
            return handle.read(min(size, MAX_PLAN_BYTES) + 1)
        chunks, total = [], 0
        while total <= MAX_PLAN_BYTES:
            chunk = handle.read(min(1 << 20, MAX_PLAN_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)


def load_plan(path: str | Path, start: dt.date | None = None) -> Plan:
    """Loads and validates a plan file (.yaml/.yml/.json, a task .csv or .xlsx, or MS Project .xml)."""
    return load_plan_with_warnings(path, start)[0]


def load_plan_with_warnings(path: str | Path, start: dt.date | None = None) -> tuple[Plan, list[str]]:
    """Like load_plan, also returning what an import could not carry over exactly."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_PLAN_BYTES:
            raise PlanError(
                [Problem(str(p), "", f"is {size / 1e6:.1f} MB; the limit is {MAX_PLAN_BYTES / 1e6:.0f} MB")]
            )
        raw = _read_capped(p, size)
    except FileNotFoundError:
        raise PlanError([Problem(str(p), "", "no such file")]) from None
    except IsADirectoryError:
        raise PlanError([Problem(str(p), "", "is a directory, not a plan file")]) from None
    except PermissionError:
        raise PlanError([Problem(str(p), "", "cannot be read (permission denied)")]) from None
    except OSError as exc:
        raise PlanError([Problem(str(p), "", f"cannot be read ({exc.strerror or exc})")]) from None
    if len(raw) > MAX_PLAN_BYTES:
        raise PlanError([Problem(str(p), "", f"is larger than the limit of {MAX_PLAN_BYTES >> 20} MB")])
    return read_plan_bytes(raw, p.name, start=start, limit=MAX_PLAN_BYTES)
