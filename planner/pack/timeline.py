"""The pack's one-page timeline, laid out once for the slide and the page: phases as bands, the
pilot and each wave as bars, milestones and gates as diamonds with their labels in lanes that do
not overlap, the baseline's date where a key date moved, and today and the contract end as lines.

Positions are shares of the timeline's width (`Timeline.x`), so each writer only scales them.
A plan of any size stays one page: tasks roll up into their phase and wave, and the key dates
shown are the handover and the gates first, then the milestones, up to MARKS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from planner.audience import Audience
from planner.core.gates import gate_status
from planner.core.schedule import Schedule
from planner.plain import clip

SPANS = 12  # phase bands, and separately wave bars
MARKS = 14  # diamonds
LANES = 4  # label rows above the diamonds
LABEL_CHARS = 22
CHAR_WIDTH = 1 / 170  # a label character's share of the timeline's width (7.5-point text on 10.6 inches)


@dataclass(frozen=True)
class Span:
    label: str
    start: dt.date
    finish: dt.date


@dataclass(frozen=True)
class Mark:
    """A milestone or gate on the timeline; `lane` is the label row it takes (0 nearest)."""

    id: str
    label: str
    date: dt.date
    gate: bool
    status: str | None  # a gate's: passed, failed or pending
    baseline: dt.date | None  # where the baseline had it, when it moved
    lane: int  # -1: no room for a label (the key dates page lists it)
    label_at: float  # the label's left edge (a label near the end ends at the timeline's end)

    @property
    def text(self) -> str:
        return f"{self.label} {self.date:%d %b}"


@dataclass(frozen=True)
class Rule:
    label: str
    date: dt.date


@dataclass(frozen=True)
class Timeline:
    first: dt.date
    last: dt.date
    phases: tuple[Span, ...]
    waves: tuple[Span, ...]
    marks: tuple[Mark, ...]
    rules: tuple[Rule, ...]
    hidden_spans: int  # phases and waves past SPANS
    hidden_marks: int

    def x(self, day: dt.date) -> float:
        """`day`'s position: 0 at the first day, 1 at the end of the last."""
        return (day - self.first).days / max((self.last - self.first).days + 1, 1)

    def ticks(self) -> list[tuple[dt.date, str]]:
        """Month starts with their names, or quarter starts on a timeline longer than 18 months."""
        months = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        step = 3 if months > 18 else 1
        day = dt.date(self.first.year, self.first.month, 1)
        out = []
        while day <= self.last:
            if day >= self.first and (day.month - 1) % step == 0:
                label = f"Q{(day.month - 1) // 3 + 1} {day.year}" if step == 3 else day.strftime("%b %y")
                out.append((day, label))
            day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return out


def _spans(groups: dict[str, list[tuple[dt.date, dt.date]]], by_date: bool = True) -> list[Span]:
    """A span per group: phases in date order, the pilot and waves in their own order."""
    spans = [Span(clip(k, LABEL_CHARS), min(a for a, _ in v), max(b for _, b in v)) for k, v in groups.items()]
    return sorted(spans, key=lambda s: (s.start, s.finish)) if by_date else spans


def timeline(sched: Schedule, who: Audience, today: dt.date, contract_end: dt.date | None) -> Timeline:
    plan = sched.plan
    t = sched.table
    starts, finishes = t["start"].tolist(), t["finish"].tolist()
    handover = plan.handover(finishes)
    base = plan.baseline.tasks if plan.baseline else {}
    phases: dict[str, list[tuple[dt.date, dt.date]]] = {}
    waves: dict[int, list[tuple[dt.date, dt.date]]] = {}
    keys = []
    for j, task in enumerate(plan.tasks):
        if not who.sees(task):
            continue
        span = (dt.date.fromisoformat(starts[j]), dt.date.fromisoformat(finishes[j]))
        phases.setdefault(task.phase or "(no phase)", []).append(span)
        if task.wave is not None:
            waves.setdefault(task.wave, []).append(span)
        if task.is_key_date:
            rank = 0 if task.id == handover else 1 if task.is_gate else 2
            keys.append((rank, span[1], j))
    phase_spans = _spans(phases)
    wave_spans = _spans({"Pilot" if w == 0 else f"Wave {w}": waves[w] for w in sorted(waves)}, by_date=False)
    chosen = sorted(sorted(keys)[:MARKS], key=lambda k: (k[1], k[2]))
    rules = [Rule("Today", today)]
    if contract_end is not None:
        rules.append(Rule("Contract end", contract_end))
    elif plan.deadline is not None:
        rules.append(Rule("Deadline", plan.deadline))
    moved = {j: base[plan.tasks[j].id].finish for _r, day, j in chosen if plan.tasks[j].id in base}
    moved = {j: d for j, d in moved.items() if d != dt.date.fromisoformat(finishes[j])}
    days = [s.start for s in phase_spans] + [s.finish for s in phase_spans] + [r.date for r in rules[1:]]
    days += list(moved.values())
    first = min(days, default=plan.start)
    last = max(days, default=plan.start)
    first, last = min(first, last), max(last, first + dt.timedelta(days=27))
    frame = Timeline(first, last, (), (), (), (), 0, 0)
    marks = []
    lane_ends = [-1.0] * LANES
    for _rank, day, j in chosen:
        task = plan.tasks[j]
        mark = Mark(task.id, clip(task.name, LABEL_CHARS), day, task.is_gate, gate_status(task), moved.get(j), -1, 0.0)
        for label in (mark.label, task.id, ""):  # the name if it fits, else the id, else no label
            width = (len(f"{label} {day:%d %b}") + 1) * CHAR_WIDTH
            at = max(min(frame.x(day), 1 - width), 0.0)
            lane = next((k for k in range(LANES) if lane_ends[k] < at), None)
            if lane is not None:
                lane_ends[lane] = at + width
                mark = replace(mark, label=clip(label, LABEL_CHARS), lane=lane, label_at=at)
                break
        marks.append(mark)
    return Timeline(
        first=first,
        last=last,
        phases=tuple(phase_spans[:SPANS]),
        waves=tuple(wave_spans[:SPANS]),
        marks=tuple(marks),
        rules=tuple(r for r in rules if first <= r.date <= last),
        hidden_spans=max(len(phase_spans) - SPANS, 0) + max(len(wave_spans) - SPANS, 0),
        hidden_marks=len(keys) - len(chosen),
    )
