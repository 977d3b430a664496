"""Session state: one canonical Plan, its undo/redo history, the grid draft and its problems.

Widgets never write a Plan back from their return values (streamlit#7749): callbacks apply
deltas to the draft and commit a new Plan only when it validates.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.core.model import Plan, Problem
from planner.editing import plan_rows
from planner.generate.build import build_plan
from planner.generate.catalogue import next_monday
from planner.ui.keys import (
    DRAFT,
    EXAMPLE,
    GRID_VERSION,
    HISTORY,
    OPEN_ERROR,
    PLAN,
    POSITION,
    PROBLEMS,
    SAVED,
)

MAX_HISTORY = 50


def example_plan() -> Plan:
    """What a new user sees first: the service-desk template, pilot and two waves, on a working
    calendar with England's public holidays (so nothing is scheduled on 25 December)."""
    return build_plan(
        "service-desk",
        waves=2,
        pilot_share=15,
        start=next_monday(),
        plan_name="Example: IT service desk transition",
        holidays="GB",
    )


def _from_url() -> tuple[Plan, str, int] | None:
    """The saved plan named by `?plan=ID` (a reload or a bookmark reopens it), if it exists."""
    from planner.store.database import StoreError
    from planner.ui import auth, storage

    plan_id = st.query_params.get("plan")
    if not plan_id:
        return None
    store = storage.store()
    if store is None:
        return None
    try:
        plan, number = store.get(plan_id, user=auth.user())
    except StoreError:
        st.session_state[OPEN_ERROR] = (
            f"Plan {plan_id[:80]!r} not found: it does not exist, was deleted, or is not shared with you. "
            "Showing the example instead."
        )
        return None
    return plan, plan_id, number


def ensure() -> None:
    ss = st.session_state
    if PLAN not in ss:
        opened = _from_url()
        plan = opened[0] if opened else example_plan()
        ss[PLAN] = plan
        ss[HISTORY] = [plan]
        ss[POSITION] = 0
        ss[EXAMPLE] = opened is None
        if opened:
            ss[SAVED] = (opened[1], opened[2], plan)
    if HISTORY not in ss:
        ss[HISTORY], ss[POSITION] = [ss[PLAN]], 0
    ss.setdefault(GRID_VERSION, 0)
    ss.setdefault(PROBLEMS, [])
    if DRAFT not in ss:
        ss[DRAFT] = plan_rows(ss[PLAN])


def current() -> Plan:
    ensure()
    return st.session_state[PLAN]


def _show(plan: Plan) -> None:
    ss = st.session_state
    ss[PLAN] = plan
    ss[DRAFT] = plan_rows(plan)
    ss[PROBLEMS] = []
    ss[GRID_VERSION] = ss.get(GRID_VERSION, 0) + 1


def commit(plan: Plan, grid_shows_it: bool = False) -> None:
    """Makes `plan` the current plan; drops the redo branch. `grid_shows_it`: the task grid on
    screen already shows this plan (a grid edit the plan took as typed), so the grid stays as it
    is, edits and all, instead of being built again from the plan."""
    ensure()
    ss = st.session_state
    history = [*ss[HISTORY][: ss[POSITION] + 1], plan]
    ss[HISTORY] = history[-MAX_HISTORY:]
    ss[POSITION] = len(ss[HISTORY]) - 1
    if grid_shows_it:
        ss[PLAN] = plan
        ss[PROBLEMS] = []
    else:
        _show(plan)


def replace(plan: Plan) -> None:
    """Starts a fresh history with `plan` (a new, uploaded or opened plan)."""
    ss = st.session_state
    ss.pop(SAVED, None)
    ss[EXAMPLE] = False
    ss[HISTORY], ss[POSITION] = [plan], 0
    _show(plan)


def can_undo() -> bool:
    return st.session_state.get(POSITION, 0) > 0


def can_redo() -> bool:
    ss = st.session_state
    return ss.get(POSITION, 0) < len(ss.get(HISTORY, [])) - 1


def undo() -> None:
    if can_undo():
        st.session_state[POSITION] -= 1
        _show(st.session_state[HISTORY][st.session_state[POSITION]])


def redo() -> None:
    if can_redo():
        st.session_state[POSITION] += 1
        _show(st.session_state[HISTORY][st.session_state[POSITION]])


def set_problems(problems: list[Problem], draft: list[dict[str, Any]]) -> None:
    """Keeps the user's rows (typing is never thrown away) and the problems to show."""
    ss = st.session_state
    ss[DRAFT] = draft
    ss[PROBLEMS] = problems
    ss[GRID_VERSION] = ss.get(GRID_VERSION, 0) + 1
