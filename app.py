"""Streamlit entry point: page navigation only; the pages live in planner/ui/."""

from planner.ui.navigation import run

run()
