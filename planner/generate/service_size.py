"""The template's size from the service as people state it: agents or FTE, sites or towers,
applications, servers (DOMAIN.md section 1.2: small is one tower or site under about 50 FTE,
medium two to three towers, sites or clusters, large beyond).

Each measure given says small, medium or large by its own bands; the larger wins, because one
dimension past the medium band (600 agents on 3 sites) already makes the transition large. The
rule is returned in words, so the command line and the New plan page show why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planner.generate.catalogue import SIZES
from planner.problems import PlanError, Problem


@dataclass(frozen=True)
class Measure:
    key: str  # the argument: fte, sites, applications, servers
    label: str  # how the template's people say it
    medium_from: float  # this many or more: at least medium
    large_above: float  # more than this: large

    def size(self, value: float) -> str:
        return "large" if value > self.large_above else "medium" if value >= self.medium_from else "small"

    def band(self, size: str) -> str:
        if size == "small":
            return f"under {self.medium_from:,.0f}"
        if size == "large":
            return f"over {self.large_above:,.0f}"
        return f"{self.medium_from:,.0f}-{self.large_above:,.0f}"


def _fte(label: str = "agents or FTE", large: float = 250) -> Measure:
    return Measure("fte", label, 50, large)


def _sites(label: str) -> Measure:
    return Measure("sites", label, 2, 3)


MEASURES: Mapping[str, tuple[Measure, ...]] = {
    "service-desk": (_fte(), _sites("sites")),
    "contact-centre": (_fte("seats or agents", 150), _sites("sites")),
    "ams": (Measure("applications", "applications", 20, 60), _fte("FTE"), _sites("application clusters")),
    "infrastructure": (Measure("servers", "servers or in-scope CIs", 300, 1_500), _fte("FTE"), _sites("towers")),
    "vendor-exit": (_fte("FTE"), _sites("service lines or towers")),
}


@dataclass(frozen=True)
class SizedService:
    size: str
    rule: str  # "600 agents or FTE: large (over 250); 3 sites: medium (2-3); the larger counts: large"


def size_from_service(template: str, given: Mapping[str, float | None]) -> SizedService | None:
    """The size for the measures given (None values ignored); None when none is given. A measure
    the template does not know, or a count below 1, is a PlanError naming the field."""
    measures = {m.key: m for m in MEASURES.get(template, (_fte(), _sites("sites")))}
    stated = {k: v for k, v in given.items() if v is not None}
    problems = [
        Problem("template", k, f"{template} is sized by {', '.join(m.label for m in measures.values())}")
        for k in stated
        if k not in measures
    ]
    problems += [
        Problem("template", k, f"must be a number of at least 1 (got {v:g})")
        for k, v in stated.items()
        if k in measures and not v >= 1
    ]
    if problems:
        raise PlanError(problems)
    if not stated:
        return None
    votes = [(measures[k], v, measures[k].size(v)) for k, v in stated.items()]
    size = max((s for _, _, s in votes), key=SIZES.index)
    parts = [f"{v:,.0f} {m.label}: {s} ({m.band(s)})" for m, v, s in votes]
    rule = "; ".join(parts) + (f"; the larger counts: {size}" if len(votes) > 1 else "")
    return SizedService(size, rule)
