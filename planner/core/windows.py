"""When a decision or a cutover may happen (DESIGN.md, "The committed date"): a client gate's
decision waits for the steering committee's next meeting, and no cutover starts in a freeze window
or so close to one that its hypercare would run into it.

Both are floors on a task's start that depend on the start itself, so the schedule settles them:
the passes run, each held task moves to its next allowed day, and the passes run again until
nothing moves (each round only moves starts later, so it ends). A task with an actual start is
never held. The backward pass does not know the meetings: a gate's float may count days on which
no committee meets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from planner.core.calendar import WEEKDAY_NAMES, WorkCalendar
from planner.core.model import Plan, Steering
from planner.limits import DATE_REACH_YEARS

STEERING = "steering"


def is_cutover(task) -> bool:
    """A task that switches responsibility: its id ends in CUTOVER (every template's), or it is a
    task of phase Cutover named a cutover."""
    if task.gate is not None or task.duration == 0:
        return False
    return task.id.upper().endswith("CUTOVER") or (
        task.phase.strip().lower() == "cutover" and "cutover" in task.name.lower()
    )


@dataclass(frozen=True)
class Windows:
    """The tasks the plan's steering cadence and freezes hold, in working-day offsets."""

    gates: np.ndarray  # plan positions of client gates (they wait for a meeting)
    meetings: np.ndarray  # sorted offsets of the meetings
    cutovers: np.ndarray  # plan positions of cutovers (they keep out of freezes)
    spans: np.ndarray  # per cutover: its working days plus its hypercare's
    freeze_lo: np.ndarray  # per freeze: first and last working day, sorted, merged
    freeze_hi: np.ndarray
    freeze_names: tuple[str, ...]

    def snap(self, es: np.ndarray) -> np.ndarray:
        """Each held task's start moved to its next allowed day; the others as they are. `es` is
        (tasks,) or (tasks, iterations) in whole working days."""
        out = es.copy()
        if self.gates.size and self.meetings.size:
            out[self.gates] = self._meeting_from(out[self.gates])
        if self.cutovers.size:
            x = out[self.cutovers]
            out[self.cutovers] = self._out_of_freezes(x, self.spans.reshape((-1,) + (1,) * (x.ndim - 1)))
        return out

    def next_start(self, j: int, t: int) -> int:
        """`snap` for one task and one start (the levelling's placement)."""
        if self.meetings.size and j in self._gate_set:
            return int(self._meeting_from(t))
        if j in self._span_of:
            return int(self._out_of_freezes(t, self._span_of[j]))
        return t

    def _meeting_from(self, x: np.ndarray | int) -> np.ndarray:
        """The first meeting on or after `x` (a start or an array of them); `x` past the last meeting."""
        k = np.searchsorted(self.meetings, x, side="left")
        return np.where(k < self.meetings.size, self.meetings[np.minimum(k, self.meetings.size - 1)], x)

    def _out_of_freezes(self, x: Any, span: Any) -> Any:
        """`x` moved past each freeze its cutover and hypercare (`span` working days) would run into;
        plain arithmetic, so one start stays a Python int on the levelling's path."""
        for lo, hi in zip(self.freeze_lo.tolist(), self.freeze_hi.tolist(), strict=True):
            x = x + ((x >= lo - span + 1) & (x <= hi)) * (hi + 1 - x)
        return x

    @cached_property
    def _gate_set(self) -> frozenset[int]:
        return frozenset(self.gates.tolist())

    @cached_property
    def _span_of(self) -> dict[int, int]:
        return dict(zip(self.cutovers.tolist(), self.spans.tolist(), strict=True))

    def holds(self) -> frozenset[int]:
        return frozenset(self.gates.tolist()) | frozenset(self.cutovers.tolist())

    def worst_waits(self, tasks: int) -> np.ndarray:
        """Per task, the most a window can hold it (working days): the longest gap between meetings,
        or the longest freeze with the cutover's span; for sizing a run's arithmetic."""
        out = np.zeros(tasks, dtype=np.int64)
        if self.gates.size and self.meetings.size > 1:
            out[self.gates] = int(np.diff(self.meetings).max())
        if self.cutovers.size:
            out[self.cutovers] = int((self.freeze_hi - self.freeze_lo).max()) + 1 + self.spans
        return out

    def reason(self, j: int, es: int) -> str:
        """Why task `j` starts on `es` when a window moved it: the meeting, or the freeze it keeps out of."""
        if j in self._gate_set:
            return STEERING
        k = int(np.searchsorted(self.freeze_hi, es - 1, side="left"))
        k = min(k, len(self.freeze_names) - 1)
        return self.freeze_names[k]

    def settle(self, es_of: Callable[[np.ndarray], np.ndarray], earliest: np.ndarray) -> np.ndarray:
        """The earliest starts with every held task on an allowed day: passes (`es_of`), snap,
        again, until nothing moves."""
        held = np.concatenate((self.gates, self.cutovers))
        for _ in range(held.size + 1):
            es = es_of(earliest)
            snapped = self.snap(es)
            moving = held[snapped[held] > es[held]]
            if not moving.size:
                break
            earliest = earliest.copy()
            earliest[moving] = np.maximum(earliest[moving], snapped[moving])
        return earliest


def first_meeting(steering: Steering, start: dt.date) -> dt.date:
    """The steering committee's first meeting: its weekday on or after `first` (default: the plan start)."""
    first = steering.first or start
    return first + dt.timedelta(days=(WEEKDAY_NAMES.index(steering.weekday) - first.weekday()) % 7)


def _meetings(plan: Plan, cal: WorkCalendar) -> np.ndarray:
    steering = plan.steering
    assert steering is not None
    first = first_meeting(steering, plan.start)
    count = (DATE_REACH_YEARS * 365) // (7 * steering.every_weeks) + 1
    days = [first + dt.timedelta(weeks=steering.every_weeks * k) for k in range(count)]
    return np.unique(np.array([cal.offset_on_or_after(d) for d in days], dtype=np.int64))


def windows(plan: Plan, cal: WorkCalendar) -> Windows | None:
    """The plan's windows, or None when it has no steering cadence and no freezes."""
    if plan.steering is None and not plan.freezes:
        return None
    started = [t.actual_start is not None for t in plan.tasks]
    gates = [j for j, t in enumerate(plan.tasks) if t.gate is not None and t.owner == "client" and not started[j]]
    meetings = _meetings(plan, cal) if plan.steering is not None else np.zeros(0, dtype=np.int64)
    cutovers = [j for j, t in enumerate(plan.tasks) if plan.freezes and is_cutover(t) and not started[j]]
    index = {t.id: j for j, t in enumerate(plan.tasks)}
    after: dict[int, int] = {}
    for t in plan.tasks:
        if t.phase.strip().lower() == "hypercare":
            for link in t.depends_on:
                k = index[link.task]
                after[k] = max(after.get(k, 0), t.duration)
    spans = np.array([plan.tasks[j].duration + after.get(j, 0) for j in cutovers], dtype=np.int64)
    merged: list[list] = []
    for f in sorted(plan.freezes, key=lambda f: f.start):
        lo, hi = cal.offset_on_or_after(f.start), cal.offset_on_or_before(f.end)
        if hi < lo:
            continue
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
            merged[-1][2] = f"{merged[-1][2]} and {f.name}"
        else:
            merged.append([lo, hi, f"the {f.name} ({f.start} to {f.end})"])
    return Windows(
        gates=np.array(gates if meetings.size else [], dtype=np.int64),
        meetings=meetings,
        cutovers=np.array(cutovers if merged else [], dtype=np.int64),
        spans=spans if merged else np.zeros(0, dtype=np.int64),
        freeze_lo=np.array([m[0] for m in merged], dtype=np.int64),
        freeze_hi=np.array([m[1] for m in merged], dtype=np.int64),
        freeze_names=tuple(m[2] for m in merged),
    )
