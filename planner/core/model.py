"""The plan model: immutable data and the rules of each value (DESIGN.md, "The plan model").

pydantic checks each value here; the checks that span tasks (ids, links, owners, cycles) and the
wording of every problem live in `planner.core.validate`, which builds a Plan from raw data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from planner.core.calendar import WorkCalendar, check_country, weekday_index
from planner.core.fields import (  # noqa: F401 - re-exported: the plan model's public names
    DEFAULT_PARTIES,
    TARGET_RE,
    Days,
    Estimate,
    FastDays,
    Frozen,
    Line,
    Link,
    NotBoolean,
    PlanDate,
    Text,
    WholeNumber,
    link_data,
    links_data,
    uses_data,
    whole_number,
)
from planner.core.links import ID_RE
from planner.problems import PlanError, Problem


class Criterion(Frozen):
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


class Gate(Frozen):
    """A go/no-go decision point with KPI exit criteria."""

    criteria: tuple[Criterion, ...] = ()


class Task(Frozen):
    """One task; `duration` in working days, 0 for a milestone."""

    id: Annotated[str, Field(pattern=ID_RE.pattern, max_length=80)]
    name: Annotated[Line, Field(min_length=1)]
    phase: Line = ""
    wave: FastDays | None = None
    owner: Line | None = None
    duration: FastDays
    milestone: bool | None = None
    estimate: Estimate | None = None
    depends_on: Annotated[tuple[Link, ...], BeforeValidator(links_data)] = ()
    not_before: PlanDate | None = None
    deadline: PlanDate | None = None
    gate: Gate | None = None
    percent_complete: Annotated[float, Field(ge=0, le=100)] = 0
    actual_start: PlanDate | None = None
    actual_finish: PlanDate | None = None
    uses: Annotated[tuple[tuple[str, int | float], ...], BeforeValidator(uses_data)] = ()
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


class Resource(Frozen):
    """Something that paces the work, with so many units available on each working day (people,
    usually): DESIGN.md, "Resources and levelling"."""

    id: Annotated[str, Field(pattern=ID_RE.pattern, max_length=80)]
    name: Line = ""
    party: Line | None = None
    capacity: Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]

    @field_validator("capacity", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be a number, not true/false")
        return value


class CalendarSpec(Frozen):
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
    def region(self) -> str | None:
        """The holidays as a plan file writes them: `GB`, or `GB-SCT` with a subdivision."""
        if not self.holidays:
            return None
        return f"{self.holidays}-{self.subdiv}" if self.subdiv else self.holidays

    @property
    def weekend_names(self) -> list[str]:
        from planner.core.calendar import WEEKDAY_NAMES

        return [WEEKDAY_NAMES[d] for d in self.weekend]


class Steering(Frozen):
    """The steering committee's cadence: a client gate's decision lands on the next meeting on or
    after the day its evidence is ready (DOMAIN.md section 5: bi-weekly to monthly)."""

    every_weeks: Annotated[int, Field(ge=1, le=8)] = 2
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "thu"
    first: PlanDate | None = None  # the first meeting is on or after this day (default: the plan start)


class Freeze(Frozen):
    """A window in which no cutover starts and which a cutover's hypercare avoids (year-end, peak)."""

    name: Annotated[Line, Field(min_length=1, max_length=80)] = "Change freeze"
    start: PlanDate
    end: PlanDate  # the last day of the freeze

    @model_validator(mode="after")
    def _ordered(self) -> Freeze:
        if self.end < self.start:
            raise ValueError(f"ends {self.end} before it starts {self.start}")
        return self


Money = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)]  # exact to the cent


class OneOff(Frozen):
    """A one-off cost due when a task finishes (a transition fee, an exit fee, a payment a gate releases)."""

    task: Annotated[str, Field(pattern=ID_RE.pattern, max_length=80)]
    amount: Money
    name: Line = ""


class CostModel(Frozen):
    """What the plan costs (DESIGN.md, "Costs"), all optional, in one currency: day rates per
    resource (and per party for work no resource is named for), the incumbent's and the new
    provider's run cost per month, the incumbent's monthly price of an extension beyond the
    contract end, one-off costs on tasks, and a budget."""

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    note: Line = ""  # e.g. that the figures are illustrative
    rates: dict[Annotated[str, Field(max_length=80)], Money] = Field(default_factory=dict)  # resource -> per day
    party_rates: dict[Annotated[str, Field(max_length=80)], Money] = Field(default_factory=dict)  # party -> per day
    incumbent_monthly: Money | None = None  # until the last handover plus termination assistance
    provider_monthly: Money | None = None  # at 100% of the volume, from the first transfer, ramping
    extension_monthly: Money | None = None  # the incumbent's price per month past the contract end
    one_offs: tuple[OneOff, ...] = ()
    budget: Money | None = None


class RiskSpec(Frozen):
    """Schedule-risk settings: `correlation` ties task draws to a common factor (0 = independent,
    1 = every task at the same percentile); `uplift` is a reference-class allowance (0.3 = +30%)
    reported beside the P80 finish."""

    correlation: Annotated[float, Field(ge=0, le=1)] = 0.0
    uplift: Annotated[float, Field(ge=0, le=5)] = 0.0


class ScheduleImpact(Frozen):
    """What a risk does to the dates if it happens (DESIGN.md): with `probability` (0..1) in a
    Monte Carlo iteration it adds a delay drawn from `delay` (working days, three-point) to the
    duration of each task the risk names."""

    probability: Annotated[float, NotBoolean, Field(ge=0, le=1)]
    delay: Estimate


class RaidItem(Frozen):
    """A RAID log entry (risk, action, issue or decision), linked to tasks and gates."""

    id: Annotated[str, Field(pattern=ID_RE.pattern, max_length=80)]
    kind: Literal["risk", "action", "issue", "decision"]
    title: Annotated[Line, Field(min_length=1)]
    owner: Line | None = None
    status: Line = "open"
    tasks: tuple[str, ...] = ()
    due: PlanDate | None = None
    probability: Annotated[int, NotBoolean, Field(ge=1, le=5)] | None = None
    impact: Annotated[int, NotBoolean, Field(ge=1, le=5)] | None = None
    schedule_impact: ScheduleImpact | None = None
    mitigation: Text = ""

    @model_validator(mode="after")
    def _impact_on_tasks(self) -> RaidItem:
        if self.schedule_impact is not None and self.kind != "risk":
            raise ValueError(f"schedule_impact: only a risk moves dates (this item is {self.kind!r})")
        if self.schedule_impact is not None and not self.tasks:
            raise ValueError("schedule_impact: name the tasks the risk delays under tasks")
        return self

    @property
    def is_open(self) -> bool:
        return self.status.strip().lower() not in ("closed", "done", "resolved", "accepted")

    @property
    def score(self) -> int | None:
        return self.probability * self.impact if self.probability and self.impact else None


class BaselineTask(Frozen):
    start: PlanDate
    finish: PlanDate


class Baseline(Frozen):
    """A snapshot of the schedule kept in the plan, to measure slip against."""

    taken: PlanDate
    tasks: dict[str, BaselineTask] = Field(default_factory=dict)


class Generation(Frozen):
    """How a plan was generated from a template (DESIGN.md), so the app can show and vary it."""

    template: Line
    waves: Annotated[int, Field(ge=0)]
    pilot_share: Annotated[int | float, Field(ge=0, lt=100)]
    wave_shares: tuple[Annotated[int | float, Field(gt=0, le=100)], ...] = ()
    size: Literal["small", "medium", "large"] = "medium"
    handover: Line | None = None  # the task that hands the service over (the last cutover)
    termination_assistance: Annotated[int, Field(ge=0, le=730)] | None = None  # calendar days, an exit's


class Plan(Frozen):
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
    generated: Generation | None = None
    resources: tuple[Resource, ...] = ()
    level: bool = False
    steering: Steering | None = None
    freezes: tuple[Freeze, ...] = ()
    costs: CostModel | None = None
    tasks: tuple[Task, ...] = ()

    def __eq__(self, other: object) -> bool:
        """Plans are equal when their data is (which fields were given explicitly does not count)."""
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self.name, self.start, self.tasks))

    def work_calendar(self) -> WorkCalendar:
        """The plan's working calendar (shared between plans with the same calendar and start)."""
        spec = self.calendar
        country = spec.holidays.upper() if spec.holidays else None
        return _calendar(self.start, spec.weekend, country, spec.subdiv, frozenset(spec.closures))

    @property
    def schedule_risks(self) -> tuple[RaidItem, ...]:
        """The open RAID items with a schedule impact: the risks a Monte Carlo run draws."""
        return tuple(r for r in self.raid if r.schedule_impact is not None and r.is_open)

    def task(self, task_id: str) -> Task:
        """The task with this id; KeyError when there is none."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def tasks_by_id(self) -> dict[str, Task]:
        """Task id -> task, for callers that look up many."""
        return {t.id: t for t in self.tasks}

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.tasks]

    def handover(self, finishes: Sequence[int] | Sequence[str]) -> str | None:
        """The id of the task that hands the service over, given each task's finish (offsets or
        ISO dates, plan order): the one the generator named, else the last to finish of the
        tasks in phase "Cutover", else the last key date; None for a plan with none of these.
        The one rule: key figures, options and the contract end all use it."""
        named = self.generated.handover if self.generated else None
        if named is not None and any(t.id == named for t in self.tasks):
            return named
        cutovers = [j for j, t in enumerate(self.tasks) if t.phase.strip().lower() == "cutover"]
        candidates = cutovers or [j for j, t in enumerate(self.tasks) if t.is_key_date]
        if not candidates:
            return None
        return self.tasks[max(candidates, key=lambda j: (finishes[j], j))].id

    def contract_end(self, finishes: Sequence[int] | Sequence[str]) -> dt.date | None:
        """The incumbent's contract end: the handover task's deadline (`handover`), or None."""
        handover = self.handover(finishes)
        return self.task(handover).deadline if handover is not None else None

    def with_durations(self, durations: Mapping[str, int]) -> Plan:
        """A new plan with some durations changed (its links, and so its prepared network, unchanged)."""
        by_id = {t.id: j for j, t in enumerate(self.tasks)}
        bad = [
            Problem(f"task {k}", "duration", "must be a whole number >= 0")
            for k, v in durations.items()
            if not isinstance(v, int) or isinstance(v, bool) or v < 0
        ]
        bad += [Problem(f"task {k}", "id", "no such task") for k in sorted(set(durations) - by_id.keys())]
        if bad:
            raise PlanError(bad)
        tasks = list(self.tasks)
        for k, v in durations.items():
            tasks[by_id[k]] = tasks[by_id[k]].model_copy(update={"duration": v})
        return self.model_copy(update={"tasks": tuple(tasks)})


@lru_cache(maxsize=16)  # keyed by value; an immutable calendar is shared safely between sessions
def _calendar(
    start: dt.date, weekend: tuple[int, ...], country: str | None, subdiv: str | None, closures: frozenset
) -> WorkCalendar:
    return WorkCalendar(start=start, weekend=weekend, country=country, subdiv=subdiv, closures=closures)
