"""Plans from templates, sized by the volume they move (DESIGN.md, "Scope-driven pilot and waves").

A template file (`templates/NAME.yaml`) holds the fixed tasks (due diligence to the pilot's scale
gate), a per-wave block and the tasks after the last wave. The block is repeated once per wave,
or once for the single cutover of the remaining scope when there are no waves, with DOMAIN.md's
overlap rules written into the block itself:

- inside the block, `X` is this wave's task X (ids become `W2-X`);
- `prev.X` is the previous wave's X; for wave 1 the block's `first` mapping names the fixed tasks
  that stand in (usually the pilot gates);
- after the block, `last.X` is the last wave's X;
- the block's `carry: {K: X}` makes `prev.K` the previous wave's X from wave 2 on (wave 1 takes
  `first`'s K, if any): a rule that differs for the first wave.

Work that grows with volume says so with `scale:` (`pilot`: the pilot share; `wave`: the wave's
share; `hypercare`: the wave's share with the hypercare size factor; `size` and `size-hypercare`:
the plan size only), relative to the template's `reference` shares, never under `floor:` working
days (default 5). A block task's `later:` estimate applies from wave 2 on (the team has learnt the
service); `last_depends_on:` adds links to the last wave's copy only (a backup provider ready
before the last cutover). `due: {after: ID, months: M}` gives a task a deadline M months after
ID's planned finish. `handover:` (default CUTOVER) names the block task whose last copy
`--contract-end` constrains; a template's `termination_assistance: {task}` also gives that task a
deadline the plan's termination assistance (90 calendar days by default) after the contract end
(an exit's incumbent helps only that long).
With no waves the block runs once, named "Rollout" ({wave}) and carrying the rest of the volume.

Names and criteria may use {pilot_share}, {wave}, {n}, {next}, {share}, {cumulative},
{remaining}, {waves}, {final_share} and {unit}: shares are percentages of the volume the transition moves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from planner.core.calendar import WorkCalendar
from planner.core.links import format_link, parse_link
from planner.core.model import Generation, Plan, PlanError, Problem
from planner.core.schedule import Schedule
from planner.core.validate import parse_plan
from planner.core.windows import STEERING
from planner.generate.catalogue import (
    MAX_WAVES,
    SIZES,
    TemplateInfo,
    fill,
    next_monday,
    pct,
    raw_template,
    template_info,
)
from planner.generate.pilot import pilot_tasks, raid_for, without_pilot
from planner.generate.sizing import DEFAULT_FLOOR, SIZE_SCALES, Sizing, cutover_risk, scaled_estimate, split_shares

MAX_PILOT = 25
MAX_SENSIBLE_WAVES = 6
MIN_WAVE_SHARE = 5
YEAR_END_FREEZE_YEARS = 5  # plans run a few years at most: a large exit with waves is under 2
TERMINATION_ASSISTANCE_DAYS = 90  # FAR's phase-out ceiling, a common contract default (DOMAIN.md 7)
MAX_TERMINATION_ASSISTANCE_DAYS = 730
_TEMPLATE_KEYS = (
    "scale",
    "floor",
    "later",
    "due",
    "last_depends_on",
    "volume_days",
    "pilot_only",
    "depends_on_without_pilot",
)


@dataclass(frozen=True)
class Generated:
    """A generated plan and what its maker should hear about it (a pilot too big to be one, a
    contract end the handover misses)."""

    plan: Plan
    warnings: tuple[str, ...]
    handover: str  # the last cutover's id: where --contract-end applies
    schedule: Schedule  # the plan's dates, levelled when it levels: made once, for every caller


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(float(x), 2)


def _estimate_list(value: Any) -> list[float] | None:
    if isinstance(value, Mapping):
        return [value["optimistic"], value["likely"], value["pessimistic"]]
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return None


def _task(t: Mapping[str, Any], values: Mapping[str, Any], sizing: Sizing, share: float | None, n: int) -> dict:
    """A template task filled in: placeholders, the later waves' estimate, its size and volume."""
    where = f"template {values['template']} task {t.get('id')}"
    out = {k: fill(v, values) for k, v in t.items() if k not in ("depends_on", "gate", *_TEMPLATE_KEYS)}
    if n >= 2 and "later" in t:
        out["estimate"] = t["later"]
    kind, per_tenth = t.get("scale"), t.get("volume_days")
    if per_tenth is not None and share is None:
        raise PlanError([Problem(where, "volume_days", "only pilot tasks and the wave block move a volume")])
    if kind is not None or per_tenth is not None:
        factor = sizing.factor(kind, where) if kind is not None else 1.0
        extra = sizing.volume(per_tenth, share or 0.0) if per_tenth is not None else (0.0, 0.0, 0.0)
        floor = float(t.get("floor", DEFAULT_FLOOR if kind is not None else 0))  # volume only adds
        three = _estimate_list(out.get("estimate"))
        if three is None and "duration" in out:
            three = [out["duration"]] * 3
        if three is not None:
            out["estimate"] = scaled_estimate(three, factor, floor, extra)
            out.pop("duration", None)
    if "gate" in t:
        criteria = t["gate"].get("criteria", [])
        out["gate"] = {"criteria": [{k: fill(v, values) for k, v in c.items()} for c in criteria]}
    return out


def _resolve(refs: Sequence[str], local: Mapping[str, str], prev: Mapping[str, Sequence[str]]) -> list[str]:
    """Maps block references to plan ids, keeping each link's type and lag."""
    out: list[str] = []
    for ref in refs:
        task, kind, lag = parse_link(ref)
        if "." in task:
            scope, key = task.split(".", 1)
            targets = prev.get(key, []) if scope in ("prev", "last") else [task]
        else:
            targets = [local.get(task, task)]
        for target in targets:
            link = format_link(target, kind, lag)
            if link not in out:
                out.append(link)
    return out


def _check_arguments(waves: int, pilot_share: float, size: str) -> None:
    problems = []
    if not 0 <= waves <= MAX_WAVES:
        problems.append(Problem("template", "waves", f"must be between 0 and {MAX_WAVES} (got {waves})"))
    if not 0 <= pilot_share <= 90:
        problems.append(
            Problem("template", "pilot_share", f"must be a percentage from 0 (no pilot) to 90 (got {pct(pilot_share)})")
        )
    if size not in SIZES:
        problems.append(Problem("template", "size", f"use one of {', '.join(SIZES)} (got {size!r})"))
    if problems:
        raise PlanError(problems)


@dataclass(frozen=True)
class _Built:
    tasks: list[dict]
    handover: str  # the last cutover's id
    risks: list[dict]  # each cutover's own risk, as RAID items


def _tasks(
    raw: Mapping[str, Any], name: str, sizing: Sizing, pilot_share: float, shares: Sequence[float], waves: int
) -> _Built:
    """The template's tasks with the block repeated per wave (one block, "Rollout", with no waves)."""
    values = {
        "template": name,
        "pilot_share": pct(pilot_share),
        "remaining": pct(100 - pilot_share),
        "waves": waves,
        "final_share": 100,
        "unit": raw.get("volume_unit", "volume"),
    }
    deps = "depends_on_without_pilot" if pilot_share == 0 else "depends_on"
    tasks = [
        {**_task(t, values, sizing, pilot_share, 0), "depends_on": list(t.get(deps, t.get("depends_on", [])))}
        for t in raw["tasks"]
    ]
    block = raw.get("wave", {})
    block_tasks = block.get("tasks", [])
    first = block.get("first_without_pilot", block.get("first", {})) if pilot_share == 0 else block.get("first", {})
    prev: dict[str, list[str]] = {k: list(v) for k, v in first.items()}
    cumulative = pilot_share
    handover = ""
    risks = []
    for n, share in enumerate(shares, 1):
        cumulative = 100 if n == len(shares) else cumulative + share
        wave_values = {
            **values,
            "wave": f"Wave {n}" if waves else "Rollout",
            "n": n,
            "next": n + 1,
            "share": pct(share),
            "cumulative": pct(cumulative),
        }
        local = {t["id"]: f"W{n}-{t['id']}" for t in block_tasks}
        for t in block_tasks:
            filled = _task(t, wave_values, sizing, share, n)
            filled["id"] = local[t["id"]]
            filled["wave"] = n
            refs = [*t.get("depends_on", []), *(t.get("last_depends_on", []) if n == len(shares) else [])]
            filled["depends_on"] = _resolve(refs, local, prev)
            tasks.append(filled)
        if "cutover_risk" in block:
            risks.append(cutover_risk(block["cutover_risk"], n, share, local, sizing, wave_values))
        prev = {t["id"]: [local[t["id"]]] for t in block_tasks}
        prev.update({key: [local[source]] for key, source in block.get("carry", {}).items()})
        handover = local.get(block.get("handover", "CUTOVER"), "")
    for t in raw.get("after", {}).get("tasks", []):
        filled = _task(t, values, sizing, None, 0)
        filled["depends_on"] = _resolve(t.get("depends_on", []), {}, prev)
        tasks.append(filled)
    if pilot_share == 0:
        tasks = without_pilot(tasks, pilot_tasks(raw))
    return _Built(tasks, handover, risks)


def illustrative_costs(costs: Mapping[str, Any], size: str) -> dict[str, Any]:
    """A template's cost model at `size`: run costs and fees scaled (day rates are not), and
    marked as illustrative, for the user to replace."""
    k = Decimal(str(SIZE_SCALES["money"][size]))

    def scaled(value: Any) -> Decimal:
        return (Decimal(str(value)) * k).quantize(Decimal(1))

    out = dict(costs)
    for key in ("incumbent_monthly", "provider_monthly", "extension_monthly"):
        if key in out:
            out[key] = scaled(out[key])
    out["one_offs"] = [{**o, "amount": scaled(o["amount"])} for o in costs.get("one_offs", [])]
    out["note"] = f"Illustrative figures for a {size} transition: replace them with your own"
    return out


def year_end_freezes(start: dt.date, region: str | None) -> list[dict[str, Any]]:
    """The change freeze most organisations hold over the year end (DOMAIN.md section 3: no cutover
    in a change freeze), from 15 December to 5 January, for the years a plan may span."""
    name = f"year-end change freeze ({region})" if region else "year-end change freeze"
    return [
        {"name": name, "start": dt.date(year, 12, 15), "end": dt.date(year + 1, 1, 5)}
        for year in range(start.year - 1, start.year + YEAR_END_FREEZE_YEARS)
    ]


def _check_contract(start: dt.date, contract_end: dt.date | None, assistance_days: int) -> None:
    problems = []
    if contract_end is not None and contract_end < start:
        problems.append(
            Problem(
                "template",
                "contract_end",
                f"{contract_end} is before the plan start {start}: the handover cannot land before the plan "
                "begins; give the incumbent's contract end (or notice date) ahead of the start",
            )
        )
    if not 0 <= assistance_days <= MAX_TERMINATION_ASSISTANCE_DAYS:
        problems.append(
            Problem(
                "template",
                "termination_assistance",
                f"must be from 0 to {MAX_TERMINATION_ASSISTANCE_DAYS} calendar days (got {assistance_days})",
            )
        )
    if problems:
        raise PlanError(problems)


def _contract_end(
    raw: Mapping[str, Any], tasks: list[dict], handover: str, contract_end: dt.date, assistance_days: int
) -> None:
    """The handover must land by the contract end; an exit's acceptance within the incumbent's
    termination assistance after it."""
    assistance = raw.get("termination_assistance")
    for t in tasks:
        if t["id"] == handover:
            t["deadline"] = contract_end
        elif assistance and t["id"] == assistance["task"]:
            t["deadline"] = contract_end + dt.timedelta(days=assistance_days)


def _due_dates(raw: Mapping[str, Any], plan_data: dict[str, Any], tasks: list[dict]) -> None:
    """Turns `due: {after: ID, months: M}` into a deadline M months after ID's planned finish."""
    dues = {t["id"]: t["due"] for t in raw["tasks"] if "due" in t}
    if not dues:
        return
    from planner.core.schedule import solve

    plan = parse_plan({**plan_data, "tasks": tasks})
    sol = solve(plan)
    index = {t.id: k for k, t in enumerate(plan.tasks)}
    for t in tasks:
        due = dues.get(t["id"])
        if due is not None:
            anchor = sol.finish_of(index[due["after"]])
            t["deadline"] = _add_months(anchor, int(due["months"]))


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _late(cal: WorkCalendar, due: dt.date, finish: dt.date) -> str:
    days = cal.working_days_between(due, finish) - (1 if cal.is_working(due) else 0)
    return f"{days} working day{'s' if days != 1 else ''}"


def _warnings(
    sched: Schedule, info: TemplateInfo, size: str, pilot_share: float, shares: Sequence[float], waves: int
) -> list[str]:
    plan = sched.plan
    handover = plan.generated.handover if plan.generated else None
    out = []
    if pilot_share == 0 and size not in info.pilot_optional:
        out.append(
            f"no pilot: a {size} {info.title} transition usually proves the service on a 10-15% slice first; "
            f"the first cutover moves {pct(shares[0])}% of the {info.volume_unit} with no scale gate before it"
        )
    if pilot_share > MAX_PILOT:
        out.append(
            f"a {pct(pilot_share)}% pilot is a first wave, not a pilot (a pilot carries 10-15%, at most {MAX_PILOT}%)"
        )
    if waves > MAX_SENSIBLE_WAVES:
        out.append(
            f"{waves} waves: more than {MAX_SENSIBLE_WAVES} means as many cutovers and hypercares; "
            "fewer, larger waves are usual"
        )
    small = [f"wave {k} ({pct(s)}%)" for k, s in enumerate(shares, 1) if waves and s < MIN_WAVE_SHARE]
    if small:
        out.append(f"{', '.join(small)} carries under {MIN_WAVE_SHARE}% of the volume; merge it into a neighbour")
    finishes = dict(zip(sched.table["id"], sched.table["finish"], strict=True))
    for t in plan.tasks:
        due = t.deadline
        finish = dt.date.fromisoformat(finishes[t.id])
        if due is not None and finish > due:
            what = "the contract end" if t.id == handover else "its deadline"
            late = _late(sched.calendar, due, finish)
            out.append(f"{t.id} finishes {finish.isoformat()}, {late} after {what} {due.isoformat()}")
    for tid, why in sched.moved.items():
        if why != STEERING and tid.endswith("CUTOVER"):
            out.append(f"{tid} moves after {why}, so that neither it nor its hypercare runs in it")
    if plan.deadline is not None and sched.finish > plan.deadline:
        late = _late(sched.calendar, plan.deadline, sched.finish)
        out.append(
            f"the plan finishes {sched.finish.isoformat()}, {late} after its deadline {plan.deadline.isoformat()}"
        )
    return out


def generate(
    name: str,
    waves: int | None = None,
    pilot_share: float | None = None,
    wave_shares: Sequence[float] | None = None,
    size: str = "medium",
    start: dt.date | None = None,
    deadline: dt.date | None = None,
    contract_end: dt.date | None = None,
    plan_name: str | None = None,
    holidays: str | None = None,
    termination_assistance: int = TERMINATION_ASSISTANCE_DAYS,
) -> Generated:
    """A validated plan from a built-in template, sized by the pilot share, the waves' shares and
    the plan size, with the warnings DESIGN.md lists. `termination_assistance` is the calendar
    days the incumbent helps after its contract ends (an exit's acceptance must land inside)."""
    raw = raw_template(name)
    info = template_info(name)
    if waves is None:
        waves = len(wave_shares) if wave_shares is not None else info.waves_for(size)
    pilot_share = info.pilot_for(size) if pilot_share is None else pilot_share
    _check_arguments(waves, pilot_share, size)
    plan_start = start or next_monday()
    _check_contract(plan_start, contract_end, termination_assistance)
    shares = split_shares(pilot_share, waves, wave_shares)
    built = _tasks(raw, name, Sizing(size), float(pilot_share), shares, waves)
    tasks, handover = built.tasks, built.handover
    if contract_end is not None:
        _contract_end(raw, tasks, handover, contract_end, termination_assistance)
    values = {"pilot_share": pct(pilot_share), "waves": waves, "final_share": 100, "remaining": pct(100 - pilot_share)}
    plan_data = dict(raw.get("plan", {}))
    plan_data["resources"] = [
        {**r, "capacity": r["capacity"] * SIZE_SCALES["people"][size]} for r in plan_data.get("resources", [])
    ]
    if "costs" in plan_data:
        plan_data["costs"] = illustrative_costs(plan_data["costs"], size)
    plan_data["name"] = fill(plan_name or plan_data.get("name", info.title), values)
    plan_data["start"] = plan_start
    if holidays:
        plan_data["calendar"] = {**plan_data.get("calendar", {}), "holidays": holidays}
    if deadline is not None:
        plan_data["deadline"] = deadline
    plan_data["freezes"] = year_end_freezes(plan_start, plan_data.get("calendar", {}).get("holidays"))
    described = raw.get("description_without_pilot") if pilot_share == 0 else None
    plan_data["description"] = fill(" ".join(str(described or raw.get("description", "")).split()), values)
    kept = {t["id"] for t in tasks}
    plan_data["raid"] = [*raid_for(plan_data.get("raid", []), kept, pilot_share > 0), *built.risks]
    plan_data["generated"] = {
        "template": name,
        "waves": waves,
        "pilot_share": _number(pilot_share),
        "wave_shares": [_number(s) for s in shares] if waves else [],
        "size": size,
        **({"handover": handover} if handover else {}),
        **({"termination_assistance": termination_assistance} if "termination_assistance" in raw else {}),
    }
    _due_dates(raw, plan_data, tasks)
    plan = parse_plan({**plan_data, "tasks": tasks})
    from planner.scheduling import schedule

    sched = schedule(plan)  # levelled when the plan levels: the dates it will show
    return Generated(plan, tuple(_warnings(sched, info, size, float(pilot_share), shares, waves)), handover, sched)


def describe(record: Generation) -> str:
    """One sentence on how a plan was generated, for the plan page."""
    try:
        title = template_info(record.template).title
    except PlanError:
        title = record.template
    if record.waves:
        shares = [f"{pct(s)}%" for s in record.wave_shares]
        listed = shares[0] if len(shares) == 1 else ", ".join(shares[:-1]) + " and " + shares[-1]
        rest = f"{record.waves} wave{'s' if record.waves != 1 else ''} ({listed})"
    elif record.pilot_share:
        rest = f"one cutover of the remaining {pct(100 - record.pilot_share)}%"
    else:
        return f"Made from the {title} template: no pilot, one cutover of the whole volume; {record.size} size."
    pilot = f"a {pct(record.pilot_share)}% pilot" if record.pilot_share else "no pilot"
    return f"Made from the {title} template: {pilot}, then {rest}; {record.size} size."


def build_plan(
    name: str,
    waves: int | None = None,
    pilot_share: float | None = None,
    start: dt.date | None = None,
    plan_name: str | None = None,
    holidays: str | None = None,
    **options: Any,
) -> Plan:
    """`generate` for callers that need only the plan."""
    return generate(name, waves, pilot_share, start=start, plan_name=plan_name, holidays=holidays, **options).plan
