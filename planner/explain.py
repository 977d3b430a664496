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


SLIP_REACH = 60  # working days: the longest slip tried when telling how much a task may slip


def finish_moves(sched: Schedule, task_id: str, days: int) -> int:
    """Working days the plan finish moves when `task_id` takes `days` more working days, rescheduled
    as the plan schedules (levelled when it levels, steering meetings and freezes included)."""
    from planner.scheduling import schedule

    task = sched.plan.task(task_id)
    slipped = sched.plan.with_durations({task_id: task.duration + days})
    return schedule(slipped, network=sched.network).finish_offset - sched.finish_offset


def slip_room(sched: Schedule, task_id: str) -> tuple[int, int] | None:
    """The smallest slip (working days) of `task_id` that moves the plan finish, and by how much;
    None when no slip up to SLIP_REACH does. Found by trying slips on the schedule itself (a float
    says what the network allows; levelling, meetings and freezes can absorb or amplify a slip)."""
    moved = finish_moves(sched, task_id, 1)
    if moved > 0:
        return 1, moved
    low, high = 1, 2  # low never moves the finish
    while (moved := finish_moves(sched, task_id, high)) <= 0:
        if high >= SLIP_REACH:
            return None
        low, high = high, min(2 * high, SLIP_REACH)
    while high - low > 1:
        mid = (low + high) // 2
        if (m := finish_moves(sched, task_id, mid)) > 0:
            high, moved = mid, m
        else:
            low = mid
    return high, moved


def _absorbs(sched: Schedule, task_id: str) -> str:
    """Why a task with no float on paper can still slip without moving the finish."""
    if sched.levelling is not None:
        return "levelling re-sequences the work around a slip"
    if sched.plan.steering is not None or sched.plan.freezes:
        return "a steering meeting or a freeze window is waited for anyway"
    if sched.plan.task(task_id).deadline is not None:
        return "its float is counted to its own deadline"
    return "the network absorbs it"


def _days(n: int) -> str:
    return f"{n} working day{'s' if abs(n) != 1 else ''}"


def slip_verdict(sched: Schedule, task_id: str) -> str:
    """The task's float and what a slip of it really does to the plan finish, checked by rescheduling."""
    row = sched.table.set_index("id").loc[task_id]
    tf = int(row["total_float"])
    days = f"{_days(tf)} of float"
    if sched.plan.task(task_id).actual_finish is not None:
        return f"{days}: done, it can no longer slip"
    room = slip_room(sched, task_id)
    missed = f"; a deadline is missed by {_days(-tf)}" if tf < 0 else ""
    if room is None:
        return f"{days}{missed}: no slip of up to {_days(SLIP_REACH)} moves the plan finish"
    first, moved = room
    if first == 1:
        return f"{days}{missed}: critical, a 1-working-day slip moves the plan finish by {_days(moved)}"
    if tf <= 0:
        return (
            f"{days}{missed} on paper, yet it can slip {_days(first - 1)} before the plan finish moves "
            f"({_absorbs(sched, task_id)}); a {first}-day slip moves it by {_days(moved)}"
        )
    return f"{days}: it can slip {_days(first - 1)} before the plan finish moves"


def explain(sched: Schedule, task_id: str) -> list[str]:
    """Sentences from the task back to the start of its driving chain, then its float and what a
    slip of it does to the plan finish."""
    rows = sched.table.set_index("id").loc
    lines = [_sentence(sched, d, rows) for d in driving_chain(sched, task_id)]
    lines[0] = f"{lines[0]}; {slip_verdict(sched, task_id)}"
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
    contract_end: dt.date | None = None  # the handover's deadline, with or without a run
    contract_margin: int | None = None  # working days from the most likely handover to it; negative = late


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
    finishes = t["finish"].tolist()
    handover = plan.handover(finishes)
    contract_end = plan.contract_end(finishes)
    contract_margin = None
    if contract_end is not None and handover is not None:
        contract_margin = sched.margin(contract_end, int(by_id.loc[handover, "ef"]))
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
        contract_end=contract_end,
        contract_margin=contract_margin,
    )
