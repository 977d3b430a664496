"""The app's link to the store: one Store per database URL, and the saved/unsaved state."""

from __future__ import annotations

import streamlit as st

from planner.core.model import Plan
from planner.store.database import Store, StoreError, default_url
from planner.ui.keys import SAVED
from planner.ui.text import md


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url)


def open_store() -> Store:
    """The store of this server (one per database URL, shared by the sessions); raises StoreError."""
    return _store(default_url())


def store() -> Store | None:
    """The store, or None after showing why it cannot be opened."""
    try:
        return open_store()
    except StoreError as exc:
        st.error(f"Saved plans are unavailable: {md(exc)}", icon="🗄️")
        return None


def saved() -> tuple[str, int, Plan] | None:
    return st.session_state.get(SAVED)


def mark_saved(plan_id: str, revision: int, plan: Plan) -> None:
    st.session_state[SAVED] = (plan_id, revision, plan)


def forget_saved() -> None:
    st.session_state.pop(SAVED, None)


def unsaved(plan: Plan) -> bool:
    info = saved()
    return info is None or (info[2] is not plan and info[2] != plan)
