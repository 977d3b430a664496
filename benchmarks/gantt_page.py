"""The bare page with the app's Gantt: floor_page.py's grid, and the Gantt as the plan page draws
it (`planner.ui.views.gantt`: its options menu, its seven layers, its tooltips) in place of the
floor's one-layer chart. An edit of the first task's days reschedules the plan and redraws it.

`streamlit run benchmarks/gantt_page.py -- PLAN.yaml`; benchmarks/bench_elements.py times it
beside the floor: what the Gantt itself costs an edit, apart from the rest of the plan page.
"""

from __future__ import annotations

import sys

import pandas as pd
import streamlit as st

from planner.core.model import Plan
from planner.editing import GRID_COLUMNS, plan_rows
from planner.files import load_plan
from planner.scheduling import schedule
from planner.ui import views


@st.cache_data(show_spinner=False)
def rows(path: str) -> tuple[Plan, pd.DataFrame]:
    """The plan and the grid's rows, read once per process."""
    plan = load_plan(path)
    return plan, pd.DataFrame(plan_rows(plan), columns=GRID_COLUMNS)


plan, grid = rows(sys.argv[1])
edited = st.data_editor(grid, key="grid", num_rows="dynamic", hide_index=True, width="stretch", height=640)
days = int(pd.to_numeric(edited["duration"], errors="coerce").fillna(0).iloc[0])
views.gantt(schedule(plan.with_durations({plan.tasks[0].id: max(days, 0)})))
