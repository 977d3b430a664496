"""The task grid: edit tasks and links in a table, with undo and redo.

Each edit is applied as a delta to the draft rows in a callback; a valid draft becomes the new
plan at once, an invalid one stays in the grid (nothing typed is lost) with its problems shown
beside it while the last valid schedule stays on screen.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.editing import GRID_COLUMNS, ORIGIN, apply_delta, rows_to_plan
from planner.model import Plan, PlanError
from planner.ui import state

GRID_DELTA = "grid_delta"  # a delta set here by a script or test is applied like a grid edit


def _grid_key() -> str:
    return f"task-grid-{st.session_state[state.GRID_VERSION]}"


def _on_edit(key: str) -> None:
    _apply(st.session_state.get(key) or {})


def _apply(delta: dict) -> None:
    draft = apply_delta(st.session_state[state.DRAFT], delta)
    try:
        plan = rows_to_plan(state.current(), draft)
    except PlanError as exc:
        state.set_problems(exc.problems, draft)
        return
    state.commit(plan)


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*GRID_COLUMNS, ORIGIN])
    for col in ("wave", "duration", "optimistic", "likely", "pessimistic", "percent_complete"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Float64")
    frame["milestone"] = frame["milestone"].astype("boolean")
    for col in ("not_before", "deadline", "actual_start", "actual_finish"):
        frame[col] = pd.to_datetime(frame[col], errors="coerce")
    return frame


def undo_redo() -> None:
    cols = st.columns([1, 1, 6])
    cols[0].button("↶ Undo", key="undo", on_click=state.undo, disabled=not state.can_undo(), width="stretch")
    cols[1].button("↷ Redo", key="redo", on_click=state.redo, disabled=not state.can_redo(), width="stretch")


def apply_pending() -> None:
    """Applies a programmatic edit before the page draws (so figures show its result)."""
    delta = st.session_state.pop(GRID_DELTA, None)
    if delta:
        _apply(delta)


def show(plan: Plan) -> None:
    undo_redo()
    problems = st.session_state[state.PROBLEMS]
    if problems:
        st.error(
            "These edits are not applied yet; the schedule above is the last valid one. Fix them in the grid:\n\n"
            + "\n".join(f"- **{p.where}** · `{p.field or 'row'}`: {p.message}" for p in problems),
            icon="⚠️",
        )
    key = _grid_key()
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
            "wave": st.column_config.NumberColumn("Wave", min_value=0, step=1, format="%d", help="0 = pilot"),
            "owner": st.column_config.SelectboxColumn("Owner", options=list(plan.parties)),
            "duration": st.column_config.NumberColumn(
                "Days", min_value=0, step=1, format="%d", required=True, help="Working days; 0 = milestone"
            ),
            "optimistic": st.column_config.NumberColumn("Opt.", min_value=0, step=1, format="%d"),
            "likely": st.column_config.NumberColumn("Likely", min_value=0, step=1, format="%d"),
            "pessimistic": st.column_config.NumberColumn("Pess.", min_value=0, step=1, format="%d"),
            "depends_on": st.column_config.TextColumn(
                "Depends on", help="IDs separated by ';' — ID, ID:SS, ID:FF+2, ID:FS-1 (lead)", width="medium"
            ),
            "milestone": st.column_config.CheckboxColumn("Milestone"),
            "not_before": st.column_config.DateColumn("Not before", format="YYYY-MM-DD"),
            "deadline": st.column_config.DateColumn("Deadline", format="YYYY-MM-DD"),
            "percent_complete": st.column_config.NumberColumn(
                "% done", min_value=0, max_value=100, step=5, format="%d"
            ),
            "actual_start": st.column_config.DateColumn("Actual start", format="YYYY-MM-DD"),
            "actual_finish": st.column_config.DateColumn("Actual finish", format="YYYY-MM-DD"),
            ORIGIN: None,
        },
    )
    st.caption(
        "Edit cells, add rows at the bottom, select rows and press Delete to remove them. Every valid edit "
        "reschedules at once; Undo and Redo step through edits."
    )
