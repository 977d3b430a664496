"""What a plan costs (DESIGN.md, "Costs"): transition effort, the incumbent's and the new provider's
run costs with the double running between them, an extension past the contract end, one-off costs
and the total, from the schedule the plan shows (levelled when it levels).

Money is exact: Decimal, each line rounded once to the cent (half to even). A month is 365.25 / 12
calendar days; run costs are prorated by the calendar days they run, both ends included.

- Effort: each task's working days x the day rate of every resource it uses (x its units), or,
  for a task that names no resource, the day rate of its owner's party.
- The incumbent is paid from the plan start until the later of the contract end and the handover
  plus the termination assistance. The days between the contract end and a later handover are an
  extension, at the extension price when the plan gives one.
- The new provider is paid from the first transfer (the pilot go, else the first cutover), for the
  share of the volume it carries (the pilot share, then each cutover's cumulative share), until the
  plan finishes. Double running is the provider's cost while the incumbent is still paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np

from planner.core.model import Plan
from planner.core.schedule import Schedule

DAYS_PER_MONTH = Decimal("365.25") / 12
EPOCH = dt.date(1970, 1, 1)  # day numbers count from it (`WorkCalendar.day_numbers`)
CENT = Decimal("0.01")
CATEGORIES = ("effort", "incumbent", "extension", "provider", "one-off")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class CostLine:
    category: str  # one of CATEGORIES
    label: str
    amount: Decimal


@dataclass(frozen=True)
class PlanCost:
    """A plan's costs, line by line, in its currency."""

    currency: str
    lines: tuple[CostLine, ...]
    double_running_days: int  # calendar days both the incumbent and the new provider are paid
    double_running: Decimal  # the new provider's cost over those days
    budget: Decimal | None

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    def by_category(self) -> dict[str, Decimal]:
        out = dict.fromkeys(CATEGORIES, Decimal(0))
        for line in self.lines:
            out[line.category] += line.amount
        return out

    def to_json(self) -> dict:
        return {
            "currency": self.currency,
            "total": str(self.total),
            "by_category": {k: str(v) for k, v in self.by_category().items()},
            "double_running": {"days": self.double_running_days, "amount": str(self.double_running)},
            "budget": None if self.budget is None else str(self.budget),
            "lines": [{"category": x.category, "label": x.label, "amount": str(x.amount)} for x in self.lines],
        }


def _prorated(monthly: Decimal, days: int) -> Decimal:
    return cents(monthly * days / DAYS_PER_MONTH) if days > 0 else Decimal(0)


def transfer_steps(plan: Plan, finish_of: Mapping[str, dt.date], handover: str) -> list[tuple[str, Decimal]]:
    """The tasks at which the new provider takes each share of the volume (as a fraction): the
    pilot go, then each cutover; for a plan not made from a template, the handover takes it all."""
    record = plan.generated
    if record is None or (not record.waves and record.pilot_share == 0):
        return [(handover, Decimal(1))]
    steps = []
    if record.pilot_share:
        gates = [t.id for t in plan.tasks if t.wave == 0 and t.is_gate]
        if gates:
            steps.append((min(gates, key=lambda i: finish_of[i]), Decimal(str(record.pilot_share)) / 100))
    cumulative = Decimal(str(record.pilot_share))
    shares = record.wave_shares or (100 - record.pilot_share,)
    for n, share in enumerate(shares, 1):
        cumulative = Decimal(100) if n == len(shares) else cumulative + Decimal(str(share))
        if f"W{n}-CUTOVER" in finish_of:
            steps.append((f"W{n}-CUTOVER", cumulative / 100))
    return steps or [(handover, Decimal(1))]


def task_day_rates(plan: Plan) -> list[tuple[tuple[str, Decimal, Decimal], ...]]:
    """Per task, who is paid for each of its working days: (resource or party, units, day rate)."""
    model = plan.costs
    assert model is not None
    out = []
    for task in plan.tasks:
        payers = [(rid, Decimal(str(units)), model.rates.get(rid)) for rid, units in task.uses]
        if not task.uses:
            payers = [(task.owner or "", Decimal(1), model.party_rates.get(task.owner or ""))]
        out.append(tuple((who, units, rate) for who, units, rate in payers if rate is not None))
    return out


def incumbent_terms(plan: Plan, handover: str) -> tuple[dt.date | None, int]:
    """The contract end the handover is bound to (its deadline) and the termination assistance in days."""
    assistance = (plan.generated.termination_assistance if plan.generated else None) or 0
    return plan.task(handover).deadline, assistance


def incumbent_days(handed: Any, end: Any, assistance: int) -> tuple[Any, Any]:
    """The incumbent's last paid day and the days of extension, for a handover on day `handed`
    (day numbers, one or an array of draws) against a contract end `end` (None: no contract end):
    paid until the later of the contract end and the handover plus the termination assistance;
    the days from the contract end to a later handover are the extension. The one rule, for the
    schedule (`plan_cost`, `monthly_costs`) and for every Monte Carlo draw."""
    paid_until = np.maximum(handed + assistance, handed if end is None else end)
    extension = np.maximum(handed - end, 0) if end is not None else np.zeros_like(handed)
    return paid_until, extension


@dataclass(frozen=True)
class _Periods:
    """The calendar-day ranges run costs are paid over, from a schedule (both ends included)."""

    incumbent: tuple[tuple[dt.date, dt.date], ...]  # at its run cost
    extension: tuple[dt.date, dt.date] | None  # past the contract end, at the extension price
    end: dt.date | None  # the contract end
    paid_until: dt.date
    provider: tuple[tuple[dt.date, dt.date, Decimal], ...]  # each share of the volume, first to last day


def _periods(sched: Schedule, finish_of: Mapping[str, dt.date]) -> _Periods:
    plan = sched.plan
    handover = plan.handover(sched.table["finish"].tolist()) or plan.tasks[-1].id
    handed = finish_of[handover]
    end, assistance = incumbent_terms(plan, handover)
    until, extension = incumbent_days((handed - EPOCH).days, None if end is None else (end - EPOCH).days, assistance)
    paid_until = EPOCH + dt.timedelta(days=int(until))
    one_day = dt.timedelta(days=1)
    incumbent: tuple[tuple[dt.date, dt.date], ...]
    if end is not None and extension:  # the regular run, the extension, then the termination assistance
        incumbent = ((plan.start, end), (handed + one_day, paid_until))
        late: tuple[dt.date, dt.date] | None = (end + one_day, handed)
    else:
        incumbent, late = ((plan.start, paid_until),), None
    steps = [(finish_of[tid], share) for tid, share in transfer_steps(plan, finish_of, handover)]
    bounds = [day for day, _ in steps[1:]] + [sched.finish]
    provider = tuple((first, last - one_day, share) for (first, share), last in zip(steps, bounds, strict=True))
    return _Periods(tuple((a, b) for a, b in incumbent if b >= a), late, end, paid_until, provider)


def _days(first: dt.date, last: dt.date) -> int:
    return max(0, (last - first).days + 1)


def plan_cost(sched: Schedule) -> PlanCost | None:
    """The plan's costs from its schedule; None when the plan has no cost model."""
    plan = sched.plan
    model = plan.costs
    if model is None:
        return None
    table = sched.table
    finish_of = {tid: dt.date.fromisoformat(day) for tid, day in zip(table["id"], table["finish"], strict=True)}
    lines: list[CostLine] = []
    effort: dict[str, tuple[Decimal, Decimal]] = {}  # who -> (person-days, amount)
    for payers, days in zip(task_day_rates(plan), table["duration"].tolist(), strict=True):
        for who, units, rate in payers:
            if days:
                person_days, amount = effort.get(who, (Decimal(0), Decimal(0)))
                effort[who] = (person_days + units * days, amount + units * days * rate)
    for who, (person_days, amount) in effort.items():
        lines.append(CostLine("effort", f"{who}: {person_days.normalize():f} person-days", cents(amount)))
    periods = _periods(sched, finish_of)
    if model.incumbent_monthly is not None:
        regular = sum(_days(a, b) for a, b in periods.incumbent)
        lines.append(
            CostLine(
                "incumbent", f"{regular} days to {periods.paid_until}", _prorated(model.incumbent_monthly, regular)
            )
        )
    price = model.extension_monthly if model.extension_monthly is not None else model.incumbent_monthly
    if periods.extension is not None and price is not None:
        late = _days(*periods.extension)
        lines.append(CostLine("extension", f"{late} days past {periods.end}", _prorated(price, late)))
    overlap_days, overlap = 0, Decimal(0)
    if model.provider_monthly is not None:
        for first, last, share in periods.provider:
            monthly = model.provider_monthly * share
            lines.append(
                CostLine("provider", f"{share * 100:.0f}% from {first}", _prorated(monthly, _days(first, last)))
            )
            both = _days(first, min(last, periods.paid_until))
            if both:
                overlap_days += both
                overlap += _prorated(monthly, both)
    for item in model.one_offs:
        lines.append(CostLine("one-off", item.name or f"on {item.task}", item.amount))
    return PlanCost(model.currency, tuple(lines), overlap_days, overlap, model.budget)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _calendar_days(first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Calendar days per month from `first` to `last`, both included."""
    out: dict[dt.date, int] = {}
    day = first
    while day <= last:
        nxt = (_month(day) + dt.timedelta(days=32)).replace(day=1)
        stop = min(last, nxt - dt.timedelta(days=1))
        out[_month(day)] = out.get(_month(day), 0) + (stop - day).days + 1
        day = nxt
    return out


def monthly_costs(sched: Schedule) -> list[tuple[dt.date, str, Decimal]]:
    """The cost by month and category (each cell rounded to the cent): effort over each task's
    working days, run costs over their calendar days, one-offs in the month their task finishes.
    The cells add up to `plan_cost`'s total within a few cents of rounding."""
    plan, model = sched.plan, sched.plan.costs
    if model is None:
        return []
    cal, table = sched.calendar, sched.table
    cells: dict[tuple[dt.date, str], Decimal] = {}

    def add(month: dt.date, category: str, amount: Decimal) -> None:
        cells[(month, category)] = cells.get((month, category), Decimal(0)) + amount

    finish_of = {tid: dt.date.fromisoformat(day) for tid, day in zip(table["id"], table["finish"], strict=True)}
    starts = [dt.date.fromisoformat(day) for day in table["start"]]
    for payers, days, first, task in zip(
        task_day_rates(plan), table["duration"].tolist(), starts, plan.tasks, strict=True
    ):
        daily = sum((units * rate for _, units, rate in payers), Decimal(0))
        if daily and days:
            for month, count in _calendar_days(first, finish_of[task.id]).items():
                last = min(finish_of[task.id], (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
                worked = cal.working_days_between(max(first, month), last) if count else 0
                add(month, "effort", daily * worked)
    periods = _periods(sched, finish_of)
    runs: list[tuple[str, Decimal | None, dt.date, dt.date]] = [
        ("incumbent", model.incumbent_monthly, a, b) for a, b in periods.incumbent
    ]
    price = model.extension_monthly if model.extension_monthly is not None else model.incumbent_monthly
    if periods.extension is not None:
        runs.append(("extension", price, *periods.extension))
    if model.provider_monthly is not None:
        runs += [("provider", model.provider_monthly * share, a, b) for a, b, share in periods.provider]
    for category, monthly, first, last in runs:
        if monthly is not None:
            for month, count in _calendar_days(first, last).items():
                add(month, category, monthly * count / DAYS_PER_MONTH)
    for item in model.one_offs:
        add(_month(finish_of[item.task]), "one-off", item.amount)
    return [(month, category, cents(amount)) for (month, category), amount in sorted(cells.items())]
