"""What every command shares: reading a plan, writing files, dates on the command line, the
one-line summary of a schedule."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from planner.formats.planfile import dump_json, dump_yaml
from planner.problems import PlanError, Problem

if TYPE_CHECKING:
    from planner.core.calendar import WorkCalendar
    from planner.core.model import Plan
    from planner.core.network import Passes


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def write(text: str | bytes, out: str | None, kind: str = "") -> None:
    if isinstance(text, bytes):
        if out in (None, "-"):
            raise PlanError([Problem("export", "-o", f"binary output ({kind}) needs a file: add -o FILE.{kind}")])
        try:
            Path(out).write_bytes(text)
        except OSError as exc:
            raise PlanError([Problem(str(out), "", f"cannot write: {exc.strerror or exc}")]) from None
        return
    if out in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PlanError([Problem(str(out), "", f"cannot write: {exc.strerror or exc}")]) from None


def write_plan(plan: Plan, out: str | None, done: str) -> None:
    """A plan file (JSON for .json, else YAML), then `done` on stderr when written to a file."""
    write(dump_json(plan) if str(out).endswith(".json") else dump_yaml(plan), out)
    if out not in (None, "-"):
        print(done, file=sys.stderr)


def summary(plan: Plan, finish: dt.date, passes: Passes, cal: WorkCalendar) -> str:
    """The one-line summary of a schedule (or of a table-less `solve`, which validate uses)."""
    crit = int(passes.critical.sum())
    text = (
        f"{plan.name}: {len(plan.tasks)} tasks, finish {finish.isoformat()} "
        f"({passes.finish} working days), {crit} critical"
    )
    if plan.deadline:
        margin = cal.deadline_offset(plan.deadline) - passes.finish
        text += f", deadline {plan.deadline.isoformat()} " + (
            f"met with {margin} working days to spare" if margin >= 0 else f"MISSED by {-margin} working days"
        )
    return text


def load_args(args: argparse.Namespace) -> Plan:
    from planner.files import load_plan_with_warnings

    plan, warnings = load_plan_with_warnings(args.plan, start=getattr(args, "start", None))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return plan
