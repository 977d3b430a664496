"""Page registry: every page a link may open is registered on the first run."""

from __future__ import annotations

import streamlit as st

from planner.ui import plan_page


def run() -> None:
    st.set_page_config(page_title="Transition planner", page_icon="🗺️", layout="wide")
    page = st.navigation([st.Page(plan_page.show, title="Plan", icon="📅", default=True, url_path="plan")])
    page.run()
