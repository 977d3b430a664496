"""The schedule of a plan exactly as DESIGN.md ("Scheduling rules"): the table, dates, critical
path and drivers, on top of the passes in `planner.core.network` and the progress rules in
`planner.core.tracking`. pandas is imported where the table is built: `solve` needs numpy alone, so
the command line validates a plan without loading pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from planner.core.calendar import WorkCalendar
from planner.core.model import Link, Plan, PlanError, Problem, Task
from planner.core.network import Network, Passes, prepare, run_passes
from planner.core.tracking import actual_dates, add_baseline, baseline_of, progress
from planner.core.windows import STEERING, Windows, windows
from planner.limits import MAX_SPAN

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLUMNS",
    "Driver",
    "Schedule",
    "Solution",
    "baseline_of",
    "phase_rows",
    "solve",
]

COLUMNS = [
    *("id", "name", "phase", "wave", "owner", "duration", "es", "ef", "ls", "lf"),
    *("start", "finish", "total_float", "free_float", "critical", "milestone"),
]


@dataclass(frozen=True)
class Driver:
    """Why a task starts when it does: the binding link, or its not-before date, or day 0; in a
    levelled schedule also a resource the task waited for (`link` names who released it)."""

    task: str
    link: Link | None
    reason: str  # "link", "resource", "not_before", "steering", "freeze", "start", "status_date" or "actual"
    resource: str | None = None  # or, for a freeze, the freeze that moved the task


@dataclass(frozen=True)
class Levelling:
    """What levelling did: the finish without it, a lower bound no schedule can beat with these
    capacities, whether that bound is proven reached, and the resource links it implied
    ((predecessor, successor) -> resource)."""

    unlevelled_finish: int
    bound: int
    optimal: bool
    links: dict[tuple[str, str], str] = field(repr=False)
    waits: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)  # task -> (released by, resource)
    strengthened: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)  # existing links made FS


@dataclass(frozen=True)
class Schedule:
    """A scheduled plan. `table` has DESIGN.md's schedule columns, one row per task, plan order."""

    plan: Plan
    table: pd.DataFrame
    finish: dt.date
    finish_offset: int
    critical_path: tuple[str, ...]
    calendar: WorkCalendar = field(repr=False)
    network: Network = field(repr=False)
    passes: Passes = field(repr=False)
    levelling: Levelling | None = None
    moved: dict[str, str] = field(default_factory=dict, repr=False)  # task -> the meeting or freeze that moved it

    def margin(self, deadline: dt.date, ef: int | None = None) -> int:
        """Working days to spare before `deadline` for an end offset `ef` (default: the plan's
        finish); negative when the deadline is missed."""
        return self.calendar.deadline_offset(deadline) - (self.finish_offset if ef is None else ef)

    @cached_property
    def drivers(self) -> dict[str, Driver]:
        """The driving predecessor of every task (first binding link in its depends_on order)."""
        return self._drivers()

    def _released(self, pred: str, succ: str) -> bool:
        """Whether levelling turned this existing link into the wait for a resource."""
        return (
            self.levelling is not None
            and (pred, succ) in self.levelling.links
            and bool(self.levelling.strengthened.get((pred, succ)))
        )

    def _drivers(self) -> dict[str, Driver]:
        net, p = self.network, self.passes
        out: dict[str, Driver] = {}
        binding = np.flatnonzero(p.slack == 0)
        first_for: dict[int, int] = {}
        for k in binding.tolist():
            first_for.setdefault(int(net.dst[k]), k)
        link_pos = np.zeros(len(net.dst), dtype=np.int64)
        counters: dict[int, int] = {}
        for k, j in enumerate(net.dst.tolist()):
            link_pos[k] = counters.get(j, 0)
            counters[j] = link_pos[k] + 1
        for j, task in enumerate(self.plan.tasks):
            pos = int(link_pos[first_for[j]]) if j in first_for else -1
            if task.actual_start is not None:
                out[task.id] = Driver(task.id, None, "actual")
            elif 0 <= pos < len(task.depends_on) and not self._released(task.depends_on[pos].task, task.id):
                out[task.id] = Driver(task.id, task.depends_on[pos], "link")
            elif 0 <= pos < len(task.depends_on) and self.levelling is not None:  # a link levelling made FS
                pred = task.depends_on[pos].task
                out[task.id] = Driver(task.id, Link(task=pred), "resource", self.levelling.links[(pred, task.id)])
            elif pos >= 0 and self.levelling is not None:  # a resource link levelling added
                pred = net.ids[int(net.src[first_for[j]])]
                resource = self.levelling.links.get((pred, task.id))
                out[task.id] = Driver(task.id, Link(task=pred), "resource", resource)
            elif self.levelling is not None and task.id in self.levelling.waits and p.es[j] > 0:
                pred, resource = self.levelling.waits[task.id]
                out[task.id] = Driver(task.id, Link(task=pred), "resource", resource)
            elif task.id in self.moved:
                why = self.moved[task.id]
                out[task.id] = (
                    Driver(task.id, None, "steering") if why == STEERING else Driver(task.id, None, "freeze", why)
                )
            elif (
                task.not_before is not None
                and p.es[j] > 0
                and p.es[j] == self.calendar.offset_on_or_after(task.not_before)
            ):
                out[task.id] = Driver(task.id, None, "not_before")
            elif self.plan.status_date is not None and p.es[j] > 0:
                out[task.id] = Driver(task.id, None, "status_date")
            else:
                out[task.id] = Driver(task.id, None, "start")
        return out


@dataclass(frozen=True)
class _Columns:
    """The plan's columns the passes and the table take, read once per schedule."""

    tasks: tuple[Task, ...] = field(repr=False)
    duration: np.ndarray  # as planned (the passes take the effective one: progress)
    explicit_milestone: np.ndarray  # -1 unset, 0 no, 1 yes
    not_before: list[tuple[int, dt.date]]
    deadlines: list[tuple[int, dt.date]]
    started: tuple[int, ...]  # tasks with an actual start

    def text(self) -> dict[str, pd.api.extensions.ExtensionArray]:
        """id, name, phase, wave, owner for the table (Monte Carlo needs none)."""
        import pandas as pd

        tasks = self.tasks
        return {
            "id": pd.array([t.id for t in tasks], dtype="str"),
            "name": pd.array([t.name for t in tasks], dtype="str"),
            "phase": pd.array([t.phase for t in tasks], dtype="str"),
            "wave": pd.array([t.wave for t in tasks], dtype="Int64"),
            "owner": pd.array([t.owner or "" for t in tasks], dtype="str"),
        }


def _columns(plan: Plan) -> _Columns:
    tasks = plan.tasks
    return _Columns(
        tasks=tasks,
        duration=np.fromiter((t.duration for t in tasks), dtype=np.int64, count=len(tasks)),
        explicit_milestone=np.array([-1 if t.milestone is None else int(t.milestone) for t in tasks], dtype=np.int8),
        not_before=[(j, t.not_before) for j, t in enumerate(tasks) if t.not_before is not None],
        deadlines=[(j, t.deadline) for j, t in enumerate(tasks) if t.deadline is not None],
        started=tuple(j for j, t in enumerate(tasks) if t.actual_start is not None),
    )


def _iso(cal: WorkCalendar, offsets: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """ISO date strings as a pandas string array."""
    import pandas as pd

    return pd.array(cal.iso_of(offsets), dtype="str")


def _limits(plan: Plan, cols: _Columns, cal: WorkCalendar) -> tuple[np.ndarray, np.ndarray, int | None]:
    n = len(plan.tasks)
    earliest = np.zeros(n, dtype=np.int64)
    latest = np.full(n, np.iinfo(np.int64).max // 4, dtype=np.int64)
    for j, day in cols.not_before:
        earliest[j] = cal.offset_on_or_after(day)
    for j, day in cols.deadlines:
        latest[j] = cal.deadline_offset(day)
    plan_deadline = cal.deadline_offset(plan.deadline) if plan.deadline else None
    return earliest, latest, plan_deadline


def _critical_path(net: Network, p: Passes, critical: np.ndarray) -> tuple[str, ...]:
    """Critical tasks joined by zero-slack links, walked back from those that end the plan;
    listed in link order (topological generation), then by start."""
    on_path = critical & (p.ef == p.finish)
    frontier = np.flatnonzero(on_path)
    link_ok = (p.slack == 0) & critical[net.src] & critical[net.dst]
    preds: dict[int, list[int]] = {}
    for s, t in zip(net.src[link_ok].tolist(), net.dst[link_ok].tolist(), strict=True):
        preds.setdefault(t, []).append(s)
    stack = frontier.tolist()
    while stack:
        j = stack.pop()
        for s in preds.get(j, ()):
            if not on_path[s]:
                on_path[s] = True
                stack.append(s)
    members = np.flatnonzero(on_path)
    order = np.lexsort((members, p.es[members], net.level[members]))
    return tuple(net.ids[j] for j in members[order].tolist())


def _date_offsets(
    net: Network, p: Passes, duration: np.ndarray, earliest: np.ndarray, meetings: np.ndarray | None = None
):
    """Start and finish day of each task; see DESIGN.md for milestones.

    A milestone sits at the end of the day before ES when a finish drives it (FS or FF link),
    and on day ES when a start drives it (SS or SF link, its not-before date, or day 0),
    which is where Microsoft Project puts it. A gate the steering committee decides (`meetings`)
    sits on its meeting day, ES.
    """
    start = p.es.copy()
    finish = p.ef - 1
    zero = duration == 0
    if zero.any():
        anchored = (p.es == 0) | (earliest == p.es)
        start_links = (p.slack == 0) & (net.from_finish == 0)  # SS, SF anchor at a start
        anchored[net.dst[start_links]] = True
        if meetings is not None:
            anchored[meetings] = True
        day = np.where(anchored, p.es, np.maximum(p.es - 1, 0))
        start = np.where(zero, day, start)
        finish = np.where(zero, day, finish)
    return start, finish


@dataclass(frozen=True)
class Solution:
    """The schedule's arrays without the table: what Monte Carlo starts from.

    `duration` is the effective duration (actual or remaining work for tracked tasks), `earliest`
    each task's lower bound on ES (not-before, status date, actual start; not the meetings and
    freezes of `windows`, which a caller with other durations settles again), `fixed` the tasks
    whose start is an actual one; links into them no longer constrain.
    """

    net: Network
    calendar: WorkCalendar
    columns: _Columns = field(repr=False)
    duration: np.ndarray
    earliest: np.ndarray
    fixed: np.ndarray | None
    passes: Passes
    start_off: np.ndarray
    finish_off: np.ndarray
    windows: Windows | None = None  # the steering cadence and freezes that hold tasks
    moved: dict[int, str] = field(default_factory=dict)  # task position -> the meeting or freeze that moved it

    @property
    def finish(self) -> dt.date:
        return self.calendar.date_of(int(self.finish_off.max()) if self.finish_off.size else 0)

    def finish_of(self, j: int) -> dt.date:
        """The finish date of the task at position j."""
        return self.calendar.date_of(int(self.finish_off[j]))


def _check_span(plan: Plan, p: Passes) -> None:
    """Refuses a schedule longer than MAX_SPAN working days before any date is computed, so no
    calendar table grows to fit it (limits.py)."""
    if p.finish > MAX_SPAN:
        last = plan.tasks[int(np.argmax(p.ef))]
        raise PlanError(
            [
                Problem(
                    f"task {last.id}",
                    "finish",
                    f"the schedule runs {p.finish:,} working days to this task; a plan may run at most "
                    f"{MAX_SPAN:,} (about {MAX_SPAN // 261} years)",
                )
            ]
        )


def solve(plan: Plan, floor: np.ndarray | None = None, network: Network | None = None) -> Solution:
    """CPM over the plan's network, progress included (DESIGN.md); raises PlanError if invalid.
    `floor` raises tasks' earliest starts (levelling pins its starts with it); `network` is one
    prepared before (`core.network.prepare`), used when it fits the plan's links."""
    net = network if network is not None and network.fits(plan) else prepare(plan)
    cols = _columns(plan)
    cal = plan.work_calendar()
    duration = cols.duration
    earliest, latest, plan_deadline = _limits(plan, cols, cal)
    if floor is not None:
        earliest = np.maximum(earliest, floor)
    tracked = progress(plan, cal, duration, earliest, cols.started)
    effective, fixed = (duration, None) if tracked is None else tracked
    active = None if fixed is None else ~fixed[net.dst]
    held = windows(plan, cal)
    moved: dict[int, str] = {}
    settled = earliest
    if held is not None:
        settled = held.settle(lambda e: run_passes(net, effective, e, latest, plan_deadline, active).es, earliest)
    p = run_passes(net, effective, settled, latest, plan_deadline, active)
    if held is not None:  # held where the window, not a link, sets the start
        held_here = np.flatnonzero((settled > earliest) & (p.es == settled)).tolist()
        moved = {j: held.reason(j, int(p.es[j])) for j in held_here}
    _check_span(plan, p)
    start_off, finish_off = _date_offsets(net, p, effective, settled, held.gates if held is not None else None)
    if tracked is not None:
        start_off, finish_off = actual_dates(plan, cal, start_off, finish_off, cols.started)
    return Solution(net, cal, cols, effective, earliest, fixed, p, start_off, finish_off, held, moved)


def table_of(plan: Plan, sol: Solution, levelling: Levelling | None = None) -> Schedule:
    """The Schedule of a solved plan."""
    import pandas as pd

    net, cal, p, start_off, finish_off = sol.net, sol.calendar, sol.passes, sol.start_off, sol.finish_off
    cols = sol.columns
    duration = cols.duration.copy()
    total = p.ls - p.es
    critical = p.critical
    explicit = cols.explicit_milestone
    milestone = np.where(explicit >= 0, explicit == 1, duration == 0)
    # copy=False skips pandas' block consolidation (most of the cost at 10k tasks); arrays the
    # table must not share with `passes` are copied here, cheaply.
    table = pd.DataFrame(
        {
            **cols.text(),
            "duration": duration,
            "es": p.es.copy(),
            "ef": p.ef.copy(),
            "ls": p.ls.copy(),
            "lf": p.lf.copy(),
            "start": _iso(cal, start_off),
            "finish": _iso(cal, finish_off),
            "total_float": total,
            "free_float": p.free_float.copy(),
            "critical": critical,
            "milestone": milestone,
        },
        copy=False,
    )
    if plan.baseline is not None:
        add_baseline(table, plan, cal, finish_off)
    return Schedule(
        plan=plan,
        table=table,
        finish=sol.finish,
        finish_offset=p.finish,
        critical_path=_critical_path(net, p, critical),
        calendar=cal,
        network=net,
        passes=p,
        levelling=levelling,
        moved={plan.tasks[j].id: why for j, why in sol.moved.items()},
    )


def phase_rows(sched: Schedule) -> pd.DataFrame:
    """One row per phase in order of first appearance: earliest start to latest finish."""
    import pandas as pd

    t = sched.table
    if t.empty:
        return pd.DataFrame(columns=["phase", "start", "finish", "tasks", "critical"])
    grouped = t.groupby("phase", sort=False)
    return pd.DataFrame(
        {
            "phase": list(grouped.groups),
            "start": grouped["start"].min().to_numpy(),
            "finish": grouped["finish"].max().to_numpy(),
            "tasks": grouped.size().to_numpy(),
            "critical": grouped["critical"].any().to_numpy(),
        }
    )
