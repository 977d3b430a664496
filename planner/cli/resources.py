"""The command line's resource output: over-allocations after the schedule table, the levelling
summary, and `--what-if RES=1..N` (a capacity table)."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING

from planner.problems import PlanError, Problem

if TYPE_CHECKING:
    from planner.core.model import Plan
    from planner.core.schedule import Schedule


def resource_lines(sched: Schedule) -> list[str]:
    """What the table is followed by: the levelling result, then every over-allocation."""
    from planner.levelling.usage import over_allocations

    lines = []
    info = sched.levelling
    if info is not None:
        cal = sched.calendar
        bound_day = cal.date_of(max(info.bound - 1, 0)).isoformat()
        proof = (
            "the best possible"
            if info.optimal
            else f"no schedule can finish before {bound_day} ({info.bound} working days)"
        )
        lines.append(
            f"levelled: finish {sched.finish.isoformat()} ({sched.finish_offset} working days) against "
            f"{info.unlevelled_finish} without levelling;"
        )
        lines.append(f"  with these capacities {proof}")
    over = over_allocations(sched)
    if over:
        lines.append(f"over-allocations ({len(over)}); schedule --level resolves them:")
        lines += [f"  {o}" for o in over]
    elif sched.plan.resources:
        lines.append("no resource is over-allocated")
    return lines


def parse_what_if(text: str) -> tuple[str, list[int]]:
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*=\s*(\d+)\s*\.\.\s*(\d+)\s*", text)
    if not m or int(m.group(2)) < 1 or int(m.group(3)) < int(m.group(2)) or int(m.group(3)) - int(m.group(2)) > 50:
        raise argparse.ArgumentTypeError(f"{text!r}: write RESOURCE=FROM..TO, e.g. KT-LEAD=1..4 (at most 50 steps)")
    return m.group(1), list(range(int(m.group(2)), int(m.group(3)) + 1))


def what_if_table(plan: Plan, spec: tuple[str, list[int]], level_time: float | None) -> str:
    from planner.levelling.levelled import what_if

    resource, caps = spec
    rows = what_if(plan, resource, caps, level_time)
    if not rows:
        raise PlanError([Problem("what-if", resource, "every capacity asked for is below what one task needs")])
    lines = [f"{resource} capacity -> levelled finish", "capacity  finish      working days  meets deadline"]
    skipped = [c for c in caps if c not in [cap for cap, _ in rows]]
    if skipped:
        lines.insert(1, f"(capacities {skipped[0]:g}-{skipped[-1]:g} left out: a task needs more than that)")
    for cap, sched in rows:
        meets = "" if plan.deadline is None else ("yes" if sched.margin(plan.deadline) >= 0 else "no")
        lines.append(f"{cap:>8g}  {sched.finish.isoformat()}  {sched.finish_offset:>12}  {meets}".rstrip())
    return "\n".join(lines) + "\n"


def add_level_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--level", action="store_true", help="level resources (also when the plan says level: true)")
    p.add_argument("--level-time", type=float, metavar="S", help="seconds to spend on a better levelled schedule")
    p.add_argument("--what-if", type=parse_what_if, metavar="RES=1..N", help="levelled finish at each capacity")
