"""`planner new` and `planner compare`: plans from templates, and options side by side."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from planner.cli import common
from planner.generate.catalogue import MAX_WAVES, SIZES, pct, template_names
from planner.plain import clip
from planner.problems import PlanError, Problem


def _share(text: str) -> float:
    value = text.strip().rstrip("%")
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 90:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage from 0 (no pilot) to 90 (e.g. 15)")
    return int(number) if number.is_integer() else number


def _waves(text: str) -> int:
    if not text.strip().isdigit() or int(text) > MAX_WAVES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of waves from 0 to {MAX_WAVES}")
    return int(text)


def _wave_shares(text: str) -> list[float]:
    out = []
    for part in text.split(","):
        try:
            out.append(float(part.strip().rstrip("%")))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{part.strip()!r} in {text!r} is not a percentage; write the shares as e.g. 30,30,25"
            ) from None
    return out


def _listed(parse: Callable[[str], Any]) -> Callable[[str], list]:
    """A comma-separated list of what `parse` reads (e.g. --waves 0,1,2)."""

    def read(text: str) -> list:
        return [parse(part) for part in text.split(",") if part.strip()]

    return read


def resolve_size(args: argparse.Namespace) -> str:
    """--size if given, else the size the service's figures give (its rule on stderr), else medium."""
    from planner.generate.service_size import size_from_service

    given = {k: getattr(args, k) for k in ("fte", "sites", "applications", "servers")}
    sized = size_from_service(args.template, given) if args.template else None
    if sized is None:
        return args.size or "medium"
    if args.size and args.size != sized.size:
        print(f"warning: --size {args.size} kept; the service's size says {sized.size} ({sized.rule})", file=sys.stderr)
        return args.size
    print(f"size: {sized.size}, from the service ({sized.rule})", file=sys.stderr)
    return sized.size


def cmd_new(args: argparse.Namespace) -> int:
    from planner.generate.build import generate

    args.size = resolve_size(args)
    gen = generate(
        args.template,
        waves=args.waves,
        pilot_share=args.pilot_share,
        wave_shares=args.wave_shares,
        size=args.size,
        start=args.start,
        deadline=args.deadline,
        contract_end=args.contract_end,
        plan_name=args.name,
        holidays=args.holidays,
        termination_assistance=args.termination_assistance,
    )
    for warning in gen.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    plan = gen.plan
    sol = gen.schedule  # levelled when the plan levels
    summary = common.summary(plan, sol.finish, sol.passes, sol.calendar)
    common.write_plan(plan, args.output, f"wrote {args.output}: {summary}")
    if args.contract_end is not None:
        from planner.risk.contract import committed_run, verdict

        said = verdict(plan, committed_run(plan, sol.network, sol), sol.passes.ef)
        if said is not None:
            print(("" if said.verdict == "met" else "warning: ") + said.sentence(), file=sys.stderr)
    return 0


def _chance(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _cost_cells(r) -> list[str]:
    """The CSV's cost columns: exact amounts as text, empty without a cost model."""
    if r.cost is None or r.cost_risk is None:
        return [""] * 6
    extension = r.cost.by_category()["extension"]
    risk = r.cost_risk.percentiles
    amounts = (r.cost.total, risk[50], risk[80], r.cost.double_running, extension)
    return [r.cost.currency, *(f"{x:.2f}" for x in amounts)]


def cmd_compare(args: argparse.Namespace) -> int:
    if args.plans and args.template:
        raise PlanError([Problem("compare", "--template", "give either --template or plan files, not both")])
    if args.plans:
        return _compare_plans(args)
    if not args.template:
        raise PlanError([Problem("compare", "--template", "name a template, or give plan files to compare")])
    from planner.generate.options import MAX_OPTIONS, options

    args.size = resolve_size(args)
    waves = args.waves or [0, 1, 2, 3]
    shares = args.pilot_share or [5, 10, 15, 20]
    if len(waves) * len(shares) > MAX_OPTIONS:
        raise PlanError([Problem("compare", "--waves", f"at most {MAX_OPTIONS} options at once")])
    rows = options(
        args.template,
        waves,
        shares,
        size=args.size,
        start=args.start,
        deadline=args.deadline,
        contract_end=args.contract_end,
        termination_assistance=args.termination_assistance,
    )
    if args.format == "json":
        data = [r.to_json() for r in rows]
        sys.stdout.write(json.dumps({"template": args.template, "size": args.size, "options": data}, indent=2) + "\n")
        return 0
    if args.format == "csv":
        from planner.formats.csvfile import write_rows

        head = ["waves", "pilot_share", "finish", "handover", "p50", "p80", "deadline_chance", "contract_end_chance"]
        head += ["contract_verdict", "extension_weeks", "double_running_weeks", "latest_start", "latest_signature"]
        head += ["currency", "cost", "cost_p50", "cost_p80", "double_running_cost", "extension_cost"]
        cells = []
        for r in rows:
            c = r.contract
            cells.append(
                [
                    str(r.waves),
                    pct(r.pilot_share),
                    *(d.isoformat() for d in (r.finish, r.handover, r.p50, r.p80)),
                    "" if r.deadline_chance is None else f"{r.deadline_chance:.4f}",
                    "" if c is None else f"{c.chance:.4f}",
                    "" if c is None else c.verdict,
                    "" if c is None else str(c.extension_weeks),
                    "" if c is None else str(c.double_running_weeks),
                    "" if c is None else c.latest_start.isoformat(),
                    "" if c is None or c.latest_signature is None else c.latest_signature.isoformat(),
                    *_cost_cells(r),
                ]
            )
        sys.stdout.write(write_rows(head, cells))
        return 0
    titles = ["waves", "pilot %", "finish", "handover", "P50", "P80"]
    titles += ["P(deadline)"] if args.deadline else []
    titles += ["contract end", "ask for", "latest start"] if args.contract_end else []
    priced = any(r.cost_risk is not None for r in rows)
    titles += [f"cost P50 ({rows[0].cost_risk.currency} k)", "cost P80"] if priced and rows[0].cost_risk else []
    cells = []
    for r in rows:
        row = [str(r.waves), pct(r.pilot_share), *(d.isoformat() for d in (r.finish, r.handover, r.p50, r.p80))]
        row += [_chance(r.deadline_chance)] if args.deadline else []
        c = r.contract
        if c is not None:
            row += [f"{c.verdict} {c.chance:.0%}", c.ask() or "-", c.latest_start.isoformat()]
        if priced and r.cost_risk is not None:
            row += [f"{r.cost_risk.percentiles[q] / 1000:,.0f}" for q in (50, 80)]
        cells.append(row)
    _print_table(titles, cells)
    if args.contract_end:
        print(
            "P80 is the committed date; ask for: the extension to request (P80 handover after the contract end)"
            " or the\ndouble running (both providers side by side before it); latest start: to hand over by the"
            " contract end at P80"
        )
    for r in rows:
        for warning in r.warnings:
            waves = f"{r.waves} wave{'' if r.waves == 1 else 's'}"
            print(f"warning ({waves}, {pct(r.pilot_share)}% pilot): {warning}", file=sys.stderr)
    return 0


def _print_table(titles: Sequence[str], cells: Sequence[Sequence[str]]) -> None:
    widths = [max(len(t), *(len(c[k]) for c in cells)) if cells else len(t) for k, t in enumerate(titles)]
    print("  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _compare_plans(args: argparse.Namespace) -> int:
    from planner.generate.options import compare_plans

    plans = []
    for path in args.plans:
        ns = argparse.Namespace(plan=path, start=args.start)
        plans.append((path, common.load_args(ns)))
    result = compare_plans(plans)
    labels = [c.label for c in result.columns]
    as_csv = args.format == "csv"

    def change(days: int | None) -> object:
        if as_csv:
            return "" if days is None else days
        return "" if not days else f"{days:+d} d"

    first, last = result.columns[0], result.columns[-1]
    rows = [
        ["finish", "", *(c.finish.isoformat() for c in result.columns), change((last.finish - first.finish).days)],
        ["P80", "", *(c.p80.isoformat() for c in result.columns), change((last.p80 - first.p80).days)],
    ]
    missing = "" if as_csv else "-"
    for tid, name in result.rows:
        dates = [c.milestones[tid].isoformat() if tid in c.milestones else missing for c in result.columns]
        rows.append([tid, name if as_csv else clip(name, 40), *dates, change(result.shift(tid))])
    head = ["id", "name", *labels, "change_days" if args.format == "csv" else "change"]
    if args.format == "csv":
        from planner.formats.csvfile import write_rows

        sys.stdout.write(write_rows(head, rows))
    elif args.format == "json":
        data = {
            "plans": [
                {
                    "label": c.label,
                    "finish": c.finish.isoformat(),
                    "p80": c.p80.isoformat(),
                    "milestones": {k: v.isoformat() for k, v in c.milestones.items()},
                }
                for c in result.columns
            ]
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        _print_table(head, [[str(cell) for cell in row] for row in rows])
    return 0


def _generator_options(p: argparse.ArgumentParser, listed: bool) -> None:
    waves, shares = (_listed(_waves), _listed(_share)) if listed else (_waves, _share)
    many = "comma-separated, e.g. 0,1,2,3" if listed else "0 = one cutover of the rest after the pilot"
    p.add_argument("--waves", type=waves, metavar="N", help=f"rollout waves after the pilot ({many})")
    p.add_argument(
        "--pilot-share", type=shares, metavar="P", help="pilot share of the volume in percent (0 = no pilot)"
    )
    p.add_argument(
        "--size",
        choices=SIZES,
        help="scales KT, shadowing and hypercare (DOMAIN.md); default: from the service's size below, else medium",
    )
    service = p.add_argument_group("the service's size (sets --size by the template's bands; the larger counts)")
    service.add_argument("--fte", type=float, metavar="N", help="agents, seats or FTE in scope")
    service.add_argument(
        "--sites", type=float, metavar="N", help="sites, towers, application clusters or service lines"
    )
    service.add_argument("--applications", type=float, metavar="N", help="applications in scope (AMS)")
    service.add_argument("--servers", type=float, metavar="N", help="servers or in-scope CIs (infrastructure)")
    p.add_argument("--start", type=common.parse_date, metavar="DATE", help="plan start (default: next Monday)")
    p.add_argument("--deadline", type=common.parse_date, metavar="DATE", help="deadline for the whole plan")
    p.add_argument(
        "--contract-end", type=common.parse_date, metavar="DATE", help="deadline on the handover (the last cutover)"
    )
    p.add_argument(
        "--termination-assistance",
        type=int,
        default=90,
        metavar="DAYS",
        help="calendar days the incumbent helps after its contract end (exit template; default 90)",
    )


def add_generate(sub: argparse._SubParsersAction) -> None:
    names = template_names()
    p = sub.add_parser(
        "new", help="create a plan from a built-in template", description="create a plan from a template"
    )
    p.add_argument("--template", required=True, choices=names, metavar="NAME", help="one of: " + ", ".join(names))
    _generator_options(p, listed=False)
    p.add_argument(
        "--wave-shares",
        type=_wave_shares,
        metavar="A,B,...",
        help="each wave's share; they add up to 100 - pilot share",
    )
    p.add_argument("--name", help="plan name")
    p.add_argument("--holidays", metavar="CC", help="country code for national holidays, e.g. GB or US-CA")
    p.add_argument("-o", "--output", required=True, metavar="PLAN.yaml")
    p.set_defaults(func=cmd_new)
    p = sub.add_parser(
        "compare",
        help="template options or plans side by side (finish, handover, P80, odds)",
        description="compare template options (--template T --waves 0,1,2 --pilot-share 5,10,20) or plan files",
    )
    p.add_argument("plans", nargs="*", metavar="PLAN", help="plan files to compare (instead of --template)")
    p.add_argument("--template", choices=names, metavar="NAME", help="one of: " + ", ".join(names))
    _generator_options(p, listed=True)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=cmd_compare)
