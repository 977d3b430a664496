"""Page script: a read-only share view."""

from planner.ui import share_page

share_page.show()
