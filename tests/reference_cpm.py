"""A deliberately plain CPM, written straight from DESIGN.md's formulas, to check the real one.

It shares no code with planner.core.schedule: dicts, the four link formulas spelled out, and a
repeated relaxation instead of a topological order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RefTask:
    id: str
    duration: int
    preds: list[tuple[str, str, int]]  # (pred id, type, lag)
    earliest: int = 0  # not_before offset (0 if none)
    latest_finish: int | None = None  # task deadline as k + 1


def reference_cpm(tasks: list[RefTask], plan_deadline: int | None = None) -> dict[str, dict[str, int]]:
    by_id = {t.id: t for t in tasks}
    es = {t.id: 0 for t in tasks}
    changed = True
    while changed:
        changed = False
        for t in tasks:
            d = t.duration
            value = max(0, t.earliest)
            for p, kind, lag in t.preds:
                dp = by_id[p].duration
                efp = es[p] + dp
                if kind == "FS":
                    value = max(value, efp + lag)
                elif kind == "SS":
                    value = max(value, es[p] + lag)
                elif kind == "FF":
                    value = max(value, efp + lag - d)
                else:  # SF
                    value = max(value, es[p] + lag - d)
            if value != es[t.id]:
                es[t.id] = value
                changed = True
    ef = {k: es[k] + by_id[k].duration for k in es}
    finish = max(ef.values(), default=0)
    succs: dict[str, list[tuple[str, str, int]]] = {t.id: [] for t in tasks}
    for t in tasks:
        for p, kind, lag in t.preds:
            succs[p].append((t.id, kind, lag))
    lf = {t.id: finish for t in tasks}
    changed = True
    while changed:
        changed = False
        for t in tasks:
            d = t.duration
            value = finish
            if t.latest_finish is not None:
                value = min(value, t.latest_finish)
            if plan_deadline is not None and not succs[t.id]:
                value = min(value, plan_deadline)
            for s, kind, lag in succs[t.id]:
                ds = by_id[s].duration
                ls_s = lf[s] - ds
                if kind == "FS":
                    value = min(value, ls_s - lag)
                elif kind == "SS":
                    value = min(value, ls_s - lag + d)
                elif kind == "FF":
                    value = min(value, lf[s] - lag)
                else:  # SF
                    value = min(value, lf[s] - lag + d)
            if value != lf[t.id]:
                lf[t.id] = value
                changed = True
    out = {}
    for t in tasks:
        ls = lf[t.id] - t.duration
        free = finish - ef[t.id]
        slacks = []
        for s, kind, lag in succs[t.id]:
            if kind == "FS":
                slacks.append(es[s] - ef[t.id] - lag)
            elif kind == "SS":
                slacks.append(es[s] - es[t.id] - lag)
            elif kind == "FF":
                slacks.append(ef[s] - ef[t.id] - lag)
            else:
                slacks.append(ef[s] - es[t.id] - lag)
        if slacks:
            free = min(slacks)
        out[t.id] = {
            "es": es[t.id],
            "ef": ef[t.id],
            "ls": ls,
            "lf": lf[t.id],
            "total_float": ls - es[t.id],
            "free_float": free,
            "critical": ls - es[t.id] <= 0,
        }
    return out
