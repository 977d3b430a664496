"""The command line of DESIGN.md (`planner` / `python -m planner`)."""
