"""Working-day calendar: weekends, national holidays and extra closures.

A plan counts time in working days from day 0, the first working day on or after the plan
start. Conversions both ways go through numpy's business-day calendar (`np.busdaycalendar`,
`np.busday_offset`, `np.busday_count`): vectorised, and immutable once built, so one calendar
serves every session's thread. Its holidays cover every date a valid plan can reach (the plan
start plus or minus HORIZON_YEARS, limits.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from planner.limits import DATE_REACH_YEARS

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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


@dataclass(frozen=True)
class WorkCalendar:
    """Offsets <-> dates for one plan; immutable."""

    start: dt.date
    weekend: tuple[int, ...] = (5, 6)
    country: str | None = None
    subdiv: str | None = None
    closures: frozenset[dt.date] = frozenset()
    _days: np.busdaycalendar = field(init=False, repr=False, compare=False)
    _day0: np.datetime64 = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(set(self.weekend)) >= 7:
            raise ValueError("a calendar needs at least one working weekday")
        closed = set(self.closures)
        if self.country:
            first = max(self.start.year - DATE_REACH_YEARS - 1, dt.MINYEAR)
            last = min(self.start.year + DATE_REACH_YEARS + 1, dt.MAXYEAR)
            closed |= _holiday_dates(self.country, self.subdiv, first, last)
        weekmask = [0 if d in self.weekend else 1 for d in range(7)]
        days = np.busdaycalendar(weekmask=weekmask, holidays=np.array(sorted(closed), dtype="datetime64[D]"))
        object.__setattr__(self, "_days", days)
        day0 = np.busday_offset(np.datetime64(self.start, "D"), 0, roll="forward", busdaycal=days)
        object.__setattr__(self, "_day0", day0)

    def _dates(self, offsets: np.ndarray | Sequence[int] | int) -> np.ndarray:
        return np.busday_offset(self._day0, np.asarray(offsets, dtype=np.int64), busdaycal=self._days)

    def _offset(self, day: np.datetime64) -> int:
        return int(np.busday_count(self._day0, day, busdaycal=self._days))

    def is_working(self, day: dt.date) -> bool:
        return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=self._days))

    def date_of(self, offset: int) -> dt.date:
        """The date of working day `offset` (day 0 = first working day on or after start)."""
        return self._dates(offset).item()

    def dates_of(self, offsets: np.ndarray | Sequence[int]) -> list[dt.date]:
        """`date_of` for many offsets at once."""
        return self._dates(offsets).astype(object).tolist()

    def day_numbers(self, offsets: np.ndarray | Sequence[int]) -> np.ndarray:
        """Calendar day numbers (days since 1970-01-01) of working-day offsets, for date arithmetic
        on many at once."""
        return self._dates(offsets).astype("datetime64[D]").astype(np.int64)

    def iso_of(self, offsets: np.ndarray | Sequence[int]) -> np.ndarray:
        """ISO date strings for many offsets at once (used to build schedule tables)."""
        return np.datetime_as_string(self._dates(offsets))

    def offset_on_or_after(self, day: dt.date) -> int:
        """Offset of the first working day on or after `day` (may be negative before start)."""
        d = np.datetime64(day, "D")
        return self._offset(np.busday_offset(d, 0, roll="forward", busdaycal=self._days))

    def offset_on_or_before(self, day: dt.date) -> int:
        """Offset of the last working day on or before `day`."""
        d = np.datetime64(day, "D")
        return self._offset(np.busday_offset(d, 0, roll="backward", busdaycal=self._days))

    def deadline_offset(self, day: dt.date) -> int:
        """The latest EF (exclusive end offset) that meets a deadline on `day`: the work ends by
        the close of the last working day on or before it. The one deadline rule (DESIGN.md)."""
        return self.offset_on_or_before(day) + 1

    def working_days_between(self, first: dt.date, last: dt.date) -> int:
        """Working days from `first` to `last`, both inclusive (0 when last < first)."""
        return max(0, self.offset_on_or_before(last) - self.offset_on_or_after(first) + 1)
