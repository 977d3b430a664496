"""Page script: saved plans, history and share links."""

from planner.ui import plans_page

plans_page.show()
