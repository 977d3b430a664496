"""Page registry: every page a link may open is registered on the first run.

Pages are scripts under planner/ui/pages so tests (AppTest.switch_page) and links reach them.
A `?share=TOKEN` session registers the read-only view alone: no other page is reachable. On a team
server (sign-in configured) nothing else is registered until the user has signed in.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from planner.ui import auth, grid, share_page, state
from planner.ui.keys import PAGES, SHARE_MODE
from planner.ui.nodelay import tcp_nodelay

PAGE_DIR = Path(__file__).resolve().parent / "pages"


def run() -> None:
    st.set_page_config(page_title="Transition planner", page_icon="🗺️", layout="wide")
    tcp_nodelay()  # the server's sockets send each message at once (planner/ui/nodelay.py)
    token = st.query_params.get("share")
    if token is not None or st.session_state.get(SHARE_MODE):
        if token is not None:
            st.session_state[SHARE_MODE] = True
            st.session_state[share_page.TOKEN] = token
        page = st.Page(PAGE_DIR / "share.py", title="Plan view", url_path="view", default=True)
        st.navigation([page], position="hidden").run()
        return
    if not auth.gate():
        return
    auth.sidebar()
    state.ensure()
    pages = {
        "plan": st.Page(PAGE_DIR / "plan.py", title="Plan", icon="📅", default=True, url_path="plan"),
        "new": st.Page(PAGE_DIR / "new.py", title="New plan", icon="➕", url_path="new"),
        "plans": st.Page(PAGE_DIR / "plans.py", title="Saved plans", icon="🗄️", url_path="plans"),
        "compare": st.Page(PAGE_DIR / "compare.py", title="Compare", icon="⚖️", url_path="compare"),
    }
    st.session_state[PAGES] = pages
    page = st.navigation(list(pages.values()))
    if page is not pages["plan"]:
        grid.set_aside()  # before the page draws: a quick return must find the grid as the plan is
    page.run()
