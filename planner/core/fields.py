"""The plan model's building blocks: the value types every field uses (whole days, dates,
one-line and free text), the frozen base model, links and three-point estimates (a problem and
its error are in `planner.problems`).

Kept apart from `planner.core.model` so that small data modules (resources, RAID) share them without
importing the whole plan.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from planner.core.links import format_link, parse_link
from planner.limits import MAX_DATE, MAX_DURATION, MAX_LAG, MAX_TEXT, MIN_DATE

DEFAULT_PARTIES = ("client", "vendor", "joint")
TARGET_RE = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*\S")


def whole_number(value: Any) -> Any:
    """Accepts 3, 3.0 and "3"; refuses 2.5, "two" and booleans with a message a user reads."""
    if type(value) is int:
        return value
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true/false")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"must be a whole number of working days (got {value:g})")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
            raise ValueError(f"must be a whole number (got {value!r})")
        return int(float(text))
    return value


def no_boolean(value: Any) -> Any:
    """true/false is never a number: pydantic's lax int and float would read true as 1."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    return value


NotBoolean = BeforeValidator(no_boolean)
WholeNumber = Annotated[int, BeforeValidator(whole_number)]
Days = Annotated[int, BeforeValidator(whole_number), Field(ge=0, le=MAX_DURATION)]
# pydantic's own lax int: "3" and 3.0 pass, 2.5 fails; true/false are refused in Task._no_booleans
FastDays = Annotated[int, Field(ge=0, le=MAX_DURATION, strict=False)]
PlanDate = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]
# One line of text: no control characters at all (names, phases, owners, KPIs, titles).
Line = Annotated[str, Field(max_length=MAX_TEXT, pattern=r"^[^\x00-\x1f\x7f]*$")]
# Free text: tabs and line breaks allowed, other control characters not (notes, descriptions).
Text = Annotated[str, Field(max_length=MAX_TEXT, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Link(Frozen):
    """A dependency on `task`. Inequalities, with lag in working days (negative = lead):
    FS: ES(S) >= EF(P) + lag; SS: ES(S) >= ES(P) + lag; FF: EF(S) >= EF(P) + lag;
    SF: EF(S) >= ES(P) + lag."""

    task: str
    type: Literal["FS", "SS", "FF", "SF"] = "FS"
    lag: Annotated[int, Field(ge=-MAX_LAG, le=MAX_LAG)] = 0

    def __str__(self) -> str:
        return format_link(self.task, self.type, self.lag)


def link_data(value: Any) -> Any:
    """Link text (`B:SS+2`) or a long-form mapping as field data for Link."""
    if isinstance(value, str):
        task, kind, lag = parse_link(value)
        return {"task": task, "type": kind, "lag": lag}
    if isinstance(value, Mapping):
        out = dict(value)
        if isinstance(out.get("type"), str):
            out["type"] = out["type"].strip().upper()
        if "lag" in out:
            out["lag"] = whole_number(out["lag"])
        return out
    return value


def links_data(value: Any) -> Any:
    """depends_on as a list of link mappings; one Python call per task, not per link."""
    if value is None:
        return ()
    if isinstance(value, str):
        from planner.core.links import split_cell

        value = split_cell(value)
    if isinstance(value, Sequence):
        out = []
        for k, item in enumerate(value):
            try:
                out.append(link_data(item))
            except ValueError as exc:
                raise ValueError(f"[{k + 1}] {exc}") from None
        return out
    return value


class Estimate(Frozen):
    """Three-point estimate in working days, for schedule risk."""

    optimistic: Days
    likely: Days
    pessimistic: Days

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        if isinstance(value, Sequence) and not isinstance(value, str):
            if len(value) != 3:
                raise ValueError("write [optimistic, likely, pessimistic]: three numbers")
            return dict(zip(("optimistic", "likely", "pessimistic"), value, strict=True))
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if not self.optimistic <= self.likely <= self.pessimistic:
            raise ValueError(
                "must satisfy optimistic <= likely <= pessimistic "
                f"(got {self.optimistic}/{self.likely}/{self.pessimistic})"
            )
        return self


def uses_data(value: Any) -> Any:
    """A task's `uses` as (resource, units) pairs, from a mapping (`{INC-SME: 2}`), the task CSV's
    text (`INC-SME:2;KT-LEAD:1`) or pairs. Pairs keep a Task hashable, as every Task is."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        pairs = []
        for part in re.split(r"[;,]", value):
            if not part.strip():
                continue
            name, sep, units = part.partition(":")
            if not sep or not name.strip():
                raise ValueError(f"cannot read {part.strip()!r}; write RESOURCE:UNITS, e.g. INC-SME:2;KT-LEAD:1")
            pairs.append((name.strip(), units.strip()))
        value = pairs
    elif isinstance(value, Mapping):
        value = list(value.items())
    if isinstance(value, Sequence):
        out = []
        for item in value:
            if not (isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2):
                raise ValueError("write a mapping of resource to units, e.g. {INC-SME: 2}")
            name, units = item
            if isinstance(units, bool):
                raise ValueError(f"{name}: units must be a number, not true/false")
            try:
                number = float(units)
            except (TypeError, ValueError):
                raise ValueError(f"{name}: units must be a number (got {units!r})") from None
            if not number > 0 or number != number or number == float("inf"):
                raise ValueError(f"{name}: units must be a number > 0 (got {units})")
            out.append((str(name).strip(), int(number) if number.is_integer() else number))
        names = [n for n, _ in out]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} listed twice")
        return tuple(out)
    return value
