"""Unsaved work is never dropped silently: opening or starting another plan asks first (save,
discard or cancel), and leaving or reloading the page with unsaved edits makes the browser ask.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.core.model import Plan
from planner.ui import save_bar, state, storage
from planner.ui.keys import GUARDED, IMPORT_WARNINGS, PAGES, PENDING

# No plan data in it: while the plan has unsaved edits, the browser asks before the page is left or
# reloaded. It runs in the app's own page (no frame to load); Streamlit runs it again only when the
# flag in it changes.
_LEAVE_GUARD = """<script>
window.__plannerDirty = %s;
if (!window.__plannerGuard) {
  window.__plannerGuard = true;
  window.addEventListener("beforeunload", (e) => {
    if (window.__plannerDirty) { e.preventDefault(); e.returnValue = ""; }
  });
}
</script>"""


def has_unsaved_work(plan: Plan) -> bool:
    """Edits made since the plan was opened, created or saved and not saved, or typing in the
    grid that is not applied yet (it would be lost too)."""
    return bool(st.session_state.get(state.PROBLEMS)) or (state.can_undo() and storage.unsaved(plan))


def leave_guard(plan: Plan) -> None:
    """The leave guard, from the first run with unsaved work on (a page opened on a saved or
    untouched plan carries no guard until there is something to lose)."""
    dirty = has_unsaved_work(plan)
    if dirty or st.session_state.get(GUARDED):
        st.session_state[GUARDED] = True
        st.html(_LEAVE_GUARD % ("true" if dirty else "false"), unsafe_allow_javascript=True)


def show_plan(
    plan: Plan,
    saved: tuple[str, int] | None = None,
    warnings: list[str] | None = None,
    heading: str = "Imported with changes:",
) -> None:
    """Shows `plan` on the plan page, or first asks what to do with the current unsaved edits;
    `warnings` are shown once on the plan page under `heading`."""
    if has_unsaved_work(state.current()):
        st.session_state[PENDING] = (plan, saved, warnings, heading)
        _ask(st.session_state[PENDING])
        return
    _go(plan, saved, warnings, heading)


def _go(plan: Plan, saved: tuple[str, int] | None, warnings: list[str] | None, heading: str) -> None:
    state.replace(plan)
    if saved is not None:
        storage.mark_saved(saved[0], saved[1], plan)
    if warnings:
        st.session_state[IMPORT_WARNINGS] = (heading, warnings)
    st.session_state.pop(PENDING, None)
    st.switch_page(st.session_state[PAGES]["plan"])


def _cancel() -> None:
    st.session_state.pop(PENDING, None)


@st.dialog("Unsaved changes", on_dismiss=_cancel)
def _ask(pending: tuple[Any, ...]) -> None:
    plan = state.current()
    st.text(f"{plan.name} has changes that are not saved. Save them before you go on?")
    cols = st.columns(3)
    if cols[0].button("Save", key="guard-save", type="primary"):
        problem = save_bar.save(plan)
        if problem:
            st.error("Not saved; nothing was discarded.", icon="⚠️")
            st.text(problem)
            return
        _go(*pending)
    if cols[1].button("Discard changes", key="guard-discard"):
        _go(*pending)
    if cols[2].button("Cancel", key="guard-cancel"):
        st.session_state.pop(PENDING, None)
        st.rerun()


def ask_if_pending() -> None:
    """Opens the save / discard / cancel dialog when an action is waiting on it."""
    pending = st.session_state.get(PENDING)
    if pending is not None:
        _ask(pending)
