"""PSPLIB single-mode instances (`.sm`, Kolisch & Sprecher) as plans, as DESIGN.md maps them: jobs
are tasks with their durations (the dummy source and sink are milestones), successors are
finish-to-start links, renewable resources are resources with their capacities, requests are
`uses`. The levelled finish (`max(ef)`) is then the instance's makespan.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

_SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "psplib"
_COPY = Path(__file__).resolve().parent.parent / "tests" / "data" / "psplib"  # the j30 sample, kept for the tests
SAMPLE = _SHARED if _SHARED.is_dir() else _COPY


def read_sm(text: str, name: str = "instance") -> dict[str, Any]:
    """Plan data for one instance (every day a working day, so offsets are the instance's days)."""
    lines = text.splitlines()
    successors: dict[int, list[int]] = {}
    durations: dict[int, int] = {}
    requests: dict[int, list[int]] = {}
    capacities: list[int] = []
    section = ""
    for line in lines:
        head = line.strip()
        if head.startswith("PRECEDENCE RELATIONS"):
            section = "prec"
            continue
        if head.startswith("REQUESTS/DURATIONS"):
            section = "req"
            continue
        if head.startswith("RESOURCEAVAILABILITIES"):
            section = "avail"
            continue
        if head.startswith("*") or head.startswith("-") or not head:
            if head.startswith("*"):
                section = "" if section == "avail" and capacities else section
            continue
        numbers = [int(x) for x in re.findall(r"-?\d+", head)] if re.match(r"^[\d\s-]+$", head) else None
        if numbers is None:
            continue
        if section == "prec":
            job, _modes, count, *succ = numbers
            successors[job] = succ[:count]
        elif section == "req":
            job, _mode, duration, *req = numbers
            durations[job] = duration
            requests[job] = req
        elif section == "avail" and not capacities:
            capacities = numbers
    resources = [{"id": f"R{k + 1}", "capacity": c} for k, c in enumerate(capacities)]
    preds: dict[int, list[int]] = {job: [] for job in durations}
    for job, succ in successors.items():
        for s in succ:
            preds[s].append(job)
    tasks = []
    for job in sorted(durations):
        task: dict[str, Any] = {"id": f"J{job}", "name": f"job {job}", "duration": durations[job]}
        uses = {f"R{k + 1}": u for k, u in enumerate(requests[job]) if u > 0}
        if uses and durations[job] > 0:
            task["uses"] = uses
        if preds[job]:
            task["depends_on"] = [f"J{p}" for p in preds[job]]
        tasks.append(task)
    return {
        "name": name,
        "start": dt.date(2027, 1, 4),
        "calendar": {"weekend": []},
        "resources": resources,
        "tasks": tasks,
    }


def instances(kind: str, root: Path | None = None) -> list[tuple[str, dict[str, Any], int]]:
    """(name, plan data, reference makespan) for every instance of the sample set `j30` or `j120`
    (the shared sample beside the project when there is one, else the j30 copy in tests/data)."""
    folder = (root or (SAMPLE if (SAMPLE / kind).is_dir() else _COPY)) / kind
    reference_file = folder / ("optimum.csv" if kind == "j30" else "best_known.csv")
    with reference_file.open(encoding="latin-1") as handle:
        rows = list(csv.reader(handle))
    reference = {r[0]: int(r[1]) for r in rows[1:] if len(r) >= 2}
    out = []
    for path in sorted(folder.glob("*.sm"), key=lambda p: [int(x) for x in re.findall(r"\d+", p.stem)]):
        out.append((path.stem, read_sm(path.read_text(encoding="latin-1"), path.stem), reference[path.stem]))
    return out
