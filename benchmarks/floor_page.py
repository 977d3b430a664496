"""The floor the app's speed is measured against: a bare Streamlit + Altair page with the same rows.

`streamlit run benchmarks/floor_page.py -- PLAN.yaml` shows the plan's task grid (the same rows
and columns as the app's grid, editable) and one Altair Gantt of the tasks' bars. An edit of a
task's days moves that bar's finish and redraws the chart; nothing else is computed, so its
first load and its rerun are what Streamlit and Altair cost for this many rows
(benchmarks/bench_browser.py).

`-- PLAN.yaml N LAYOUT WHERE` adds N figures that no edit changes, `before` or `after` the grid
and chart, laid out as `columns` (rows of four `st.columns`, each with an `st.metric`), `rows`
(the metrics in horizontal containers), `blocks` (the rows of columns, empty) or `html` (four
figures per `st.html`): what unchanged elements cost an edit's rerun (benchmarks/bench_elements.py).
"""

from __future__ import annotations

import sys

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from planner.editing import GRID_COLUMNS, plan_rows
from planner.files import load_plan
from planner.scheduling import schedule


@st.cache_data(show_spinner=False)
def rows(path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid's rows and each task's scheduled start and finish, read once per process."""
    plan = load_plan(path)
    table = schedule(plan).table
    grid = pd.DataFrame(plan_rows(plan), columns=GRID_COLUMNS)
    bars = pd.DataFrame(
        {
            "id": table["id"],
            "label": [f"{j:06d}|{name}" for j, name in enumerate(table["name"])],
            "start": pd.to_datetime(table["start"]).dt.strftime("%Y-%m-%dT00:00:00Z"),
            "finish": pd.to_datetime(table["finish"]),
        }
    )
    return grid, bars


def unchanged(count: int, layout: str) -> None:
    """`count` figures no edit changes, four to a row."""
    for i in range(count // 4):
        if layout == "columns":
            for col, j in zip(st.columns(4), range(4), strict=True):
                col.metric(f"Figure {i}-{j}", i * 4 + j)
        elif layout == "rows":
            row = st.container(horizontal=True)
            for j in range(4):
                row.metric(f"Figure {i}-{j}", i * 4 + j)
        elif layout == "blocks":
            st.columns(4)
        else:
            st.html("".join(f"<p>Figure {i}-{j}: <b>{i * 4 + j}</b></p>" for j in range(4)))


grid, bars = rows(sys.argv[1])
COUNT, LAYOUT, WHERE = (int(sys.argv[2]), sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else (0, "", "")
if WHERE == "before":
    unchanged(COUNT, LAYOUT)
edited = st.data_editor(grid, key="grid", num_rows="dynamic", hide_index=True, width="stretch", height=640)
days = pd.to_numeric(edited["duration"], errors="coerce").fillna(0).astype(int).to_numpy()
first = pd.to_datetime(bars["start"]).dt.tz_localize(None).to_numpy().astype("datetime64[D]")
finish = np.busday_offset(first, np.maximum(days[: len(first)], 1) - 1, roll="forward")
shown = bars.assign(finish=pd.Series(finish).dt.strftime("%Y-%m-%dT23:59:59Z"))
chart = (
    alt.Chart(shown)
    .mark_bar(height=14)
    .encode(
        x=alt.X("start:T", title=None),
        x2="finish:T",
        y=alt.Y("label:N", sort="ascending", title=None, axis=alt.Axis(labelExpr="split(datum.label, '|')[1]")),
        tooltip=["id:N", "start:T", "finish:T"],
    )
    .properties(height=alt.Step(22))
)
with st.container(height=800, border=False, key="gantt-frame"):
    st.altair_chart(chart, key="gantt")
if WHERE == "after":
    unchanged(COUNT, LAYOUT)
