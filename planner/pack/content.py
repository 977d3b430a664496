"""What a steering committee sees, computed once from a schedule: the pack's content, which the
slides and the PDF both lay out (`planner.pack.slides`, `planner.pack.pdf`).

Every part is cut to what a slide holds, whatever the plan's size: the timeline rolls tasks up
into phases and waves, the tables keep the rows that matter most and say how many more there
are. The pack for a party holds only what that party may see (`planner.audience`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from planner.audience import Audience, audience
from planner.core.gates import criterion_status, gate_status
from planner.core.model import RaidItem
from planner.core.schedule import Schedule
from planner.explain import key_figures
from planner.levelling.usage import OverAllocation, over_allocations
from planner.pack.timeline import Timeline, timeline
from planner.pack.trend import Trend
from planner.risk.result import RiskResult
from planner.status import Status, committed, plan_status

KEY_DATES = 10  # rows of the key-dates table
NEXT_GATES = 4
TOP_RISKS = 5
STRETCHED = 6
DECISIONS = 6


@dataclass(frozen=True)
class KeyDate:
    what: str
    task: str
    name: str
    most_likely: dt.date
    p80: dt.date | None
    baseline: dt.date | None


@dataclass(frozen=True)
class GateCheck:
    """A gate coming up: its date, status and each criterion as (KPI, target, actual, status)."""

    id: str
    name: str
    date: dt.date
    status: str
    criteria: tuple[tuple[str, str, str, str], ...]


@dataclass(frozen=True)
class TopRisk:
    id: str
    title: str
    owner: str
    probability: int | None
    impact: int | None
    score: int | None
    schedule_impact: str  # "30%: +5/10/20 working days on W1-KT", or ""


@dataclass(frozen=True)
class Stretch:
    """A resource asked for more than it has: when, how much, and whether levelling resolves it."""

    resource: str
    periods: int
    first: dt.date
    last: dt.date
    peak: float
    capacity: float
    levelled: str  # what levelling does about it, in words
    tasks: tuple[str, ...]  # the tasks that clash in the worst run (those the audience sees)


@dataclass(frozen=True)
class Pack:
    plan: str
    view: str
    status_date: dt.date
    status: Status
    tasks: int
    timeline: Timeline
    key_dates: tuple[KeyDate, ...]
    more_key_dates: int
    contract: str | None  # the contract-end verdict, as a committee reads it
    cost: str | None  # P50 and P80 cost, when the plan has a cost model
    gates: tuple[GateCheck, ...]
    decisions: tuple[str, ...]
    risks: tuple[TopRisk, ...]
    open_risks: int
    heat: tuple[tuple[int, ...], ...]  # heat[p - 1][i - 1]: open risks of probability p and impact i
    stretched: tuple[Stretch, ...]
    levelled_note: str
    trend: Trend | None


def steering_pack(
    sched: Schedule,
    view: str = "full",
    today: dt.date | None = None,
    run: RiskResult | None = None,
    trend: Trend | None = None,
) -> Pack:
    """The pack of `sched` as the audience named `view` may see it. `run` is the plan's committed
    run when the caller has it; `trend` the saved plan's forecast trend (None for a plan file)."""
    plan = sched.plan
    who = audience(plan, view)
    run = run if run is not None else committed(plan, sched.network, sched if sched.levelling else None)
    status_day = plan.status_date or today or dt.date.today()
    figures = key_figures(sched, status_day, run)
    contract = figures.contract
    dates, more = _key_dates(sched, who, run, figures.handover.id if figures.handover else None)
    gates = _gates(sched, who, status_day)
    heat = [[0] * 5 for _ in range(5)]
    risks = [r for r in who.raid(plan) if r.kind == "risk" and r.is_open]
    for r in risks:
        if r.probability and r.impact:
            heat[r.probability - 1][r.impact - 1] += 1
    stretched, note = _stretched(sched, who)
    return Pack(
        plan=plan.name,
        view=view,
        status_date=status_day,
        status=plan_status(sched, status_day, run),
        tasks=sum(who.sees(t) for t in plan.tasks),
        timeline=timeline(sched, who, status_day, contract.contract_end if contract else None),
        key_dates=dates,
        more_key_dates=more,
        contract=contract.sentence() if contract else None,
        cost=_cost(sched, run) if view == "full" else None,
        gates=gates,
        decisions=_decisions(sched, who, gates, status_day),
        risks=tuple(_risk(r) for r in sorted(risks, key=_risk_order)[:TOP_RISKS]),
        open_risks=len(risks),
        heat=tuple(tuple(row) for row in heat),
        stretched=stretched,
        levelled_note=note,
        trend=trend if view == "full" or trend is None else _party_trend(trend),
    )


def _party_trend(trend: Trend) -> Trend:
    """A party sees the handover's dates move (a key date) but not the whole plan's P80 finish."""
    points = tuple(replace(p, finish_p80=None) for p in trend.points)
    since = replace(trend.since, finish_p80=None) if trend.since else None
    return Trend(points, since, trend.committee)


def _key_dates(
    sched: Schedule, who: Audience, run: RiskResult | None, handover: str | None
) -> tuple[tuple[KeyDate, ...], int]:
    """The handover, then each gate the audience sees, in date order; the plan finish last."""
    plan = sched.plan
    t = sched.table
    base = plan.baseline.tasks if plan.baseline else {}
    rows = []
    for j, task in enumerate(plan.tasks):
        if not who.sees(task) or not (task.is_gate or task.id == handover):
            continue
        rows.append(
            KeyDate(
                "Handover" if task.id == handover else "Gate",
                task.id,
                task.name,
                dt.date.fromisoformat(t["finish"].iat[j]),
                run.task_p80_dates[j] if run is not None else None,
                base[task.id].finish if task.id in base else None,
            )
        )
    rows.sort(key=lambda k: (k.what != "Handover", k.most_likely))
    shown = rows[: KEY_DATES - 1]
    finish = KeyDate(
        "Plan finish", "", "Plan finish", sched.finish, run.finish_dates[80] if run is not None else None, None
    )
    return (*sorted(shown, key=lambda k: k.most_likely), finish), len(rows) - len(shown)


def _cost(sched: Schedule, run: RiskResult | None) -> str | None:
    from planner.costs import plan_cost

    cost = plan_cost(sched)
    if cost is None:
        return None
    text = f"Cost {cost.currency} {cost.total:,.0f} as planned"
    if run is not None and run.cost is not None:
        q = run.cost.percentiles
        text += f"; P50 {q[50]:,.0f}, P80 {q[80]:,.0f}"
    return text + f"; double running {cost.double_running_days} days"


def _gates(sched: Schedule, who: Audience, today: dt.date) -> tuple[GateCheck, ...]:
    """Failed gates first, then the next pending ones by date."""
    plan = sched.plan
    finish = dict(zip(sched.table["id"], sched.table["finish"], strict=True))
    out = []
    for task in plan.tasks:
        status = gate_status(task)
        day = dt.date.fromisoformat(finish[task.id])
        if status is None or not who.sees(task) or status == "passed":
            continue
        if status == "pending" and day < today - dt.timedelta(days=14):
            status = "overdue"
        criteria = tuple(
            (c.kpi, c.target, str(c.actual) if c.actual is not None else "", criterion_status(c))
            for c in task.gate.criteria  # type: ignore[union-attr]  # a gate has one
        )
        out.append(GateCheck(task.id, task.name, day, status, criteria))
    out.sort(key=lambda g: (g.status == "pending", g.date))
    return tuple(out[:NEXT_GATES])


def _decisions(sched: Schedule, who: Audience, gates: tuple[GateCheck, ...], today: dt.date) -> tuple[str, ...]:
    """The decisions the committee must take: open decision items, then the go/no-go calls due
    within six weeks."""
    plan = sched.plan
    out = [
        f"{r.id}: {r.title}" + (f" (due {r.due})" if r.due else "") + (f" — {r.owner}" if r.owner else "")
        for r in who.raid(plan)
        if r.kind == "decision" and r.is_open
    ]
    horizon = today + dt.timedelta(weeks=6)
    for g in gates:
        if g.status == "failed":
            out.append(f"{g.id}: gate failed on {g.date}; decide to hold, re-plan or proceed at risk")
        elif g.date <= horizon:
            out.append(f"{g.id}: go/no-go on {g.date} ({g.name})")
    return tuple(out[:DECISIONS])


def _risk_order(r: RaidItem) -> tuple[int, float]:
    impact = r.schedule_impact
    expected = impact.probability * impact.delay.likely if impact is not None else 0.0
    return (-(r.score or 0), -expected)


def _risk(r: RaidItem) -> TopRisk:
    words = ""
    if r.schedule_impact is not None:
        d = r.schedule_impact.delay
        words = (
            f"{r.schedule_impact.probability:.0%} chance of +{d.optimistic:g}/{d.likely:g}/{d.pessimistic:g} "
            f"working days on {', '.join(r.tasks)}"
        )
    return TopRisk(r.id, r.title, r.owner or "", r.probability, r.impact, r.score, words)


def _stretched(sched: Schedule, who: Audience) -> tuple[tuple[Stretch, ...], str]:
    """Who is over-stretched and when in the plan as drawn without levelling, and what levelling does."""
    plan = sched.plan
    seen = {r.id for r in who.resources(plan)}
    if not seen or not any(t.uses for t in plan.tasks):
        return (), ""
    from planner.scheduling import unlevelled_and_levelled

    plain, levelled = unlevelled_and_levelled(sched)
    by_resource: dict[str, list[OverAllocation]] = {}
    for o in over_allocations(plain):
        if o.resource in seen:
            by_resource.setdefault(o.resource, []).append(o)
    still = {o.resource for o in over_allocations(levelled)} if levelled is not None else set()
    rows = []
    for rid, runs in by_resource.items():
        worst = max(runs, key=lambda o: o.peak)
        fix = "still over after levelling" if rid in still else "levelling resolves it"
        shown = tuple(i for i in worst.tasks if who.sees(plan.task(i)))
        rows.append(Stretch(rid, len(runs), runs[0].first, runs[-1].last, worst.peak, worst.capacity, fix, shown))
    rows.sort(key=lambda s: -s.peak / s.capacity)
    note = ""
    if levelled is not None and rows:
        moved = (levelled.finish - plain.finish).days
        note = f"Levelled, the plan finishes {levelled.finish} ({moved:+d} days against {plain.finish} unlevelled)" + (
            "; the plan's dates are the levelled ones." if plan.level else "; the plan is not levelled."
        )
    return tuple(rows[:STRETCHED]), note
