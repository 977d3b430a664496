"""What a schedule-risk run reports: finish percentiles, the reference-class check, each
milestone's and deadline's odds, criticality (`planner.risk.montecarlo.simulate` makes it).

The committed date is the simulated P80. The reference-class uplift is never added to it: it
stretches the most likely plan from the contract on (most likely + 30% after G0) and stands
beside the P80 as a check on how wide the estimates are (README, "Schedule risk")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from planner.risk.cost_draws import CostRisk

PERCENTILES = (10, 50, 80, 90)


@dataclass(frozen=True)
class MilestoneRisk:
    """A milestone's or gate's deterministic date and its P10/P50/P80/P90 dates."""

    id: str
    name: str
    deterministic: dt.date
    dates: dict[int, dt.date]
    reference: dt.date | None = None  # most likely + the plan's reference-class uplift, when it has one

    def to_json(self) -> dict:
        out = {
            "id": self.id,
            "name": self.name,
            "deterministic": self.deterministic.isoformat(),
            **{f"p{q}": self.dates[q].isoformat() for q in PERCENTILES},
        }
        if self.reference is not None:
            out["reference_class"] = self.reference.isoformat()
        return out


@dataclass(frozen=True)
class DeadlineRisk:
    """The chance that a task with a deadline of its own (a handover before the incumbent's
    contract ends, say) finishes by it."""

    id: str
    name: str
    deadline: dt.date
    probability: float

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "deadline": self.deadline.isoformat(),
            "probability": self.probability,
        }


@dataclass(frozen=True)
class RiskResult:
    """Monte Carlo result: finish percentiles, criticality and P80 finish per task, and the
    percentile dates of every milestone and gate."""

    iterations: int
    seed: int
    distribution: str
    correlation: float
    uplift: float
    deterministic_days: int
    deterministic_date: dt.date
    finish_days: dict[int, int]  # percentile -> working-day offset of the plan finish (EF, exclusive)
    finish_dates: dict[int, dt.date]
    reference_days: int  # the reference-class check: most likely, stretched by the uplift after uplift_from
    reference_date: dt.date
    uplift_from: dt.date  # the uplift stretches the time after this day: G0, or the status date
    deadline_probability: float | None
    task_ids: tuple[str, ...]
    criticality: np.ndarray
    task_p50: np.ndarray  # EF offsets
    task_p80: np.ndarray
    task_p80_dates: tuple[dt.date, ...]
    milestones: tuple[MilestoneRisk, ...]  # plan order
    finish_samples: np.ndarray  # plan finish offset per iteration (for the histogram and S-curve)
    task_deadlines: tuple[DeadlineRisk, ...] = ()  # plan order
    cost: CostRisk | None = None  # each draw's cost, when the plan has a cost model

    def to_json(self) -> dict:
        return {
            "iterations": self.iterations,
            "seed": self.seed,
            "distribution": self.distribution,
            "correlation": self.correlation,
            "deterministic": {"days": self.deterministic_days, "date": self.deterministic_date.isoformat()},
            "finish": {
                f"p{p}": {"days": self.finish_days[p], "date": self.finish_dates[p].isoformat()} for p in PERCENTILES
            },
            "reference_class": {
                "uplift": self.uplift,
                "from": self.uplift_from.isoformat(),
                "finish": {"days": self.reference_days, "date": self.reference_date.isoformat()},
            },
            "deadline_probability": self.deadline_probability,
            "tasks": [
                {"id": tid, "criticality": round(float(c), 4), "finish_p80": d.isoformat()}
                for tid, c, d in zip(self.task_ids, self.criticality, self.task_p80_dates, strict=True)
            ],
            "milestones": [m.to_json() for m in self.milestones],
            "task_deadlines": [d.to_json() for d in self.task_deadlines],
            **({"cost": self.cost.to_json()} if self.cost is not None else {}),
        }
