"""Which risks move the P80 finish most: the tornado of the Risk view and `simulate`.

A risk's effect is the P80 finish with every risk minus the P80 finish with that risk muted, from
runs with the same seed: a muted risk still draws its random numbers and never fires, so every
other draw is the same in both runs and the difference is the risk's alone, not sampling noise.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.core.model import Plan
from planner.core.network import Network, prepare
from planner.risk.montecarlo import drawn_plan, simulate
from planner.risk.result import RiskResult


@dataclass(frozen=True)
class RiskDriver:
    id: str
    title: str
    probability: float
    p80_shift: int  # working days the P80 finish moves because of this risk (0: none)


def risk_drivers(plan: Plan, result: RiskResult, network: Network | None = None) -> tuple[RiskDriver, ...]:
    """The open risks with a schedule impact, largest P80 shift first, for the run `result` (same
    iterations, seed, distribution and correlation); `network` is the plan's prepared network,
    when the caller keeps one. A plan that levels is levelled once for all the runs."""
    risks = [r for r in plan.raid if r.schedule_impact is not None and r.is_open]
    drawn = drawn_plan(plan, network=network) if risks else plan
    net = network if network is not None and network.fits(drawn) else prepare(drawn) if risks else None
    out = []
    for item in risks:
        assert item.schedule_impact is not None
        without = simulate(
            drawn,
            iterations=result.iterations,
            seed=result.seed,
            distribution=result.distribution,
            correlation=result.correlation,
            uplift=result.uplift,
            muted_risks={item.id},
            network=net,
        )
        shift = result.finish_days[80] - without.finish_days[80]
        out.append(RiskDriver(item.id, item.title, item.schedule_impact.probability, shift))
    return tuple(sorted(out, key=lambda d: (-d.p80_shift, d.id)))
