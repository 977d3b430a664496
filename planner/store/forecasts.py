"""Each saved revision's forecast, computed once and kept (the forecast's trend, `planner.pack.trend`).

The forecast half of the Store, as `share_links` and `teams` are. A revision is never rewritten,
so its forecast never goes stale; one missing (saved before this table, or never asked for) is
computed on first request and kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from planner.core.model import Plan
from planner.pack.trend import Forecast, Trend, forecast_of, trend_of
from planner.store.access import User
from planner.store.schema import StoreCore, aware, forecasts, revisions

Progress = Callable[[int, int], None]  # (done, of): a long first computation shows how far it is


class Forecasts:
    """The kept forecasts of a Store's revisions."""

    def __init__(self, store: StoreCore):
        self.store = store

    def trend(
        self, plan_id: str, user: User | None = None, progress: Progress | None = None, plan: Plan | None = None
    ) -> Trend:
        """The forecast of every revision of a plan, oldest first, computing and keeping the missing
        ones; compared on the steering cadence of `plan` (default: the latest revision's)."""
        with self.store.transaction() as conn:
            self.store.plan_row(conn, plan_id, user)
            saved = dict(
                conn.execute(
                    select(revisions.c.number, revisions.c.created_at).where(revisions.c.plan_id == plan_id)
                ).all()
            )
            kept = {
                r.number: _forecast(r)
                for r in conn.execute(select(forecasts).where(forecasts.c.plan_id == plan_id)).all()
            }
        missing = sorted(set(saved) - set(kept))
        for done, number in enumerate(missing):
            if progress is not None:
                progress(done, len(missing))
            plan, _ = self.store.get(plan_id, number, user)
            kept[number] = self._keep(plan_id, forecast_of(plan, number, aware(saved[number]).date()))
        if progress is not None and missing:
            progress(len(missing), len(missing))
        if plan is None:
            plan, _ = self.store.get(plan_id, max(saved), user)
        return trend_of(list(kept.values()), plan)

    def _keep(self, plan_id: str, f: Forecast) -> Forecast:
        try:
            with self.store.transaction() as conn:
                conn.execute(
                    insert(forecasts).values(
                        plan_id=plan_id,
                        number=f.revision,
                        saved=f.saved,
                        status_date=f.status_date,
                        finish=f.finish,
                        finish_p80=f.finish_p80,
                        handover=f.handover,
                        handover_date=f.handover_date,
                        handover_p80=f.handover_p80,
                    )
                )
        except IntegrityError:  # another session kept the same forecast first: the same figures
            pass
        return f


def _forecast(r: Any) -> Forecast:
    return Forecast(
        revision=r.number,
        saved=r.saved,
        status_date=r.status_date,
        finish=r.finish,
        finish_p80=r.finish_p80,
        handover=r.handover,
        handover_date=r.handover_date,
        handover_p80=r.handover_p80,
    )
