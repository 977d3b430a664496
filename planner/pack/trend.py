"""The forecast's trend: the handover's and finish's most likely and P80 dates as they stood at
each saved revision, and how far they moved since the last steering committee.

A revision's forecast is computed once (`forecast_of`) and kept by the store
(`planner.store.forecasts`), so a view of the trend never reruns old simulations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.core.model import Plan, Steering
from planner.core.windows import first_meeting


@dataclass(frozen=True)
class Forecast:
    """One revision's forecast. P80 dates are None for a plan without estimates (or too large
    for the committed run, `planner.status.committed`)."""

    revision: int
    saved: dt.date
    status_date: dt.date | None
    finish: dt.date
    finish_p80: dt.date | None
    handover: str | None  # the task that hands over (`Plan.handover`)
    handover_date: dt.date | None
    handover_p80: dt.date | None

    @property
    def label(self) -> str:
        """How a chart or a table names the point: its revision, and its status date when set."""
        status = f", status {self.status_date}" if self.status_date else ""
        return f"r{self.revision} ({self.saved}{status})"


def forecast_of(plan: Plan, revision: int, saved: dt.date) -> Forecast:
    """The forecast of `plan` as saved in `revision`: its schedule (levelled when it levels) and
    its committed run, the same figures the plan page showed for it."""
    from planner.scheduling import schedule
    from planner.status import committed

    sched = schedule(plan)
    run = committed(plan, sched.network, sched if sched.levelling else None)
    finishes = sched.table["finish"].tolist()
    handover = plan.handover(finishes)
    j = plan.ids.index(handover) if handover else None
    return Forecast(
        revision=revision,
        saved=saved,
        status_date=plan.status_date,
        finish=sched.finish,
        finish_p80=run.finish_dates[80] if run is not None else None,
        handover=handover,
        handover_date=dt.date.fromisoformat(finishes[j]) if j is not None else None,
        handover_p80=run.task_p80_dates[j] if run is not None and j is not None else None,
    )


def last_committee(steering: Steering | None, start: dt.date, before: dt.date) -> dt.date | None:
    """The last steering meeting before `before` on the plan's cadence; None without a cadence or
    before the first meeting."""
    if steering is None:
        return None
    first = first_meeting(steering, start)
    if first >= before:
        return None
    step = 7 * steering.every_weeks
    return first + dt.timedelta(days=step * (((before - first).days - 1) // step))


@dataclass(frozen=True)
class Trend:
    """The forecasts of a saved plan's revisions, oldest first, and the one the latest is compared
    with: the forecast as it stood at the last committee, else the revision before."""

    points: tuple[Forecast, ...]
    since: Forecast | None
    committee: dt.date | None  # the meeting `since` stood at, when the plan has a cadence

    @property
    def latest(self) -> Forecast | None:
        return self.points[-1] if self.points else None

    def sentences(self) -> list[str]:
        """What moved, as a committee reads it: "P80 handover moved 12 days later since the last
        committee (2026-11-26, revision 3)"."""
        now, then = self.latest, self.since
        if now is None or then is None:
            return ["No earlier revision to compare with yet: the trend starts at the next save."]
        when = (
            f"the last committee ({self.committee}, revision {then.revision})"
            if self.committee
            else f"revision {then.revision} ({then.saved})"
        )
        out = []
        for what, new, old in (
            ("P80 handover", now.handover_p80, then.handover_p80),
            ("Most likely handover", now.handover_date, then.handover_date),
            ("P80 finish", now.finish_p80, then.finish_p80),
            ("Most likely finish", now.finish, then.finish),
        ):
            if new is None or old is None:
                continue
            out.append(f"{what} {_moved((new - old).days)} since {when}: now {new}.")
        return out or [f"No forecast dates to compare with {when}."]


def _moved(days: int) -> str:
    if days == 0:
        return "unchanged"
    way = "later" if days > 0 else "earlier"
    return f"moved {abs(days)} day{'s' if abs(days) != 1 else ''} {way}"


def trend_of(points: list[Forecast], plan: Plan) -> Trend:
    """The trend of `points` (oldest first) for `plan` (the latest revision: its cadence counts)."""
    points = sorted(points, key=lambda p: p.revision)
    if len(points) < 2:
        return Trend(tuple(points), None, None)
    latest = points[-1]
    meeting = last_committee(plan.steering, plan.start, latest.saved)
    if meeting is not None:
        stood = [p for p in points[:-1] if p.saved <= meeting]
        if stood:
            return Trend(tuple(points), stood[-1], meeting)
    return Trend(tuple(points), points[-2], None)
