"""The forecast's trend in the app (the Progress view) and the saved plan's trend for the files
that show it (the report and the steering pack)."""

from __future__ import annotations

import streamlit as st

from planner.charts.steering import trend_chart
from planner.core.model import Plan
from planner.pack.trend import Trend
from planner.store.database import StoreError
from planner.ui import auth, storage
from planner.ui.chart import show as show_chart
from planner.ui.text import md


def saved_trend(plan_id: str | None, plan: Plan, shared: bool = False) -> Trend | None:
    """The trend of a saved plan (None for a plan never saved, or when the store fails), compared
    on the cadence of `plan` (the one on screen). Revisions whose forecast is not kept yet are
    computed once, then read back. A share link's reader sees the plan it was given (`shared`), not
    only the plans they may open."""
    if plan_id is None:
        return None
    try:
        return storage.open_store().forecasts.trend(plan_id, user=None if shared else auth.user(), plan=plan)
    except StoreError:
        return None


def show(plan_id: str | None, plan: Plan, unsaved: bool) -> None:
    """The Progress view's trend: the chart, what moved since the last committee, and a progress
    bar the first time old revisions' forecasts are computed."""
    st.subheader("Forecast trend")
    if plan_id is None:
        st.caption("Save the plan to start its trend: each saved revision keeps its forecast.")
        return
    bar = st.empty()

    def progress(done: int, of: int) -> None:
        if done < of:
            bar.progress(done / of, text=f"Forecasting saved revision {done + 1} of {of} (once; then kept)")
        else:
            bar.empty()

    try:
        trend = storage.open_store().forecasts.trend(plan_id, user=auth.user(), progress=progress, plan=plan)
    except StoreError as exc:
        st.error(f"The trend is unavailable: {md(exc)}", icon="🗄️")
        return
    for line in trend.sentences():
        st.markdown(md(line))
    if len(trend.points) > 1:
        show_chart(trend_chart(trend), key="trend-chart")
    if unsaved:
        st.caption("Unsaved changes join the trend when you save them.")
