"""Why a task is where it is, and the key figures a steering committee asks for first.

Words, not charts: "W2-CUTOVER starts 2027-06-14 because W2-GO finishes 2027-06-11; 0 working
days of float". The chain follows each task's driving link back to the plan start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from planner.core.links import FROM_FINISH, TO_FINISH
from planner.core.schedule import Driver, Schedule
from planner.risk.contract import ContractEnd, verdict
from planner.risk.result import RiskResult


def driving_chain(sched: Schedule, task_id: str) -> list[Driver]:
    """Drivers from `task_id` back to a task that starts at the plan start or its not-before date."""
    chain: list[Driver] = []
    seen: set[str] = set()
    current = task_id
    while current not in seen:
        seen.add(current)
        driver = sched.drivers[current]
        chain.append(driver)
        if driver.link is None:
            break
        current = driver.link.task
    return chain


def _lag_words(lag: int) -> str:
    if lag > 0:
        return f" + {lag} working day{'s' if lag != 1 else ''} lag"
    if lag < 0:
        return f" - {-lag} working day{'s' if lag != -1 else ''} lead"
    return ""


def _sentence(sched: Schedule, driver: Driver, row: Any) -> str:
    me = row[driver.task]
    if int(me["duration"]) == 0:
        starts = finishes = f"falls on {me['start']}"
    else:
        starts, finishes = f"starts {me['start']}", f"finishes {me['finish']}"
    if driver.link is None:
        if driver.reason == "not_before":
            nb = sched.plan.task(driver.task).not_before
            return f"{driver.task} {starts}, held by its not-before date {nb}"
        if driver.reason == "steering":
            return f"{driver.task} {starts}, the steering committee's next meeting once its evidence is ready"
        if driver.reason == "freeze":
            return f"{driver.task} {starts}, moved after {driver.resource}: no cutover or hypercare in a freeze"
        return f"{driver.task} {starts}, the plan start"
    link = driver.link
    pred = row[link.task]
    if driver.reason == "resource":
        return (
            f"{driver.task} {starts} because it waits for {driver.resource}, used by {link.task} until {pred['finish']}"
        )
    lag = _lag_words(link.lag)
    tied = f"finishes {pred['finish']}" if FROM_FINISH[link.type] else f"starts {pred['start']}"
    return f"{driver.task} {finishes if TO_FINISH[link.type] else starts} because {link.task} {tied}{lag}"


def explain(sched: Schedule, task_id: str) -> list[str]:
    """Sentences from the task back to the start of its driving chain, then its float."""
    rows = sched.table.set_index("id").loc
    tf = int(rows[task_id]["total_float"])
    lines = [_sentence(sched, d, rows) for d in driving_chain(sched, task_id)]
    days = f"{tf} working day{'s' if abs(tf) != 1 else ''} of float"
    if tf < 0:
        verdict = f"{days}: a deadline is missed by {-tf} working day{'s' if tf != -1 else ''}"
    elif tf == 0:
        verdict = f"{days}: critical, any slip moves the plan finish"
    else:
        verdict = f"{days}: it can slip {tf} working day{'s' if tf != 1 else ''} before the plan finish moves"
    lines[0] = f"{lines[0]}; {verdict}"
    return lines


@dataclass(frozen=True)
class Milestone:
    id: str
    name: str
    date: dt.date


@dataclass(frozen=True)
class KeyFigures:
    """The figures on top of every plan view."""

    finish: dt.date
    finish_days: int
    deadline: dt.date | None
    deadline_margin: int | None  # working days; negative = missed
    critical_count: int
    task_count: int
    next_milestone: Milestone | None
    pilot_go: Milestone | None
    handover: Milestone | None
    p80: dt.date | None = None  # the committed finish (`planner.risk.contract.committed_run`)
    contract: ContractEnd | None = None  # the handover against the contract end, at that P80


def _milestone(table: Any, task_id: str) -> Milestone:
    row = table.loc[task_id]
    return Milestone(task_id, row["name"], dt.date.fromisoformat(row["finish"]))


def key_figures(sched: Schedule, today: dt.date | None = None, run: RiskResult | None = None) -> KeyFigures:
    """Plan finish, deadline margin, critical tasks, next milestone, pilot go/no-go, handover; with
    the committed run `run`, the P80 finish and the contract-end verdict.

    Pilot go/no-go is the first gate of the pilot (wave 0); the handover is `Plan.handover`'s.
    """
    today = today or dt.date.today()
    plan = sched.plan
    t = sched.table
    margin = None
    if plan.deadline:
        margin = sched.margin(plan.deadline)
    by_id = t.set_index("id")
    dated = sorted(
        ((dt.date.fromisoformat(t["finish"].iat[i]), i) for i, task in enumerate(plan.tasks) if task.is_key_date)
    )
    upcoming = next((plan.tasks[i].id for d, i in dated if d >= today), None)
    pilot_gates = [task.id for task in plan.tasks if task.wave == 0 and task.is_gate]
    pilot = min(pilot_gates, key=lambda i: by_id.loc[i, "finish"]) if pilot_gates else None
    handover = plan.handover(t["finish"].tolist())
    return KeyFigures(
        finish=sched.finish,
        finish_days=sched.finish_offset,
        deadline=plan.deadline,
        deadline_margin=margin,
        critical_count=int(t["critical"].sum()),
        task_count=len(plan.tasks),
        next_milestone=_milestone(by_id, upcoming) if upcoming else None,
        pilot_go=_milestone(by_id, pilot) if pilot else None,
        handover=_milestone(by_id, handover) if handover else None,
        p80=run.finish_dates[80] if run is not None else None,
        contract=verdict(plan, run, sched.passes.ef) if run is not None else None,
    )
