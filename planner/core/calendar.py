"""Working-day calendar: weekends, national holidays and extra closures.

A plan counts time in working days from day 0, the first working day on or after the plan
start. Conversions both ways are table lookups (O(1)) over a table built once per calendar
and grown by doubling when a schedule reaches past it, so a plan may span many years without
a day-by-day loop per task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EPOCH = np.datetime64("1970-01-01", "D")
_MARGIN_DAYS = 370
_INITIAL_SPAN_DAYS = 3 * 366


def weekday_index(name: str) -> int:
    """Maps `sat`, `Saturday` or `SAT` to 5; raises ValueError for anything else."""
    key = name.strip().lower()[:3]
    if key not in WEEKDAY_NAMES or not name.strip().lower().startswith(key):
        raise ValueError(f"unknown weekday {name!r}; use mon, tue, wed, thu, fri, sat or sun")
    return WEEKDAY_NAMES.index(key)


@lru_cache(maxsize=64)
def _holiday_dates(country: str, subdiv: str | None, first_year: int, last_year: int) -> frozenset:
    import holidays as holidays_lib  # 30 ms to import: only plans with national holidays pay it

    years = range(first_year, last_year + 1)
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdiv, years=years))


def holiday_names(country: str, subdiv: str | None, years: Iterable[int]) -> dict[dt.date, str]:
    """Holiday names for display (the calendar itself only needs the dates)."""
    import holidays as holidays_lib

    return dict(holidays_lib.country_holidays(country, subdiv=subdiv, years=list(years)))


def check_country(country: str, subdiv: str | None) -> str | None:
    """Returns a user-facing problem if the `holidays` package does not know this region."""
    import holidays as holidays_lib
    from holidays.registry import EntityLoader

    # The codes come from the registry; `list_supported_countries()` would import all 250
    # countries' modules to list their subdivisions (65 ms of a 0.35 s `validate`).
    if country not in set(EntityLoader.get_country_codes()):
        return f"unknown holiday country {country!r}; use an ISO 3166 code such as GB, US or DE"
    subdivisions = list(getattr(holidays_lib, country).subdivisions)
    if subdiv is not None and subdiv not in subdivisions:
        known = ", ".join(subdivisions[:12])
        return f"unknown subdivision {subdiv!r} for {country}; known: {known}"
    return None


@dataclass
class WorkCalendar:
    """Offsets <-> dates for one plan.

    The table grows on demand (an internal cache), so the public behaviour is that of an
    immutable calendar: the same offset always maps to the same date.
    """

    start: dt.date
    weekend: tuple[int, ...] = (5, 6)
    country: str | None = None
    subdiv: str | None = None
    closures: frozenset[dt.date] = frozenset()
    _lo: np.datetime64 = field(init=False, repr=False)
    _hi: np.datetime64 = field(init=False, repr=False)
    _work: np.ndarray = field(init=False, repr=False)
    _iso: np.ndarray = field(init=False, repr=False)
    _before: np.ndarray = field(init=False, repr=False)
    _origin: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(set(self.weekend)) >= 7:
            raise ValueError("a calendar needs at least one working weekday")
        start = np.datetime64(self.start, "D")
        self._build(start - _MARGIN_DAYS, start + _INITIAL_SPAN_DAYS)

    def _build(self, lo: np.datetime64, hi: np.datetime64) -> None:
        days = np.arange(lo, hi, dtype="datetime64[D]")
        weekday = (days.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday
        working = ~np.isin(weekday, np.array(self.weekend, dtype=np.int64))
        closed = set(self.closures)
        if self.country:
            first = int(str(lo)[:4])
            last = int(str(hi)[:4])
            closed |= _holiday_dates(self.country, self.subdiv, first, last)
        if closed:
            closed_days = np.array(sorted(closed), dtype="datetime64[D]")
            working &= ~np.isin(days, closed_days)
        self._lo, self._hi = lo, hi
        self._work = days[working]
        self._iso = np.datetime_as_string(self._work)
        # _before[i] = number of working days strictly before calendar day lo + i.
        self._before = np.concatenate(([0], np.cumsum(working)))
        start_idx = int((np.datetime64(self.start, "D") - lo).astype(np.int64))
        self._origin = int(self._before[start_idx])

    def _grow_to_cover(self, lo: np.datetime64, hi: np.datetime64) -> None:
        if lo >= self._lo and hi <= self._hi:
            return
        span = self._hi - self._lo
        new_lo = min(self._lo, lo - _MARGIN_DAYS)
        new_hi = max(self._hi, hi + span)
        self._build(new_lo, new_hi)

    def _ensure_offsets(self, lo: int, hi: int) -> None:
        while lo + self._origin < 0 or hi + self._origin >= len(self._work):
            need_days = int(max(-(lo + self._origin), hi + self._origin - len(self._work) + 1))
            extra = np.timedelta64(2 * need_days + 14, "D")
            lo_d = self._lo - extra if lo + self._origin < 0 else self._lo
            hi_d = self._hi + extra if hi + self._origin >= len(self._work) else self._hi
            self._grow_to_cover(lo_d, hi_d)

    def is_working(self, day: dt.date) -> bool:
        d = np.datetime64(day, "D")
        self._grow_to_cover(d, d + 1)
        i = int((d - self._lo).astype(np.int64))
        return bool(self._before[i + 1] - self._before[i])

    def date_of(self, offset: int) -> dt.date:
        """The date of working day `offset` (day 0 = first working day on or after start)."""
        self._ensure_offsets(offset, offset)
        return self._work[offset + self._origin].astype(dt.date)

    def dates_of(self, offsets: np.ndarray | Sequence[int]) -> list[dt.date]:
        """`date_of` for many offsets at once."""
        arr = np.asarray(offsets, dtype=np.int64)
        if arr.size:
            self._ensure_offsets(int(arr.min()), int(arr.max()))
        return self._work[arr + self._origin].astype(object).tolist()

    def iso_of(self, offsets: np.ndarray | Sequence[int]) -> np.ndarray:
        """ISO date strings for many offsets at once (used to build schedule tables)."""
        arr = np.asarray(offsets, dtype=np.int64)
        if arr.size:
            self._ensure_offsets(int(arr.min()), int(arr.max()))
        return self._iso[arr + self._origin]

    def iso_table(self, lo: int, hi: int) -> tuple[np.ndarray, int]:
        """The ISO strings of all working days in the table, and the index of day 0, covering
        offsets lo..hi (for callers that convert the table once and index it many times)."""
        self._ensure_offsets(lo, hi)
        return self._iso, self._origin

    def offset_on_or_after(self, day: dt.date) -> int:
        """Offset of the first working day on or after `day` (may be negative before start)."""
        d = np.datetime64(day, "D")
        reach = 31
        while True:
            self._grow_to_cover(d, d + reach)
            i = int((d - self._lo).astype(np.int64))
            if int(self._before[i]) < len(self._work):
                return int(self._before[i]) - self._origin
            reach *= 4

    def offset_on_or_before(self, day: dt.date) -> int:
        """Offset of the last working day on or before `day`."""
        d = np.datetime64(day, "D")
        reach = 31
        while True:
            self._grow_to_cover(d - reach, d + 1)
            i = int((d - self._lo).astype(np.int64))
            if int(self._before[i + 1]) > 0:
                return int(self._before[i + 1]) - 1 - self._origin
            reach *= 4

    def deadline_offset(self, day: dt.date) -> int:
        """The latest EF (exclusive end offset) that meets a deadline on `day`: the work ends by
        the close of the last working day on or before it. The one deadline rule (DESIGN.md)."""
        return self.offset_on_or_before(day) + 1

    def working_days_between(self, first: dt.date, last: dt.date) -> int:
        """Working days from `first` to `last`, both inclusive (0 when last < first)."""
        return max(0, self.offset_on_or_before(last) - self.offset_on_or_after(first) + 1)
