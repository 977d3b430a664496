"""Random layered plans for benchmarks and tests: about two links per task, mixed link types."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

TYPES = ("FS", "FS", "FS", "FS", "FS", "FS", "SS", "SS", "FF", "SF")


def layered_plan_data(n: int, seed: int = 1, layer_size: int = 100, links_per_task: int = 2) -> dict[str, Any]:
    """Plan data with `n` tasks in layers of `layer_size`; links go to the previous three layers."""
    rng = random.Random(seed)
    tasks: list[dict[str, Any]] = []
    for i in range(n):
        layer = i // layer_size
        task: dict[str, Any] = {
            "id": f"T{i}",
            "name": f"Task {i}",
            "phase": f"Phase {layer * 10 // max(1, n // layer_size)}",
            "owner": rng.choice(("client", "vendor", "joint")),
            "duration": rng.choice((0, 1, 2, 3, 5, 8, 10, 15)),
        }
        if layer:
            lo = max(0, (layer - 3) * layer_size)
            hi = layer * layer_size
            preds = rng.sample(range(lo, hi), k=min(links_per_task, hi - lo))
            deps = []
            for p in preds:
                kind = rng.choice(TYPES)
                lag = rng.choice((0, 0, 0, 1, 2, 3, -1))
                deps.append(f"T{p}" if kind == "FS" and lag == 0 else f"T{p}:{kind}{lag:+d}")
            task["depends_on"] = deps
        tasks.append(task)
    return {"name": f"Benchmark plan {n}", "start": dt.date(2027, 1, 4), "tasks": tasks}
