"""The contract end both ways (DESIGN.md, "The committed date"): will the handover land before the
incumbent's contract ends, what to ask for if not, and what an early handover costs in double
running.

The contract end is the handover task's deadline (`new --contract-end` puts it there; any plan
may). The verdict comes from the committed run (`committed_run`): the Monte Carlo of the plan as
it is scheduled, levelled when it levels, with every risk it carries. Met: the P80 handover is on or
before the contract end (a chance of 80% or more). At risk: only the P50 is (50-80%). Missed: not
even the P50 (under 50%).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from planner.core.model import Plan
from planner.core.network import Network
from planner.core.schedule import Schedule
from planner.risk.result import RiskResult

COMMITTED_ITERATIONS = 2_000  # the committed run: options, compare, key figures, status, report
COMMITTED_SEED = 1


def committed_run(plan: Plan, network: Network | None = None, levelled: Schedule | None = None) -> RiskResult:
    """The one run every committed date comes from: 2,000 draws with a fixed seed, on the levelled
    order when the plan levels (`levelled`: its levelled schedule, when the caller has it), with
    the plan's own correlation and risks."""
    from planner.risk.montecarlo import simulate

    return simulate(plan, iterations=COMMITTED_ITERATIONS, seed=COMMITTED_SEED, network=network, levelled=levelled)


@dataclass(frozen=True)
class ContractEnd:
    """The handover against the contract end, at the committed P80."""

    contract_end: dt.date
    handover: str  # the task that hands over
    most_likely: dt.date  # its date in the plan as scheduled (levelled when the plan levels)
    p50: dt.date
    p80: dt.date
    chance: float  # of handing over by the contract end
    verdict: str  # "met", "at risk" or "missed"
    extension_weeks: int  # to ask the incumbent for when the P80 lands after the contract end, else 0
    double_running_weeks: int  # both providers side by side when the P80 lands before it, else 0
    latest_start: dt.date  # the latest plan start that still hands over by the contract end at P80
    latest_signature: dt.date | None  # the same for the contract signature (G0), when the plan has one

    def sentence(self) -> str:
        """The verdict as a steering committee reads it."""
        head = (
            f"Contract end {self.contract_end}: {self.verdict} ({self.chance:.0%} chance; handover P80 "
            f"{self.p80}, most likely {self.most_likely})"
        )
        if self.extension_weeks:
            more = _weeks(self.extension_weeks)
            return f"{head}. Ask the incumbent for {more} more, or start by {self.latest_start}."
        if self.double_running_weeks:
            return f"{head}. Both providers run side by side for {_weeks(self.double_running_weeks)}."
        return f"{head}."

    def ask(self) -> str:
        """The options tables' "ask for" cell: the extension to request or the double running, or ""."""
        if self.extension_weeks:
            return f"extend {self.extension_weeks} wk"
        if self.double_running_weeks:
            return f"overlap {self.double_running_weeks} wk"
        return ""

    def to_json(self) -> dict:
        return {
            "contract_end": self.contract_end.isoformat(),
            "handover": self.handover,
            "most_likely": self.most_likely.isoformat(),
            "p50": self.p50.isoformat(),
            "p80": self.p80.isoformat(),
            "chance": round(self.chance, 4),
            "verdict": self.verdict,
            "extension_weeks": self.extension_weeks,
            "double_running_weeks": self.double_running_weeks,
            "latest_start": self.latest_start.isoformat(),
            "latest_signature": self.latest_signature.isoformat() if self.latest_signature else None,
        }


def _weeks(n: int) -> str:
    return f"{n} week{'s' if n != 1 else ''}"


def handover_task(plan: Plan, run: RiskResult) -> str | None:
    return plan.handover(run.task_p50.tolist()) if len(plan.tasks) else None


def verdict(plan: Plan, run: RiskResult, ef: np.ndarray) -> ContractEnd | None:
    """The verdict against the handover's deadline from the committed run `run` and the plan's
    most likely EF offsets `ef` (its schedule's passes: levelled when it levels); None when the
    handover has no deadline (no contract end given)."""
    handover = handover_task(plan, run)
    if handover is None:
        return None
    j = plan.ids.index(handover)
    end = plan.tasks[j].deadline
    if end is None:
        return None
    cal = plan.work_calendar()
    cap = cal.deadline_offset(end)
    p50, p80 = int(run.task_p50[j]), int(run.task_p80[j])
    chance = next((d.probability for d in run.task_deadlines if d.id == handover), float(p80 <= cap))
    said = "met" if p80 <= cap else "at risk" if p50 <= cap else "missed"
    p80_date = cal.date_of(max(p80 - 1, 0))
    late_days = (p80_date - end).days
    shift = cap - p80  # working days the plan could start later (negative: earlier) and still meet it
    gates = [k for k, t in enumerate(plan.tasks) if t.is_gate]
    signature = cal.date_of(shift + int(min(ef[k] for k in gates)) - 1) if gates else None
    return ContractEnd(
        contract_end=end,
        handover=handover,
        most_likely=cal.date_of(max(int(ef[j]) - 1, 0)),
        p50=cal.date_of(max(p50 - 1, 0)),
        p80=p80_date,
        chance=float(chance),
        verdict=said,
        extension_weeks=math.ceil(late_days / 7) if late_days > 0 else 0,
        double_running_weeks=(-late_days) // 7 if late_days < 0 else 0,
        latest_start=cal.date_of(shift),
        latest_signature=signature,
    )
