"""Tests of the working-day calendar (planner.core.calendar)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.core.calendar import WorkCalendar, weekday_index


def test_offsets_both_ways_with_holidays_and_closures():
    """Tests day 0, a bank holiday, a closure and the weekend."""
    cal = WorkCalendar(dt.date(2027, 1, 1), country="GB", closures=frozenset({dt.date(2027, 1, 6)}))
    assert cal.date_of(0) == dt.date(2027, 1, 4)  # 1 Jan is a holiday, then a weekend
    assert cal.date_of(2) == dt.date(2027, 1, 7)  # 6 Jan closed
    assert cal.offset_on_or_after(dt.date(2027, 1, 6)) == 2
    assert cal.offset_on_or_before(dt.date(2027, 1, 6)) == 1
    assert cal.offset_on_or_before(dt.date(2027, 1, 1)) == -1


def test_middle_east_weekend():
    """Tests a Friday-Saturday weekend."""
    cal = WorkCalendar(dt.date(2027, 1, 1), weekend=(4, 5))
    assert cal.date_of(0) == dt.date(2027, 1, 3)  # Sunday
    assert not cal.is_working(dt.date(2027, 1, 8))


def test_table_grows_for_long_plans():
    """Tests offsets far beyond the first table (a plan spanning decades) and before the start."""
    cal = WorkCalendar(dt.date(2027, 1, 4), country="US")
    far = cal.date_of(10_000)
    assert cal.offset_on_or_after(far) == 10_000
    assert cal.date_of(-500) < dt.date(2025, 2, 1)
    assert list(cal.iso_of([0, 1])) == ["2027-01-04", "2027-01-05"]


@settings(max_examples=200, deadline=None)
@given(st.integers(-300, 3000))
def test_offset_date_round_trip(offset):
    """Tests that date_of and offset_on_or_after are inverse on working days."""
    cal = WorkCalendar(dt.date(2027, 3, 1), country="DE", closures=frozenset({dt.date(2027, 8, 2)}))
    day = cal.date_of(offset)
    assert cal.is_working(day)
    assert cal.offset_on_or_after(day) == offset == cal.offset_on_or_before(day)
    assert cal.date_of(offset + 1) > day


@pytest.mark.parametrize(("name", "index"), [("sat", 5), ("Sunday", 6), ("MON", 0)])
def test_weekday_names(name, index):
    """Tests weekday names in short, long and upper-case forms."""
    assert weekday_index(name) == index


def test_bad_weekday_name():
    """Tests that an unknown weekday is refused with the valid names."""
    with pytest.raises(ValueError, match="use mon, tue"):
        weekday_index("funday")
