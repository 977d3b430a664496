"""`python -m planner` / `planner`: the command line of DESIGN.md.

Exit codes: 0 done, 1 bad input (every problem on stderr, one per line), 2 bad usage. A user
never sees a traceback for bad input; set PLANNER_DEBUG=1 to see one for a bug.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from planner.cli import common
from planner.formats.registry import BY_NAME
from planner.generate.catalogue import list_templates
from planner.plain import clip, json_value
from planner.problems import PlanError

if TYPE_CHECKING:
    from planner.core.model import Plan
    from planner.core.schedule import Schedule


def _schedule(plan: Plan) -> Schedule:
    from planner.scheduling import schedule  # pandas loads only for commands that need it

    return schedule(plan)


TABLE_WIDTH = 100


def render_table(sched: Schedule, width: int = TABLE_WIDTH) -> str:
    """A terminal table that fits `width` columns; `*` marks critical tasks."""
    t = sched.table
    id_w = min(max([len(i) for i in t["id"]] + [2]), 14)
    fixed = 2 + id_w + 1 + 10 + 1 + 10 + 1 + 4 + 1 + 5 + 1 + 5
    name_w = max(10, width - fixed - 1)
    head = f"  {'id':<{id_w}} {'name':<{name_w}} {'start':<10} {'finish':<10} {'days':>4} {'float':>5} {'free':>5}"
    lines = [head.rstrip(), "-" * min(width, len(head))]
    rows = zip(
        t["id"],
        t["name"],
        t["start"],
        t["finish"],
        t["duration"],
        t["total_float"],
        t["free_float"],
        t["critical"],
        t["milestone"],
        strict=True,
    )
    for tid, name, start, finish, dur, tf, ff, crit, ms in rows:
        mark = "*" if crit else " "
        label = ("◆ " if ms else "") + str(name)
        lines.append(
            f"{mark} {clip(tid, id_w):<{id_w}} {clip(label, name_w):<{name_w}} {start:<10} {finish:<10} "
            f"{dur:>4} {tf:>5} {ff:>5}"
        )
    lines.append("")
    lines.append(_sched_summary(sched))
    lines.append("* critical (total float <= 0)   ◆ milestone   days and float in working days")
    return "\n".join(lines) + "\n"


def _sched_summary(sched: Schedule) -> str:
    return common.summary(sched.plan, sched.finish, sched.passes, sched.calendar)


def schedule_json(sched: Schedule) -> str:
    rows = []
    for rec in sched.table.to_dict(orient="records"):
        rows.append({k: json_value(v) for k, v in rec.items()})
    doc = {
        "name": sched.plan.name,
        "start": sched.plan.start.isoformat(),
        "finish": sched.finish.isoformat(),
        "finish_days": sched.finish_offset,
        "critical_path": list(sched.critical_path),
        "tasks": rows,
    }
    if sched.plan.resources:
        from planner.levelling.usage import over_allocations

        doc["over_allocations"] = [o.to_json() for o in over_allocations(sched)]
    if sched.levelling is not None:
        info = sched.levelling
        doc["levelling"] = {
            "unlevelled_finish_days": info.unlevelled_finish,
            "lower_bound_days": info.bound,
            "optimal": info.optimal,
        }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def cmd_validate(args: argparse.Namespace) -> int:
    from planner.core.plan_warnings import plan_warnings
    from planner.scheduling import solution  # the passes without the table: no pandas

    plan = common.load_args(args)
    sol = solution(plan)  # levelled when the plan levels
    for warning in plan_warnings(plan):
        print(f"warning: {warning}", file=sys.stderr)
    links = sum(len(t.depends_on) for t in plan.tasks)
    milestones = sum(t.is_key_date for t in plan.tasks)
    summary = common.summary(plan, sol.finish, sol.passes, sol.calendar)
    print(f"OK: {summary}; {links} links, {milestones} milestones and gates")
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from planner.cli.resources import resource_lines, what_if_table
    from planner.scheduling import schedule

    plan = common.load_args(args)
    if args.what_if:
        common.write(what_if_table(plan, args.what_if, args.level_time), args.output)
        return 0
    sched = schedule(plan, level=True if args.level or args.level_time else None, level_time=args.level_time)
    if args.format == "csv":
        from planner.formats.csvfile import schedule_csv

        text = schedule_csv(sched.table)
    elif args.format == "json":
        text = schedule_json(sched)
    else:
        extra = resource_lines(sched)
        text = render_table(sched) + ("\n".join(extra) + "\n" if extra else "")
    common.write(text, args.output)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    fmt = BY_NAME[args.to]
    sched = _schedule(common.load_args(args))
    common.write(fmt.write_for(sched, args.view or "full"), args.output, fmt.name)
    if fmt.name == "mspdi":
        from planner.formats.mspdi import not_carried

        for what in not_carried(sched.plan):
            print(f"warning: MS Project XML does not carry {what}; keep the plan YAML for it", file=sys.stderr)
    if args.output not in (None, "-"):
        print(f"wrote {args.to} to {args.output}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    plan = common.load_args(args)
    common.write_plan(plan, args.output, f"wrote {args.output}: {len(plan.tasks)} tasks")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from planner.risk.drivers import risk_drivers
    from planner.risk.montecarlo import simulate

    plan = common.load_args(args)
    result = simulate(plan, iterations=args.iterations, seed=args.seed, distribution=args.distribution)
    if args.format == "csv":
        from planner.formats.csvfile import write_rows

        rows = zip(result.task_ids, result.criticality.round(4), result.task_p80_dates, strict=True)
        sys.stdout.write(
            write_rows(["id", "criticality", "finish_p80"], ((i, float(c), d.isoformat()) for i, c, d in rows))
        )
        return 0
    drivers = risk_drivers(plan, result)  # a run per risk: only where it is shown
    if args.format == "json":
        doc = result.to_json()
        if drivers:
            doc["risk_drivers"] = [
                {"id": d.id, "title": d.title, "probability": d.probability, "p80_shift_days": d.p80_shift}
                for d in drivers
            ]
        print(json.dumps(doc, indent=2))
        return 0
    print(
        f"{plan.name}: {result.iterations:,} iterations, seed {result.seed}, {result.distribution}, "
        f"correlation {result.correlation:g}"
    )
    lines = [("deterministic", result.deterministic_date, result.deterministic_days)]
    lines += [(f"P{q}", result.finish_dates[q], result.finish_days[q]) for q in (10, 50, 80, 90)]
    if result.uplift:
        lines.append((f"reference class +{result.uplift:.0%}", result.reference_date, result.reference_days))
    width = max(len(label) for label, _, _ in lines)
    for label, day, days in lines:
        print(f"  {label:<{width}}  {day}  ({days} working days)")
    if result.uplift:
        print(f"  the reference class stretches the most likely plan after {result.uplift_from} (G0, or the")
        print("  status date): a check on the P80, never added to it")
        if result.reference_days > result.finish_days[80]:
            print("  it is later than the P80: the estimates may be narrower than transitions like this turn out")
    if result.deadline_probability is not None:
        print(f"  chance of meeting the deadline {plan.deadline}: {result.deadline_probability:.0%}")
    for d in drivers:
        head = f"  risk {d.id} ({d.probability:.0%}) moves P80 by {d.p80_shift:+d} working days: "
        print(head + clip(d.title, TABLE_WIDTH - len(head)))
    if result.milestones:
        width = max(14, *(len(m.id) for m in result.milestones))
        print(f"  {'milestone':<{width + 2}}  {'planned':<10}  {'P50':<10}  {'P80':<10}  {'P90':<10}  name")
        for m in result.milestones:
            name = m.name if len(m.name) <= 26 else m.name[:25] + "…"
            print(f"    {m.id:<{width}}  {m.deterministic}  {m.dates[50]}  {m.dates[80]}  {m.dates[90]}  {name}")
    ranked = sorted(zip(result.criticality, result.task_ids, result.task_p80_dates, strict=True), reverse=True)
    print("  most often critical:")
    for crit, tid, p80 in ranked[:10]:
        print(f"    {tid:<14} {crit:>5.0%}  P80 finish {p80}")
    return 0


def cmd_baseline(args: argparse.Namespace) -> int:
    from planner.core.schedule import baseline_of

    plan = baseline_of(_schedule(common.load_args(args)))
    common.write_plan(plan, args.output, f"wrote {args.output} with a baseline of {len(plan.tasks)} tasks")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    for info in list_templates():
        print(f"{info.name}  {info.description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner", description="Transition and pilot planner: schedule, validate and export transition plans."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def plan_cmd(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "plan", metavar="PLAN", help="plan file: .yaml, .yml, .json, a task .csv or .xlsx, or MS Project .xml"
        )
        p.add_argument(
            "--start", type=common.parse_date, metavar="DATE", help="plan start (needed for a task CSV or workbook)"
        )
        return p

    plan_cmd("validate", "check a plan; print a one-line summary or every problem").set_defaults(func=cmd_validate)
    p = plan_cmd("schedule", "print the schedule (dates, float, critical tasks)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    from planner.cli.resources import add_level_options

    add_level_options(p)
    p.add_argument("-o", "--output", metavar="OUT", help="write to a file instead of the terminal")
    p.set_defaults(func=cmd_schedule)
    p = plan_cmd("export", "export a plan or its milestones")
    p.add_argument("--to", required=True, choices=tuple(BY_NAME), metavar="FORMAT", help=", ".join(BY_NAME))
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: the terminal)")
    p.add_argument(
        "--view",
        metavar="VIEW",
        help="the report or the steering pack (html, pptx, pdf) as an audience sees it: executive, full or a party",
    )
    p.set_defaults(func=cmd_export)
    p = plan_cmd("simulate", "Monte Carlo schedule risk: P10/P50/P80/P90 finish, criticality index")
    p.add_argument("--iterations", type=int, default=10_000, metavar="N")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p.add_argument("--distribution", choices=("pert", "triangular"), default="pert")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=cmd_simulate)
    p = plan_cmd("baseline", "write the current schedule into the plan as its baseline")
    p.add_argument("-o", "--output", required=True, metavar="PLAN.yaml")
    p.set_defaults(func=cmd_baseline)
    p = plan_cmd("import", "convert a task CSV, Excel workbook or MS Project XML file into a plan file")
    p.add_argument("-o", "--output", required=True, metavar="PLAN.yaml")
    p.set_defaults(func=cmd_import)
    from planner.cli.cost import add_cost

    add_cost(plan_cmd)
    sub.add_parser("templates", help="list the built-in templates").set_defaults(func=cmd_templates)
    from planner.cli.generate import add_generate
    from planner.cli.store import add_store

    add_generate(sub)
    add_store(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`... | head`): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:  # a bug, not bad input: still no traceback unless asked
        if os.environ.get("PLANNER_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (set PLANNER_DEBUG=1 for details)", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    try:
        return args.func(args)
    except PlanError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    except Exception as exc:
        schema = sys.modules.get("planner.store.schema")  # not loaded: not a store command, no StoreError
        if schema is not None and isinstance(exc, schema.StoreError):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise
