"""Which risks move the P80 finish most: the tornado of the Risk view and `simulate`.

A risk's effect is the P80 finish with every risk minus the P80 finish with that risk muted, from
runs with the same seed: a muted risk still draws its random numbers and never fires, so every
other draw is the same in both runs and the difference is the risk's alone, not sampling noise.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.core.model import Plan, RaidItem
from planner.core.network import Network, prepare
from planner.risk.montecarlo import drawn_plan, simulate
from planner.risk.result import RiskResult

MAX_DRIVERS = 12  # risks given a run of their own: the tornado's bars; the rest are ranked by expected delay


@dataclass(frozen=True)
class RiskDriver:
    id: str
    title: str
    probability: float
    p80_shift: int  # working days the P80 finish moves because of this risk (0: none)


def _likely_drivers(plan: Plan, result: RiskResult) -> list[RaidItem]:
    """The open risks with a schedule impact, at most MAX_DRIVERS: those with the largest expected
    delay on work that is often critical (chance x most likely delay x the highest criticality
    of the tasks it names, from `result`), so a log of a thousand risks costs a dozen runs."""
    risks = list(plan.schedule_risks)
    if len(risks) <= MAX_DRIVERS:
        return risks
    crit = dict(zip(result.task_ids, result.criticality.tolist(), strict=True))

    def expected(r: RaidItem) -> float:
        impact = r.schedule_impact
        assert impact is not None
        return impact.probability * impact.delay.likely * max((crit.get(t, 0.0) for t in r.tasks), default=0.0)

    return sorted(risks, key=lambda r: (-expected(r), r.id))[:MAX_DRIVERS]


def risk_drivers(plan: Plan, result: RiskResult, network: Network | None = None) -> tuple[RiskDriver, ...]:
    """The open risks with a schedule impact that move the P80 most, largest shift first, for the
    run `result` (same iterations, seed, distribution and correlation): at most MAX_DRIVERS, each
    from a run of its own; `network` is the plan's prepared network, when the caller keeps one. A
    plan that levels is levelled once for all the runs."""
    risks = _likely_drivers(plan, result)
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
