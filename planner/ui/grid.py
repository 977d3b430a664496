"""The task grid: edit tasks and links in a table, with undo and redo.

The grid is built from the draft rows and keeps the user's edits as Streamlit's delta against
them; each edit applies the whole delta to the draft in a callback. A valid result becomes the
new plan at once, and the grid stays as it is when it already shows that plan (the edit was taken
as typed), so an edit does not rebuild it; when the plan reads the edit differently (an estimate
scaled with its days, a renamed id carried into links) the grid is built again from the plan. An
invalid result stays in the grid (nothing typed is lost) with its problems shown beside it while
the last valid schedule stays on screen.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.core.model import Plan, PlanError
from planner.editing import GRID_COLUMNS, ORIGIN, apply_delta, plan_rows, rows_to_plan, same_rows
from planner.ui import state
from planner.ui.keys import GRID_DELTA


def _grid_key() -> str:
    return f"task-grid-{st.session_state[state.GRID_VERSION]}"


def _on_edit(key: str) -> None:
    _apply(st.session_state.get(key) or {}, in_grid=True)


def _apply(delta: dict, in_grid: bool = False) -> None:
    """Applies `delta` to the draft rows; `in_grid`: the delta is the grid's own, shown on screen."""
    draft = apply_delta(st.session_state[state.DRAFT], delta)
    try:
        plan = rows_to_plan(state.current(), draft)
    except PlanError as exc:
        state.set_problems(exc.problems, draft)
        return
    state.commit(plan, grid_shows_it=in_grid and same_rows(draft, plan_rows(plan)))


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*GRID_COLUMNS, ORIGIN])
    for col in ("wave", "duration", "optimistic", "likely", "pessimistic", "percent_complete"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Float64")
    frame["milestone"] = frame["milestone"].astype("boolean")
    for col in ("not_before", "deadline", "actual_start", "actual_finish"):
        frame[col] = pd.to_datetime(frame[col], errors="coerce")
    return frame


def undo_redo() -> None:
    row = st.container(horizontal=True)
    row.button("↶ Undo", key="undo", on_click=state.undo, disabled=not state.can_undo())
    row.button("↷ Redo", key="redo", on_click=state.redo, disabled=not state.can_redo())


def apply_pending() -> None:
    """Applies a programmatic edit before the page draws (so figures show its result)."""
    delta = st.session_state.pop(GRID_DELTA, None)
    if delta:
        _apply(delta)


def _from_plan() -> None:
    """The grid drawn next shows the plan, unless it holds rows the plan could not take (those
    stay as typed, with their problems)."""
    if not st.session_state[state.PROBLEMS]:
        st.session_state[state.DRAFT] = plan_rows(state.current())


def set_aside() -> None:
    """For a run that draws no grid (another view or page): the grid drawn next starts from the
    plan, under a new key. Streamlit forgets an undrawn grid's edits only when a run completes, so a
    run cut short by the next click (a quick switch away and back) would bring the grid back
    without the edits the plan took as typed, and the next edit would apply to those stale rows."""
    if _grid_key() in st.session_state:
        _from_plan()
        st.session_state[state.GRID_VERSION] += 1


def show(plan: Plan) -> None:
    undo_redo()
    problems = st.session_state[state.PROBLEMS]
    if problems:
        st.error(
            f"{len(problems)} {'value is' if len(problems) == 1 else 'values are'} not applied: the schedule above "
            "is the last valid one. Fix them in the grid (or Undo):",
            icon="⚠️",
        )
        st.dataframe(
            [{"row": p.where, "field": p.field or "row", "why": p.message} for p in problems],
            hide_index=True,
            width="stretch",
            key="grid-problems",
        )
    key = _grid_key()
    if key not in st.session_state:  # not on screen last run
        _from_plan()
    st.data_editor(
        _frame(st.session_state[state.DRAFT]),
        key=key,
        on_change=_on_edit,
        args=(key,),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * (len(st.session_state[state.DRAFT]) + 1), 640),
        column_config={
            "id": st.column_config.TextColumn("ID", required=True, help="Letters, digits, _ . -"),
            "name": st.column_config.TextColumn("Name", required=True, width="large"),
            "phase": st.column_config.TextColumn("Phase"),
            "wave": st.column_config.NumberColumn("Wave", format="plain", help="0 = pilot"),
            "owner": st.column_config.SelectboxColumn("Owner", options=list(plan.parties)),
            "duration": st.column_config.NumberColumn(
                "Days", format="plain", required=True, help="Working days; 0 = milestone"
            ),
            "optimistic": st.column_config.NumberColumn("Opt.", format="plain"),
            "likely": st.column_config.NumberColumn("Likely", format="plain"),
            "pessimistic": st.column_config.NumberColumn("Pess.", format="plain"),
            "depends_on": st.column_config.TextColumn(
                "Depends on", help="IDs separated by ';' — ID, ID:SS, ID:FF+2, ID:FS-1 (lead)", width="medium"
            ),
            "uses": st.column_config.TextColumn(
                "Uses", help="Resources and units per working day, e.g. INC-SME:2; KT-LEAD:1", width="medium"
            ),
            "milestone": st.column_config.CheckboxColumn("Milestone"),
            "not_before": st.column_config.DateColumn("Not before", format="YYYY-MM-DD"),
            "deadline": st.column_config.DateColumn("Deadline", format="YYYY-MM-DD"),
            "percent_complete": st.column_config.NumberColumn("% done", format="plain", help="0 to 100"),
            "actual_start": st.column_config.DateColumn("Actual start", format="YYYY-MM-DD"),
            "actual_finish": st.column_config.DateColumn("Actual finish", format="YYYY-MM-DD"),
            ORIGIN: None,
        },
    )
    st.caption(
        "Edit cells, add rows at the bottom, select rows and press Delete to remove them. Every valid edit "
        "reschedules at once; a value the plan cannot take is listed above the grid, never changed. Changing Days "
        "scales the task's three-point estimate with it. Undo and Redo step through edits."
    )
