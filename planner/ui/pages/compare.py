"""Page script: saved plans or revisions side by side."""

from planner.ui import compare_page

compare_page.show()
