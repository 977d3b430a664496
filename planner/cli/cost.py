"""`planner cost PLAN`: what the plan costs, line by line (planner.costs)."""

from __future__ import annotations

import argparse
import json
import sys

from planner.cli import common
from planner.problems import PlanError, Problem


def cmd_cost(args: argparse.Namespace) -> int:
    from planner.costs import plan_cost
    from planner.scheduling import schedule

    plan = common.load_args(args)
    cost = plan_cost(schedule(plan))
    if cost is None:
        raise PlanError([Problem("plan", "costs", "the plan has no cost model; add `costs:` (docs/costs.md)")])
    if args.format == "json":
        sys.stdout.write(json.dumps(cost.to_json(), indent=2) + "\n")
        return 0
    rows = [[x.category, x.label, f"{x.amount:.2f}"] for x in cost.lines]
    if args.format == "csv":
        from planner.formats.csvfile import write_rows

        sys.stdout.write(write_rows(["category", "item", f"amount_{cost.currency.lower()}"], rows))
        return 0
    width = max((len(r[1]) for r in rows), default=4)
    print(f"{plan.name}: costs in {cost.currency}")
    for category, label, amount in rows:
        print(f"  {category:<10} {label:<{width}}  {amount:>15}")
    print(f"  {'total':<10} {'':<{width}}  {cost.total:>15.2f}")
    if cost.double_running_days:
        days = f"{cost.double_running_days} day{'s' if cost.double_running_days != 1 else ''}"
        print(f"  double running: {days}, {cost.double_running:.2f} of the provider's cost")
    if cost.budget is not None:
        left = cost.budget - cost.total
        print(f"  budget {cost.budget:.2f}: {'within it' if left >= 0 else 'over it'} by {abs(left):.2f}")
    return 0


def add_cost(plan_cmd) -> None:
    p = plan_cmd("cost", "what the plan costs: effort, run costs, double running, extension, one-offs")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=cmd_cost)
