"""Page registry: every page a link may open is registered on the first run.

Pages are scripts under planner/ui/pages so tests (AppTest.switch_page) and links reach them.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from planner.ui import state

PAGES = Path(__file__).resolve().parent / "pages"


def run() -> None:
    st.set_page_config(page_title="Transition planner", page_icon="🗺️", layout="wide")
    state.ensure()
    pages = {
        "plan": st.Page(PAGES / "plan.py", title="Plan", icon="📅", default=True, url_path="plan"),
        "new": st.Page(PAGES / "new.py", title="New plan", icon="➕", url_path="new"),
    }
    st.session_state["_pages"] = pages
    st.navigation(list(pages.values())).run()
