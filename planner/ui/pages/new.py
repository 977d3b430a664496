"""Page script: start a new plan from a template or a file."""

from planner.ui import start_page

start_page.show()
