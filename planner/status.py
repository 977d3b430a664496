"""A computed RAG status with a one-line reason, for the top of the plan and the executive view.

Red: the plan or a task misses its deadline, a gate has failed, or the finish slipped more than
10 working days against the baseline (or P80 lies past the deadline). Amber: under 10 working
days of margin to the plan's or a task's deadline, any slip, a gate still pending after its
date, or P80 past the deadline while the plan itself meets it. Green otherwise. The worst
reason is the one shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from planner.core.gates import gate_status
from planner.core.model import Plan, PlanError
from planner.core.network import Network
from planner.core.schedule import Schedule
from planner.explain import KeyFigures, key_figures
from planner.risk.result import RiskResult

SLIP_RED = 10
MARGIN_AMBER = 10
QUICK_RISK_TASKS = 2_000  # plans up to this size get a committed P80 on every change


@dataclass(frozen=True)
class Status:
    rag: str  # "red", "amber" or "green"
    reason: str


def plan_status(sched: Schedule, today: dt.date | None = None, run: RiskResult | None = None) -> Status:
    """The status; `run` is the committed run (`committed`), which weighs the P80 and the contract end."""
    today = today or dt.date.today()
    plan = sched.plan
    k = key_figures(sched, today, run)
    p80_days = run.finish_days[80] if run is not None else None
    reds: list[str] = []
    ambers: list[str] = []
    c = k.contract
    if c is not None and c.verdict != "met":
        how = "misses" if c.verdict == "missed" else "is at risk against"
        (reds if c.verdict == "missed" else ambers).append(
            f"the handover {how} the contract end {c.contract_end}: P80 {c.p80}, {c.chance:.0%} chance; "
            f"ask the incumbent for {c.extension_weeks} week{'s' if c.extension_weeks != 1 else ''} more"
        )
    elif c is None and k.contract_margin is not None and k.contract_margin < MARGIN_AMBER:
        late = k.contract_margin < 0
        (reds if late else ambers).append(
            f"the handover (most likely {k.handover.date if k.handover else '?'}) "
            + (
                f"misses the contract end {k.contract_end} by {-k.contract_margin}"
                if late
                else f"has only {k.contract_margin} working days of margin to the contract end {k.contract_end}"
            )
            + (" working days" if late else "")
        )
    contract_reasons = len(reds) + len(ambers)
    if k.deadline_margin is not None:
        if k.deadline_margin < 0:
            reds.append(f"finish {k.finish} misses the deadline {k.deadline} by {-k.deadline_margin} working days")
        elif k.deadline_margin < MARGIN_AMBER:
            ambers.append(f"only {k.deadline_margin} working days of margin to the deadline {k.deadline}")
        if p80_days is not None and k.deadline is not None:
            cap = sched.calendar.deadline_offset(k.deadline)
            if p80_days > cap:
                (reds if k.deadline_margin < MARGIN_AMBER else ambers).append(
                    f"the P80 finish lies {p80_days - cap} working days past the deadline"
                )
    table = sched.table.set_index("id")
    handover = k.handover.id if k.handover else None
    for task in plan.tasks:  # a task's own deadline, e.g. an exit plan due; the handover's is the contract end
        if task.deadline is None or (task.id == handover and k.contract_end is not None):
            continue
        margin = sched.margin(task.deadline, int(table.loc[task.id, "ef"]))
        if margin < 0:
            reds.append(f"{task.id} misses its deadline {task.deadline} by {-margin} working days")
        elif margin < MARGIN_AMBER:
            ambers.append(f"only {margin} working days of margin to {task.id}'s deadline {task.deadline}")
    for task in plan.tasks:
        status = gate_status(task)
        if status == "failed":
            reds.append(f"gate {task.id} failed ({task.name})")
        elif status == "pending" and dt.date.fromisoformat(table.loc[task.id, "finish"]) < today:
            ambers.append(f"gate {task.id} is past its date with criteria still open")
    if "finish_variance" in table.columns:
        slip = table["finish_variance"].max()  # NA when the baseline names none of the tasks
        if not pd.isna(slip) and int(slip) > 0:
            worst = table["finish_variance"].idxmax()
            text = f"{worst} finishes {int(slip)} working days later than the baseline"
            (reds if int(slip) > SLIP_RED else ambers).append(text)
    standing = _contract_standing(k)
    lead = f"{standing}; but " if standing and not contract_reasons else ""
    if reds:
        return Status("red", lead + reds[0])
    if ambers:
        return Status("amber", lead + ambers[0])
    if standing:
        return Status("green", f"on track: {standing}")
    spare = f"; {k.deadline_margin} working days of margin" if k.deadline_margin is not None else ""
    return Status("green", f"on track for {k.finish}{spare}")


def _contract_standing(k: KeyFigures) -> str:
    """How the handover stands against the contract end, leading any other reason: a deadline of a
    task (an exit plan due, say) never takes the headline from the contract end."""
    if k.contract_end is None or k.contract_margin is None:
        return ""
    c = k.contract
    if c is not None:
        return (
            f"the handover meets the contract end {k.contract_end} (P80 {c.p80}, {c.chance:.0%} chance; "
            f"{k.contract_margin} working days of margin at most likely)"
        )
    return (
        f"the handover (most likely {k.handover.date if k.handover else '?'}) meets the contract end "
        f"{k.contract_end} with {k.contract_margin} working days of margin"
    )


def committed(plan: Plan, network: Network | None = None, levelled: Schedule | None = None) -> RiskResult | None:
    """The committed run (`planner.risk.contract.committed_run`) the status, the key figures and the
    report show: None without estimates, for plans over QUICK_RISK_TASKS tasks, or when the
    simulation refuses the plan (the Risk view says why)."""
    if len(plan.tasks) > QUICK_RISK_TASKS or not any(t.estimate is not None for t in plan.tasks):
        return None
    from planner.risk.contract import committed_run

    try:
        return committed_run(plan, network, levelled)
    except PlanError:
        return None
