"""Documented limits on what a plan may ask for, so no input can exhaust the machine.

Every limit is checked when a plan is validated (or, for the schedule's length, before any date
is computed) and breaking one gives a message naming the task and field. The numbers are far
beyond any real transition (which runs months, not decades) and keep every table the planner
builds small: a calendar covers at most a few hundred years, a Monte Carlo pass fits its
integer type, a plan file fits in memory.
"""

from __future__ import annotations

import datetime as dt

MAX_TASKS = 100_000  # tasks in one plan
MAX_COLUMNS = 64  # cells read of a task CSV's or sheet's row: a task row has about 20 columns
MAX_DURATION = 5_000  # working days for one task or estimate value (about 19 years)
MAX_LAG = 5_000  # working days of lag or lead on one link
MAX_SPAN = 25_000  # working days from day 0 to the plan finish (about 96 years)
DATE_REACH_YEARS = 100  # every date in a plan lies within this many years of its start
MIN_DATE = dt.date(1900, 1, 1)  # every date in a plan lies in these years
MAX_DATE = dt.date(2999, 12, 31)
MAX_TEXT = 10_000  # characters in one name, phase, note or criterion
MAX_QUOTE = 200  # characters of input a message may quote


def shorten(text: str, limit: int = MAX_QUOTE) -> str:
    """Input quoted in a message, cut to `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
