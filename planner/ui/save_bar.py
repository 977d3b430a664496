"""Save controls on the plan page: unsaved-changes indicator, save, and the stale-save choice."""

from __future__ import annotations

import streamlit as st

from planner.core.model import Plan
from planner.store.database import StaleRevision, StoreError
from planner.ui import auth, state, storage
from planner.ui.keys import STALE
from planner.ui.text import md


def _clicked(plan: Plan, as_copy: bool = False) -> None:
    """A save button's callback: `save` shows its own outcome."""
    save(plan, as_copy)


def save(plan: Plan, as_copy: bool = False) -> str | None:
    """Saves `plan` (a new revision of its saved plan, else a new plan); the reason when it was not saved."""
    store = storage.store()
    if store is None:
        return "saved plans are unavailable"
    info = storage.saved()
    author, user = auth.author(), auth.user()
    try:
        if info is None or as_copy:
            note = "saved as a copy" if as_copy else "saved from the app"
            plan_id, number = store.save(plan, note=note, author=author, user=user)
        else:
            plan_id, number = store.save(
                plan, info[0], base_revision=info[1], note="saved from the app", author=author, user=user
            )
    except StaleRevision as exc:
        st.session_state[STALE] = str(exc)
        return str(exc)
    except StoreError as exc:
        st.session_state[STALE] = f"Not saved: {exc}"
        return str(exc)
    st.session_state.pop(STALE, None)
    storage.mark_saved(plan_id, number, plan)
    return None


def reload_latest() -> None:
    """Shows the latest saved revision of the open plan (its edits, if any, are dropped)."""
    info = storage.saved()
    store = storage.store()
    if info is None or store is None:
        return
    try:
        plan, number = store.get(info[0], user=auth.user())
    except StoreError as exc:
        st.session_state[STALE] = f"Not reloaded: {exc}"
        return
    state.replace(plan)
    storage.mark_saved(info[0], number, plan)
    st.session_state.pop(STALE, None)


def show(plan: Plan) -> None:
    info = storage.saved()
    dirty = storage.unsaved(plan)
    # one horizontal block, not a row of columns (five messages an edit's rerun sends: docs/upstream.md)
    row = st.container(horizontal=True, vertical_alignment="center")
    if info is None:
        said = "● Not saved yet"
    elif dirty:
        said = f"● Unsaved changes (saved as {info[0]} r{info[1]})"
    else:
        said = f"✓ Saved as {info[0]} r{info[1]}"
    row.caption(said, width="content")
    row.button("💾 Save", key="save-plan", on_click=_clicked, args=(plan,), disabled=not dirty, type="primary")
    row.button("Save as copy", key="save-copy", on_click=_clicked, args=(plan, True))
    message = st.session_state.get(STALE)
    if message:
        st.warning(md(message), icon="⚠️")
        c = st.columns([1, 1, 5])
        c[0].button("Reload latest", key="stale-reload", on_click=reload_latest)
        c[1].button("Save as copy", key="stale-copy", on_click=_clicked, args=(plan, True))
