"""The plan model: validated, immutable data (DESIGN.md, "The plan model").

A plan is refused whole with every problem listed, each naming the task (or CSV row) and the
field, so a user can fix a file in one go. pydantic checks each value; the checks that span
tasks (ids, links, owners, cycles) live here too because they need the whole plan.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

import networkx as nx
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from planner.calendar import WorkCalendar, check_country, weekday_index
from planner.deps import ID_RE, format_link, parse_link
from planner.limits import MAX_DATE, MAX_DURATION, MAX_LAG, MAX_TASKS, MAX_TEXT, MIN_DATE, shorten

DEFAULT_PARTIES = ("client", "vendor", "joint")
TARGET_RE = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*\S")


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


class PlanError(ValueError):
    """Raised instead of returning a half-valid plan; `.problems` lists every problem."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _whole_number(value: Any) -> Any:
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


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
Days = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=MAX_DURATION)]
# pydantic's own lax int: "3" and 3.0 pass, 2.5 fails; true/false are refused in Task._no_booleans
FastDays = Annotated[int, Field(ge=0, le=MAX_DURATION, strict=False)]
PlanDate = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]
# One line of text: no control characters at all (names, phases, owners, KPIs, titles).
Line = Annotated[str, Field(max_length=MAX_TEXT, pattern=r"^[^\x00-\x1f\x7f]*$")]
# Free text: tabs and line breaks allowed, other control characters not (notes, descriptions).
Text = Annotated[str, Field(max_length=MAX_TEXT, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Link(_Frozen):
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
            out["lag"] = _whole_number(out["lag"])
        return out
    return value


def _links_data(value: Any) -> Any:
    """depends_on as a list of link mappings; one Python call per task, not per link."""
    if value is None:
        return ()
    if isinstance(value, str):
        from planner.deps import split_cell

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


class Estimate(_Frozen):
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


class Criterion(_Frozen):
    """A gate exit criterion: a KPI, a target comparison such as `>= 95%`, optionally an actual."""

    kpi: Annotated[Line, Field(min_length=1)]
    target: Line
    actual: Line | None = None

    @field_validator("target")
    @classmethod
    def _comparison(cls, value: str) -> str:
        if not TARGET_RE.match(value):
            raise ValueError(f"target {value!r} must start with >=, <=, >, <, == or != (e.g. '>= 95%')")
        return value

    def __str__(self) -> str:
        text = f"{self.kpi} {self.target}"
        if self.actual is None:
            return text
        from planner.gates import criterion_status

        return f"{text} (actual {self.actual}: {criterion_status(self)})"


class Gate(_Frozen):
    """A go/no-go decision point with KPI exit criteria."""

    criteria: tuple[Criterion, ...] = ()


class Task(_Frozen):
    """One task; `duration` in working days, 0 for a milestone."""

    id: Annotated[str, Field(pattern=ID_RE.pattern, max_length=80)]
    name: Annotated[Line, Field(min_length=1)]
    phase: Line = ""
    wave: FastDays | None = None
    owner: Line | None = None
    duration: FastDays
    milestone: bool | None = None
    estimate: Estimate | None = None
    depends_on: Annotated[tuple[Link, ...], BeforeValidator(_links_data)] = ()
    not_before: PlanDate | None = None
    deadline: PlanDate | None = None
    gate: Gate | None = None
    percent_complete: Annotated[float, Field(ge=0, le=100)] = 0
    actual_start: PlanDate | None = None
    actual_finish: PlanDate | None = None
    notes: Text = ""

    @model_validator(mode="after")
    def _actuals(self) -> Task:
        if self.actual_finish is not None and self.actual_start is None:
            raise ValueError("actual_finish needs an actual_start")
        if self.actual_start and self.actual_finish and self.actual_finish < self.actual_start:
            raise ValueError(f"actual_finish {self.actual_finish} is before actual_start {self.actual_start}")
        return self

    @model_validator(mode="before")
    @classmethod
    def _duration_from_estimate(cls, value: Any) -> Any:
        """A task with an estimate but no duration takes the most likely value; true/false is
        never a number of days (pydantic's lax int would read true as 1)."""
        if not isinstance(value, Mapping):
            return value
        for key in ("duration", "wave", "percent_complete"):
            if isinstance(value.get(key), bool):
                raise ValueError(f"{key} must be a number, not true/false")
        if "duration" not in value and value.get("estimate") is not None:
            est = value["estimate"]
            likely = None
            if isinstance(est, Mapping):
                likely = est.get("likely")
            elif isinstance(est, Sequence) and not isinstance(est, str) and len(est) == 3:
                likely = est[1]
            if likely is not None:
                return {**value, "duration": likely}
        return value

    @property
    def is_milestone(self) -> bool:
        """Explicit `milestone:` wins; otherwise a zero-duration task is a milestone."""
        return self.milestone if self.milestone is not None else self.duration == 0

    @property
    def is_gate(self) -> bool:
        return self.gate is not None

    @property
    def is_key_date(self) -> bool:
        """Listed in the milestone CSV, calendars and key figures: a milestone or a gate."""
        return self.is_milestone or self.is_gate


class CalendarSpec(_Frozen):
    """Which days are worked: weekends, national holidays (`holidays` package) and closures."""

    weekend: tuple[int, ...] = (5, 6)
    holidays: Line | None = None
    subdiv: Line | None = None
    closures: tuple[PlanDate, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        data = dict(value)
        weekend = data.get("weekend")
        if weekend is not None:
            if isinstance(weekend, str):
                weekend = [w for w in re.split(r"[\s,;]+", weekend) if w]
            if not isinstance(weekend, Sequence):
                raise ValueError("weekend: list the weekend days, e.g. [sat, sun]")
            if not all(isinstance(w, str) or (type(w) is int and 0 <= w <= 6) for w in weekend):
                raise ValueError("weekend: each day is a name (mon .. sun) or a number 0 (mon) to 6 (sun)")
            data["weekend"] = tuple(sorted({weekday_index(w) if isinstance(w, str) else w for w in weekend}))
        hol = data.get("holidays")
        if isinstance(hol, Mapping):
            data["holidays"] = hol.get("country")
            data["subdiv"] = hol.get("subdiv", data.get("subdiv"))
        elif isinstance(hol, str) and "-" in hol:
            data["holidays"], data["subdiv"] = hol.split("-", 1)
        return data

    @model_validator(mode="after")
    def _check(self) -> CalendarSpec:
        if any(d < 0 or d > 6 for d in self.weekend):
            raise ValueError("weekend days must be mon..sun")
        if len(set(self.weekend)) >= 7:
            raise ValueError("every day is a weekend day; a calendar needs at least one working day")
        if self.holidays:
            problem = check_country(self.holidays.upper(), self.subdiv)
            if problem:
                raise ValueError(problem)
        return self

    @property
    def weekend_names(self) -> list[str]:
        from planner.calendar import WEEKDAY_NAMES

        return [WEEKDAY_NAMES[d] for d in self.weekend]


class RiskSpec(_Frozen):
    """Schedule-risk settings: `correlation` ties task draws to a common factor (0 = independent,
    1 = every task at the same percentile); `uplift` is a reference-class allowance (0.3 = +30%)
    reported beside the P80 finish."""

    correlation: Annotated[float, Field(ge=0, le=1)] = 0.0
    uplift: Annotated[float, Field(ge=0, le=5)] = 0.0


class RaidItem(_Frozen):
    """A RAID log entry (risk, action, issue or decision), linked to tasks and gates."""

    id: Annotated[str, Field(pattern=ID_RE.pattern, max_length=80)]
    kind: Literal["risk", "action", "issue", "decision"]
    title: Annotated[Line, Field(min_length=1)]
    owner: Line | None = None
    status: Line = "open"
    tasks: tuple[str, ...] = ()
    due: PlanDate | None = None
    probability: Annotated[int, Field(ge=1, le=5)] | None = None
    impact: Annotated[int, Field(ge=1, le=5)] | None = None

    @property
    def is_open(self) -> bool:
        return self.status.strip().lower() not in ("closed", "done", "resolved", "accepted")

    @property
    def score(self) -> int | None:
        return self.probability * self.impact if self.probability and self.impact else None


class BaselineTask(_Frozen):
    start: PlanDate
    finish: PlanDate


class Baseline(_Frozen):
    """A snapshot of the schedule kept in the plan, to measure slip against."""

    taken: PlanDate
    tasks: dict[str, BaselineTask] = {}


class Plan(_Frozen):
    """A whole transition plan. Edits produce a new Plan; nothing mutates one."""

    name: Annotated[Line, Field(min_length=1)]
    start: PlanDate
    description: Text = ""
    calendar: CalendarSpec = CalendarSpec()
    deadline: PlanDate | None = None
    parties: tuple[Annotated[Line, Field(max_length=80)], ...] = DEFAULT_PARTIES
    risk: RiskSpec | None = None
    status_date: PlanDate | None = None
    baseline: Baseline | None = None
    raid: tuple[RaidItem, ...] = ()
    tasks: tuple[Task, ...] = ()
    _structure: Any = PrivateAttr(default=None)
    _index: Any = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Plans are equal when their data is; the prepared-structure cache does not count."""
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self.name, self.start, self.tasks))

    def work_calendar(self) -> WorkCalendar:
        """The plan's working calendar (shared between plans with the same calendar and start)."""
        spec = self.calendar
        country = spec.holidays.upper() if spec.holidays else None
        return _calendar(self.start, spec.weekend, country, spec.subdiv, frozenset(spec.closures))

    def _positions(self) -> dict[str, int]:
        """Task id -> position, built once per task tuple (views look up many tasks)."""
        cached = self._index
        if cached is None or cached[0] is not self.tasks:
            cached = (self.tasks, {t.id: j for j, t in enumerate(self.tasks)})
            self._index = cached
        return cached[1]

    def task(self, task_id: str) -> Task:
        return self.tasks[self._positions()[task_id]]

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.tasks]

    def with_durations(self, durations: Mapping[str, int]) -> Plan:
        """A new plan with some durations changed; the prepared link structure is reused."""
        positions = self._positions()
        bad = [
            Problem(f"task {k}", "duration", "must be a whole number >= 0")
            for k, v in durations.items()
            if not isinstance(v, int) or isinstance(v, bool) or v < 0
        ]
        bad += [Problem(f"task {k}", "id", "no such task") for k in sorted(set(durations) - positions.keys())]
        if bad:
            raise PlanError(bad)
        tasks = list(self.tasks)
        for k, v in durations.items():
            j = positions[k]
            tasks[j] = tasks[j].model_copy(update={"duration": v})
        new = self.model_copy(update={"tasks": tuple(tasks)})
        new._index = (new.tasks, positions)
        if self._structure is not None and self._structure[0] is self.tasks:
            new._structure = (new.tasks, self._structure[1])
        return new


@lru_cache(maxsize=16)  # each table spans at most ~200 years (limits.py): a few MB, bounded
def _calendar(
    start: dt.date, weekend: tuple[int, ...], country: str | None, subdiv: str | None, closures: frozenset
) -> WorkCalendar:
    return WorkCalendar(start=start, weekend=weekend, country=country, subdiv=subdiv, closures=closures)


_TASK = TypeAdapter(Task)
_TASKS = TypeAdapter(list[Task])
_PLAN_FIELDS = set(Plan.model_fields) - {"tasks"}

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "unknown field (check the spelling)",
    "date_from_datetime_parsing": "is not a date; write YYYY-MM-DD",
    "date_parsing": "is not a date; write YYYY-MM-DD",
    "date_type": "is not a date; write YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date without a time; write YYYY-MM-DD",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "tuple_type": "must be a list",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "float_parsing": "must be a number",
}


def _describe(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "value_error":
        msg = str(err.get("ctx", {}).get("error", err["msg"]))
        return msg
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = err.get("ctx", {}).get("ge", err.get("ctx", {}).get("le"))
        if isinstance(err.get("input"), dt.date) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(limit)):
            return f"must be between {MIN_DATE} and {MAX_DATE} (got {shorten(str(err.get('input')))})"
        op = ">=" if kind == "greater_than_equal" else "<="
        return f"must be {op} {limit} (got {shorten(repr(err.get('input')))})"
    if kind == "string_pattern_mismatch":
        if err.get("ctx", {}).get("pattern") != ID_RE.pattern:
            return "must not contain control characters (such as NUL, ESC or, in names, line breaks)"
        return f"id {shorten(repr(err.get('input')))} may use only letters, digits, '_', '.' and '-'"
    if kind == "string_too_long":
        return f"is too long (at most {err.get('ctx', {}).get('max_length')} characters)"
    if kind == "int_from_float":
        return f"must be a whole number of working days (got {shorten(repr(err.get('input')))})"
    if kind == "int_parsing":
        return f"must be a whole number (got {shorten(repr(err.get('input')))})"
    if kind == "literal_error":
        return f"must be one of {err.get('ctx', {}).get('expected')} (got {shorten(repr(err.get('input')))})"
    return _MESSAGES.get(kind, err["msg"])


def _field_path(loc: Sequence[Any]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item + 1}]")
        elif str(item).startswith(("function-", "function-after", "function-before")):
            continue
        elif parts:
            parts.append(f".{item}")
        else:
            parts.append(str(item))
    return "".join(parts)


def _problems_from(exc: ValidationError, where: str, prefix: str = "") -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        path = _field_path([p for p in err["loc"] if not str(p).startswith("function-")])
        message = _describe(err)
        first = message.split(" ", 1)[0]
        if not path and first in Task.model_fields:
            path = first  # a whole-task rule names its field first ("actual_finish needs ...")
            if message.startswith(f"{first} must "):
                message = message[len(first) + 1 :]
        field = f"{prefix}{path}" if path else prefix.rstrip(".") or "plan"
        item = re.match(r"^\[(\d+)\] ", message)
        if item and field.endswith("depends_on"):
            field, message = f"{field}[{item.group(1)}]", message[item.end() :]
        out.append(Problem(where, field, message))
    return out


def task_label(raw: Any, index: int, labels: Sequence[str] | None) -> str:
    """How a problem names a task: its id when readable, else its position (or CSV row)."""
    tid = raw.get("id") if isinstance(raw, Mapping) else None
    base = labels[index] if labels else f"task #{index + 1}"
    if isinstance(tid, (str, int)) and str(tid).strip():
        return f"{base} ({str(tid).strip()})" if labels else f"task {str(tid).strip()}"
    return base


def parse_plan(data: Any, labels: Sequence[str] | None = None) -> Plan:
    """Validates raw plan data (from YAML, JSON or CSV) into a Plan, or raises PlanError.

    `labels` names each task for messages when the source has rows (e.g. "row 7").
    """
    if not isinstance(data, Mapping):
        raise PlanError([Problem("plan", "", "a plan file must be a mapping with name, start and tasks")])
    problems: list[Problem] = []
    header = {k: v for k, v in data.items() if k != "tasks"}
    for key in header:
        if key not in _PLAN_FIELDS:
            problems.append(Problem("plan", str(key), "unknown field (check the spelling)"))
    header = {k: v for k, v in header.items() if k in _PLAN_FIELDS}
    plan_head: Plan | None = None
    try:
        plan_head = Plan.model_validate(header)
    except ValidationError as exc:
        problems += _problems_from(exc, "plan")
    raw_tasks = data.get("tasks", [])
    if raw_tasks is None:
        raw_tasks = []
    if not isinstance(raw_tasks, Sequence) or isinstance(raw_tasks, (str, bytes)):
        problems.append(Problem("plan", "tasks", "must be a list of tasks"))
        raw_tasks = []
    if len(raw_tasks) > MAX_TASKS:
        raise PlanError([Problem("plan", "tasks", f"{len(raw_tasks):,} tasks; a plan may have at most {MAX_TASKS:,}")])
    tasks, task_problems = _validate_tasks(raw_tasks, labels)
    problems += task_problems
    names = _Labels(raw_tasks, labels)
    raw_parties = data.get("parties")
    readable = isinstance(raw_parties, Sequence) and not isinstance(raw_parties, str)
    parties = plan_head.parties if plan_head else tuple(map(str, raw_parties if readable else DEFAULT_PARTIES))
    link_problems, edges = _cross_checks(raw_tasks, tasks, names, parties)
    problems += link_problems
    if plan_head is not None:
        problems += _party_checks(plan_head.parties)
        known = {r["id"].strip() for r in raw_tasks if isinstance(r, Mapping) and isinstance(r.get("id"), str)}
        seen_raid: set[str] = set()
        for item in plan_head.raid:
            if item.id in seen_raid:
                problems.append(Problem(f"raid {item.id}", "id", "duplicate RAID id"))
            seen_raid.add(item.id)
            for k, tid in enumerate(item.tasks):
                if tid not in known:
                    problems.append(Problem(f"raid {item.id}", f"tasks[{k + 1}]", f"unknown task {tid!r}"))
    ids = [r["id"].strip() for r in raw_tasks if isinstance(r, Mapping) and isinstance(r.get("id"), str)]
    generations, cycle_problems = _order(list(dict.fromkeys(ids)), edges)
    problems += cycle_problems
    if problems or plan_head is None:
        raise PlanError(problems)
    plan = plan_head.model_copy(update={"tasks": tuple(tasks)})
    _check_horizon(plan)
    plan._structure = (plan.tasks, {"generations": generations})
    return plan


DATE_REACH_YEARS = 100


def _check_horizon(plan: Plan) -> None:
    """Every date within DATE_REACH_YEARS of the start, so the working calendar stays small."""
    lo = plan.start.replace(year=max(plan.start.year - DATE_REACH_YEARS, MIN_DATE.year), month=1, day=1)
    hi = plan.start.replace(year=min(plan.start.year + DATE_REACH_YEARS, MAX_DATE.year), month=12, day=31)
    found = [
        (f"task {t.id}", name, day)
        for t in plan.tasks
        for name in ("not_before", "deadline", "actual_start", "actual_finish")
        if (day := getattr(t, name)) is not None and not lo <= day <= hi
    ]
    found += [
        ("plan", name, day)
        for name in ("deadline", "status_date")
        if (day := getattr(plan, name)) is not None and not lo <= day <= hi
    ]
    found += [("plan", "calendar.closures", day) for day in plan.calendar.closures if not lo <= day <= hi]
    if plan.baseline is not None:
        found += [
            ("plan", f"baseline.tasks.{tid}", day)
            for tid, b in plan.baseline.tasks.items()
            for day in (b.start, b.finish)
            if not lo <= day <= hi
        ]
    if found:
        raise PlanError(
            [
                Problem(where, name, f"{day} is more than {DATE_REACH_YEARS} years from the plan start {plan.start}")
                for where, name, day in found
            ]
        )


class _Labels(Sequence[str]):
    """Task labels for messages, made only for the tasks that have a problem."""

    def __init__(self, raw_tasks: Sequence[Any], labels: Sequence[str] | None):
        self._raw, self._labels = raw_tasks, labels

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, i: Any) -> Any:
        return task_label(self._raw[i], i, self._labels)


def _validate_tasks(raw_tasks: Sequence[Any], labels: Sequence[str] | None) -> tuple[list[Any], list[Problem]]:
    """All tasks in one pydantic call; task by task only when something is wrong."""
    try:
        return list(_TASKS.validate_python(raw_tasks)), []
    except ValidationError:
        pass
    tasks: list[Task | None] = []
    problems: list[Problem] = []
    for i, raw in enumerate(raw_tasks):
        try:
            tasks.append(_TASK.validate_python(raw))
        except ValidationError as exc:
            problems += _problems_from(exc, task_label(raw, i, labels))
            tasks.append(None)
    return tasks, problems


def _party_checks(parties: Sequence[str]) -> list[Problem]:
    out = []
    if not parties:
        out.append(Problem("plan", "parties", "must name at least one party"))
    seen: set[str] = set()
    for p in parties:
        if not p.strip():
            out.append(Problem("plan", "parties", "party names must not be empty"))
        elif p in seen:
            out.append(Problem("plan", "parties", f"party {p!r} is listed twice"))
        seen.add(p)
    return out


_LINK = TypeAdapter(Link)


def _readable_links(raw: Any, task: Task | None) -> list[Link]:
    """Links of a task, also from a task that failed validation elsewhere, so link problems
    are reported in the same pass as field problems."""
    if task is not None:
        return list(task.depends_on)
    items = raw.get("depends_on") if isinstance(raw, Mapping) else None
    if isinstance(items, str):
        from planner.deps import split_cell

        items = split_cell(items)
    links = []
    for item in items if isinstance(items, Sequence) and not isinstance(items, str) else []:
        try:
            links.append(_LINK.validate_python(link_data(item)))
        except (ValidationError, ValueError):
            continue
    return links


def _cross_checks(
    raw_tasks: Sequence[Any], tasks: Sequence[Task | None], names: Sequence[str], parties: Iterable[str]
) -> tuple[list[Problem], list[tuple[str, str]]]:
    """Ids, owners and links across tasks; returns the problems and the readable links."""
    problems: list[Problem] = []
    party_set = set(parties)
    first_at: dict[str, int] = {}
    ids: list[str | None] = []
    for i, raw in enumerate(raw_tasks):
        rid = raw.get("id") if isinstance(raw, Mapping) else None
        rid = rid.strip() if isinstance(rid, str) else None
        ids.append(rid)
        if rid is None:
            continue
        if rid in first_at:
            problems.append(
                Problem(f"{names[i]} (#{i + 1})", "id", f"duplicate id {rid!r}, also used by task #{first_at[rid] + 1}")
            )
        else:
            first_at[rid] = i
    edges: list[tuple[str, str]] = []
    for i, raw in enumerate(raw_tasks):
        task = tasks[i]
        owner = task.owner if task is not None else (raw.get("owner") if isinstance(raw, Mapping) else None)
        if isinstance(owner, str) and owner.strip() and owner.strip() not in party_set:
            problems.append(
                Problem(names[i], "owner", f"{owner.strip()!r} is not a party of this plan ({', '.join(parties)})")
            )
        seen_preds: set[str] = set()
        for k, link in enumerate(_readable_links(raw, task)):
            field = f"depends_on[{k + 1}]"
            if link.task == ids[i]:
                problems.append(Problem(names[i], field, f"{ids[i]} depends on itself"))
            elif link.task not in first_at:
                problems.append(Problem(names[i], field, f"unknown predecessor {link.task!r}"))
            elif link.task in seen_preds:
                problems.append(Problem(names[i], field, f"links to {link.task} more than once"))
            elif ids[i] is not None:
                edges.append((link.task, ids[i]))
            seen_preds.add(link.task)
    return problems, edges


def _order(ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> tuple[list[list[str]], list[Problem]]:
    """Topological generations (every link goes to a later generation), or the cycles named
    in link order, `A -> B -> C -> A`. One networkx graph serves both."""
    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    graph.add_edges_from(edges)
    try:
        return [list(g) for g in nx.topological_generations(graph)], []
    except nx.NetworkXUnfeasible:
        pass
    position = {tid: i for i, tid in reversed(list(enumerate(ids)))}
    problems = []
    components = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    for comp in sorted(components, key=lambda c: min(position[n] for n in c)):
        first = min(comp, key=position.__getitem__)
        cycle = nx.find_cycle(graph.subgraph(comp), source=first)
        chain = [edge[0] for edge in cycle] + [cycle[0][0]]
        problems.append(Problem(f"task {first}", "depends_on", "dependency cycle " + " -> ".join(chain)))
    return [], problems


def structure_of(plan: Plan) -> dict[str, Any]:
    """Per-structure cache of a plan: `generations` (topological), plus what `schedule` prepares.

    Valid while the plan's task tuple is the one it was computed for; a duration-only edit
    (`Plan.with_durations`) carries it over because links and ids are unchanged.
    """
    cached = plan._structure
    if cached is not None and cached[0] is plan.tasks:
        return cached[1]
    names = [f"task {t.id}" for t in plan.tasks]
    raw = [{"id": t.id} for t in plan.tasks]
    problems, edges = _cross_checks(raw, plan.tasks, names, plan.parties)
    generations, cycles = _order([t.id for t in plan.tasks], edges)
    problems += cycles + _party_checks(plan.parties)
    if problems:
        raise PlanError(problems)
    prepared = {"generations": generations}
    plan._structure = (plan.tasks, prepared)
    return prepared
