"""From raw data to a Plan: parsing, the checks across tasks, cycle naming, problem wording.

A plan is refused whole with every problem listed, each naming the task (or CSV row) and the
field, so a user can fix a file in one go. pydantic checks each value (`planner.core.model`); the
checks that need the whole plan (ids, links, owners, RAID references, cycles, the date horizon)
are here, and so is the rewording of pydantic's messages into ones a planner reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError

from planner.core.links import ID_RE, split_cell
from planner.core.model import DEFAULT_PARTIES, Link, Plan, PlanError, Problem, Task, link_data
from planner.limits import DATE_REACH_YEARS, MAX_DATE, MAX_TASKS, MIN_DATE, shorten

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
    fallback = raw_parties if readable and isinstance(raw_parties, Sequence) else DEFAULT_PARTIES
    parties = plan_head.parties if plan_head else tuple(map(str, fallback))
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
        problems += resource_checks(plan_head, tasks, names)
        problems += cost_checks(plan_head, known)
    ids = [r["id"].strip() for r in raw_tasks if isinstance(r, Mapping) and isinstance(r.get("id"), str)]
    _, cycle_problems = _order(list(dict.fromkeys(ids)), edges)
    problems += cycle_problems
    if problems or plan_head is None:
        raise PlanError(problems)
    plan = plan_head.model_copy(update={"tasks": tuple(tasks)})
    _check_horizon(plan)
    return plan


def resource_checks(head: Plan, tasks: Sequence[Task | None], names: Sequence[str]) -> list[Problem]:
    """DESIGN.md's resource rules: unique ids, a known party; a task uses only known resources,
    takes time, and never needs more than a resource has (it could never run)."""
    out: list[Problem] = []
    capacity: dict[str, float] = {}
    for r in head.resources:
        if r.id in capacity:
            out.append(Problem(f"resource {r.id}", "id", "listed twice; resource ids are unique"))
        capacity[r.id] = r.capacity
        if r.party is not None and r.party not in head.parties:
            out.append(
                Problem(
                    f"resource {r.id}", "party", f"{r.party!r} is not a party of this plan ({', '.join(head.parties)})"
                )
            )
    for i, task in enumerate(tasks):
        if task is None or not task.uses:
            continue
        if task.is_milestone:
            out.append(Problem(names[i], "uses", "a milestone takes no time, so it uses no resource; remove uses"))
        for rid, units in task.uses:
            if rid not in capacity:
                known = ", ".join(capacity) or "none yet; add them under resources"
                out.append(Problem(names[i], "uses", f"unknown resource {rid!r} (resources: {known})"))
            elif units > capacity[rid]:
                out.append(
                    Problem(
                        names[i],
                        "uses",
                        f"needs {units:g} of {rid}, whose capacity is {capacity[rid]:g}: it could never run",
                    )
                )
    return out


def cost_checks(head: Plan, known: set[str]) -> list[Problem]:
    """A cost model's names must be the plan's: rates for its resources and parties, one-offs on its tasks."""
    costs = head.costs
    if costs is None:
        return []
    resources = {r.id for r in head.resources}
    out = [
        Problem(
            "costs", f"rates.{rid}", f"unknown resource {rid!r} (resources: {', '.join(sorted(resources)) or 'none'})"
        )
        for rid in costs.rates
        if rid not in resources
    ]
    out += [
        Problem("costs", f"party_rates.{p}", f"{p!r} is not a party of this plan ({', '.join(head.parties)})")
        for p in costs.party_rates
        if p not in head.parties
    ]
    out += [
        Problem("costs", f"one_offs[{k}].task", f"unknown task {o.task!r}")
        for k, o in enumerate(costs.one_offs, 1)
        if o.task not in known
    ]
    return out


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
            elif (head := ids[i]) is not None:
                edges.append((link.task, head))
            seen_preds.add(link.task)
    return problems, edges


def _order(ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> tuple[list[list[str]], list[Problem]]:
    """Topological generations (every link goes to a later generation, in the order networkx
    gives them), or the cycles named in link order, `A -> B -> C -> A`. Plain Kahn here keeps
    networkx (70 ms to import) off the command line's path until a cycle needs naming."""
    succ: dict[str, list[str]] = {tid: [] for tid in ids}
    indegree = dict.fromkeys(ids, 0)
    for tail, head in edges:
        succ[tail].append(head)
        indegree[head] += 1
    layer = [tid for tid in ids if indegree[tid] == 0]
    layers: list[list[str]] = []
    placed = 0
    while layer:
        layers.append(layer)
        placed += len(layer)
        following = []
        for tid in layer:
            for child in succ[tid]:
                indegree[child] -= 1
                if indegree[child] == 0:
                    following.append(child)
        layer = following
    if placed == len(indegree):
        return layers, []
    return [], _cycles(ids, edges)


def _cycles(ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[Problem]:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    graph.add_edges_from(edges)
    position = {tid: i for i, tid in reversed(list(enumerate(ids)))}
    problems = []
    components = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    for comp in sorted(components, key=lambda c: min(position[n] for n in c)):
        first = min(comp, key=position.__getitem__)
        cycle = nx.find_cycle(graph.subgraph(comp), source=first)
        chain = [edge[0] for edge in cycle] + [cycle[0][0]]
        problems.append(Problem(f"task {first}", "depends_on", "dependency cycle " + " -> ".join(chain)))
    return problems


def generations(plan: Plan) -> list[list[str]]:
    """Topological generations of a plan's tasks. The links are checked first, whoever built the
    plan (`parse_plan`, `Plan(...)`, `model_copy`), so scheduling an invalid plan raises PlanError."""
    names = [f"task {t.id}" for t in plan.tasks]
    raw = [{"id": t.id} for t in plan.tasks]
    problems, edges = _cross_checks(raw, plan.tasks, names, plan.parties)
    found, cycles = _order([t.id for t in plan.tasks], edges)
    problems += cycles + _party_checks(plan.parties) + resource_checks(plan, plan.tasks, names)
    if problems:
        raise PlanError(problems)
    return found
