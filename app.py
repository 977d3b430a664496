"""Streamlit entry point: page navigation only; the pages live in planner/ui/."""

from planner.ui.navigation import run
from planner.ui.serve import tcp_nodelay

tcp_nodelay()  # idempotent; `python -m planner.ui.serve` (make run) sets it before the server starts
run()
