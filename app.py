"""Streamlit entry point (`streamlit run app.py`): page navigation only; the pages live in planner/ui/."""

from planner.ui.navigation import run

run()
