"""How a template task's duration follows the plan size and the volume it moves, and the risk a
cutover carries for the volume it moves.

A wave is fixed-length work (KT breadth for the same service, class length, nesting, the dry run,
the hypercare window) plus work that grows with its volume (headcount, classes, data) at a
throughput: `volume_days` says how many working days each 10% of the volume adds. So a bigger
cutover is longer, but not in proportion, and fewer waves repeat the fixed work fewer times
(DOMAIN.md sections 1.2, 3 and 9).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from planner.generate.catalogue import fill, pct
from planner.problems import PlanError, Problem

# DOMAIN.md section 9 (work and hypercare) and section 1.2 (due diligence, contract, mobilisation
# and the staff consultation: small about half of medium, large about twice); `people` is
# the resources' capacity.
SIZE_SCALES: Mapping[str, Mapping[str, float]] = {
    "size": {"small": 0.6, "medium": 1.0, "large": 1.8},
    "size-hypercare": {"small": 0.7, "medium": 1.0, "large": 2.0},
    "setup": {"small": 0.5, "medium": 1.0, "large": 2.0},
    "people": {"small": 1, "medium": 1, "large": 2},  # resource capacities: a large deal has more SMEs
    "money": {"small": 0.25, "medium": 1, "large": 4},  # a template's illustrative run costs and fees
}
SCALES = tuple(k for k in SIZE_SCALES if k not in ("people", "money"))
DEFAULT_FLOOR = 5
MAX_CUTOVER_CHANCE = 0.6


def split_shares(pilot_share: float, waves: int, wave_shares: Sequence[float] | None = None) -> tuple[float, ...]:
    """The share of the volume each wave carries; with no waves, the one cutover's share.

    Equal shares are whole percentages when they can be (85 over 3 waves: 29, 28, 28), so names
    and criteria never read 28.333%.
    """
    remaining = 100 - pilot_share
    if wave_shares is not None:
        odd = [
            Problem("template", "wave_shares", f"wave {k} has {s!r}; every share is a number of percent, e.g. 30")
            for k, s in enumerate(wave_shares, 1)
            if not isinstance(s, int | float) or isinstance(s, bool) or not math.isfinite(s)
        ]
        if odd:
            raise PlanError(odd)
        total = sum(wave_shares)
        problems = [
            Problem("template", "wave_shares", f"wave {k} has {pct(s)}%; every wave needs a share above 0")
            for k, s in enumerate(wave_shares, 1)
            if s <= 0
        ]
        if abs(total - remaining) > 0.05:
            problems.append(
                Problem(
                    "template",
                    "wave_shares",
                    f"must add up to 100 - pilot share = {pct(remaining)} (they add up to {pct(total)})",
                )
            )
        if len(wave_shares) != waves:
            problems.append(Problem("template", "wave_shares", f"lists {len(wave_shares)} shares for {waves} waves"))
        if problems:
            raise PlanError(problems)
        return tuple(float(s) for s in wave_shares)
    count = max(waves, 1)
    if float(remaining).is_integer() and remaining >= count:
        base, extra = divmod(int(remaining), count)
        return tuple(float(base + (1 if k < extra else 0)) for k in range(count))
    return tuple(remaining / count for _ in range(count))


def _round(x: float) -> int:
    return int(x + 0.5)


def scaled_estimate(
    three: Sequence[float], factor: float, floor: float, extra: Sequence[float] = (0.0, 0.0, 0.0)
) -> list[int]:
    """A three-point estimate times `factor` plus `extra` days, the most likely value never under
    `floor`; a floored estimate keeps its spread in proportion (10/15/20 at a floor of 5 gives 3/5/7)."""
    o, m, p = (float(v) * factor + float(e) for v, e in zip(three, extra, strict=True))
    if m > 0 and m < floor:
        o, m, p = (v * floor / m for v in (o, m, p))
    o2 = max(1 if o > 0 else 0, _round(o))
    m2 = max(o2, _round(m))
    return [o2, m2, max(m2, _round(p))]


@dataclass(frozen=True)
class Sizing:
    """The plan size a template is generated at."""

    size: str

    def factor(self, kind: str, where: str) -> float:
        if kind not in SIZE_SCALES:
            raise PlanError([Problem(where, "scale", f"unknown scale {kind!r}; use one of {', '.join(SCALES)}")])
        return SIZE_SCALES[kind][self.size]

    def volume(self, per_tenth: Sequence[float], share: float) -> tuple[float, ...]:
        """The working days `share`% of the volume adds at `per_tenth` days per 10% (three-point),
        at this size's headcount."""
        k = share / 10 * SIZE_SCALES["size"][self.size]
        return tuple(float(v) * k for v in per_tenth)


def _chance_band(chance: float) -> int:
    """DOMAIN.md section 5's probability scale: <10%, 10-30%, 30-50%, 50-70%, >70%."""
    return 1 + sum(chance >= edge for edge in (0.1, 0.3, 0.5, 0.7))


def cutover_risk(
    spec: Mapping[str, Any],
    n: int,
    share: float,
    local: Mapping[str, str],
    sizing: Sizing,
    values: Mapping[str, Any],
) -> dict:
    """The risk a cutover of `share`% carries (rolled back and re-run), as a RAID item: its chance
    and its delay both grow with the volume it moves, so the expected loss grows with its square:
    one big cutover is the widest bet, many small ones add little (`probability` and `delay` are a
    whole-volume cutover's)."""
    chance = min(MAX_CUTOVER_CHANCE, float(spec["probability"]) * share / 100)
    delay = scaled_estimate(sizing.volume(spec["delay"], share / 10), 1.0, 1.0)
    return {
        "id": f"CR{n}",
        "kind": "risk",
        "title": fill(spec["title"], values),
        "owner": spec.get("owner", "joint"),
        "tasks": [local[x] for x in spec["tasks"]],
        "probability": _chance_band(chance),
        "impact": 1 + sum(delay[1] > edge for edge in (2, 5, 10, 20)),
        "schedule_impact": {"probability": round(chance, 3), "delay": delay},
        "mitigation": fill(spec.get("mitigation", ""), values),
    }
