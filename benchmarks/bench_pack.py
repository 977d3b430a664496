"""The steering pack: how long the slides and the PDF take from a scheduled plan, by plan size.

`python benchmarks/bench_pack.py [SIZES...]` (default 40 300 2000) makes layered plans with
three-point estimates, phases, the pilot and waves, gates with criteria, RAID risks, a resource
over-stretched and a contract end, schedules each, and prints the median of RUNS of each file
from the schedule (the pack's content, with its committed P80 run, then the writer): seconds,
pages and size. Budget (issue 29): the deck and the PDF of a 300-task plan within 2 s each.
"""

from __future__ import annotations

import io
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.plans import layered_plan_data  # noqa: E402
from planner.core.validate import parse_plan  # noqa: E402
from planner.formats.registry import BY_NAME  # noqa: E402
from planner.scheduling import schedule  # noqa: E402

RUNS = 3
BUDGET_S, BUDGET_TASKS = 2.0, 300


def pack_plan(n: int):
    """A plan that fills every page of the pack."""
    data = layered_plan_data(n, layer_size=max(5, n // 25))
    for k, t in enumerate(data["tasks"]):
        d = t["duration"]
        t["estimate"] = [max(0, d - d // 4), d, d + d // 2 + 1]
        t["phase"] = f"Phase {k * 10 // n}"
        t["wave"] = k * 5 // n
        t["owner"] = ("client", "vendor", "joint")[k % 3]
        if k % max(n // 12, 1) == 0 and k:
            t["duration"], t["estimate"] = 0, None
            t["gate"] = {
                "criteria": [{"kpi": f"KPI {k} met", "target": ">= 95%"}, {"kpi": "Backlog", "target": "<= 50"}]
            }
        if k % 7 == 0 and t["duration"]:
            t["uses"] = {"SME": 1}
    last = data["tasks"][-1]
    last.update(deadline="2028-06-30", phase="Cutover")
    data["resources"] = [{"id": "SME", "capacity": 2}]
    data["raid"] = [
        {
            "id": f"R{k}",
            "kind": "risk",
            "title": f"Risk {k}",
            "owner": "vendor",
            "probability": 1 + k % 5,
            "impact": 1 + (k * 3) % 5,
            "tasks": [data["tasks"][k]["id"]],
            "schedule_impact": {"probability": 0.2, "delay": [2, 5, 10]},
        }
        for k in range(1, 12)
    ]
    return parse_plan(data)


def main(sizes: list[int]) -> None:
    from pptx import Presentation
    from pypdf import PdfReader

    print(f"# {platform.machine()}, CPython {platform.python_version()}, median of {RUNS}\n")
    print("| tasks | slides s | slides | slides KB | PDF s | PDF pages | PDF KB |")
    print("|---|---|---|---|---|---|---|")
    over = []
    for n in sizes:
        sched = schedule(pack_plan(n))
        row = [f"{n:,}"]
        for name in ("pptx", "pdf"):
            times, data = [], b""
            for _ in range(RUNS):
                t = time.perf_counter()
                data = BY_NAME[name].write(sched)
                times.append(time.perf_counter() - t)
            took = statistics.median(times)
            assert isinstance(data, bytes)
            pages = (
                len(Presentation(io.BytesIO(data)).slides) if name == "pptx" else len(PdfReader(io.BytesIO(data)).pages)
            )
            row += [f"{took:.2f}", str(pages), f"{len(data) / 1024:.0f}"]
            if n <= BUDGET_TASKS and took > BUDGET_S:
                over.append(f"{name} at {n:,} tasks: {took:.2f} s")
        print("| " + " | ".join(row) + " |")
    print(
        f"\nbudget (<= {BUDGET_S} s each at {BUDGET_TASKS} tasks): "
        + ("met" if not over else "OVER: " + "; ".join(over))
    )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [40, 300, 2_000])
