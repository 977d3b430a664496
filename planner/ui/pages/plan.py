"""Page script: the plan (the landing page)."""

from planner.ui import plan_page

plan_page.show()
