"""What is wrong with a plan: one problem, and the error that lists them all.

Its own module, free of pydantic and numpy, so that commands which only read the template
catalogue (`planner templates`) start without loading the plan model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from planner.limits import shorten


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan: where (task or row), which field, and what to do."""

    where: str
    field: str
    message: str

    def __post_init__(self) -> None:
        # A message may quote input; none repeats more than a few hundred characters of it.
        object.__setattr__(self, "where", shorten(self.where))
        object.__setattr__(self, "field", shorten(self.field))
        object.__setattr__(self, "message", shorten(self.message, 400))

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}" if self.field else f"{self.where}: {self.message}"


MAX_PROBLEMS = 50  # listed of one error; a file with 100,000 bad rows froze the page that listed them all


class PlanError(ValueError):
    """Raised instead of returning a half-valid plan; `.problems` lists the first MAX_PROBLEMS
    problems and then how many more there are; `.every` holds them all (`.count` of them), for a
    caller that adds its own and raises again."""

    def __init__(self, problems: Sequence[Problem]):
        found = list(problems)
        self.every = tuple(found)
        if len(found) > MAX_PROBLEMS:
            more = len(found) - MAX_PROBLEMS
            found = [
                *found[:MAX_PROBLEMS],
                Problem("plan", "", f"and {more:,} more problems, not listed: correct the ones above first"),
            ]
        self.problems = found
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def count(self) -> int:
        return len(self.every)
