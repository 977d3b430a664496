"""Warnings about a valid plan: what a planner should look at, though nothing stops scheduling.

Each warning names the task and the field, like a validation problem, and says what the
planner does about it.
"""

from __future__ import annotations

from planner.core.model import Plan, Problem


def plan_warnings(plan: Plan) -> list[Problem]:
    """Every warning about a plan, in plan order; today the tasks whose three-point estimate is not
    centred on their duration (field "estimate"). The duration is the most likely value
    (DESIGN.md), so the Monte Carlo scales the estimate by duration / likely."""
    out = []
    for t in plan.tasks:
        est = t.estimate
        if est is None or est.likely == t.duration:
            continue
        if est.likely:
            f = t.duration / est.likely
            scaled = f"{est.optimistic * f:g}/{t.duration}/{est.pessimistic * f:g}"
            how = f"the simulation scales it by {t.duration}/{est.likely} to {scaled}"
        else:
            how = f"the simulation shifts it by {t.duration} working days"
        out.append(
            Problem(f"task {t.id}", "estimate", f"likely {est.likely} differs from duration {t.duration}: {how}")
        )
    return out
