"""What each audience of a shared plan may see (DESIGN.md, "Sharing and storage"): the executive
view (milestones and gates), the full plan, or a party's view (its own and joint tasks, every
milestone and gate, its own and joint RAID items, its own and joint resources).

One rule for the share pages, the HTML report and `export --view`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from planner.core.model import Plan, RaidItem, Resource, Task
from planner.problems import PlanError, Problem

FIXED_VIEWS = ("executive", "full")
JOINT = "joint"


@dataclass(frozen=True)
class Audience:
    view: str  # "executive", "full" or one of the plan's parties

    @property
    def party(self) -> str | None:
        return None if self.view in FIXED_VIEWS else self.view

    def sees(self, task: Task) -> bool:
        if self.view == "full":
            return True
        if self.view == "executive":
            return task.is_key_date
        return task.owner in (self.view, JOINT) or task.is_key_date

    def path(self, plan: Plan, ids: Sequence[str]) -> list[str]:
        """The task ids (a critical path, say) this audience may see, in their order."""
        by_id = plan.tasks_by_id()
        return [i for i in ids if self.sees(by_id[i])]

    def raid(self, plan: Plan) -> tuple[RaidItem, ...]:
        if self.party is None:
            return plan.raid
        return tuple(r for r in plan.raid if r.owner in (self.party, JOINT))

    def resources(self, plan: Plan) -> tuple[Resource, ...]:
        """The resources whose use this audience sees: all in the full view, none in the
        executive one, a party's own and joint ones in its view (one named for no party is nobody's to
        show: its use reveals whose work it carries)."""
        if self.view == "full":
            return plan.resources
        if self.view == "executive":
            return ()
        return tuple(r for r in plan.resources if r.party in (self.view, JOINT))


def views(plan: Plan) -> tuple[str, ...]:
    """The views a plan can be shared or reported in."""
    return (*FIXED_VIEWS, *plan.parties)


def audience(plan: Plan, view: str) -> Audience:
    """The audience named `view`; a PlanError naming the views this plan has otherwise."""
    if view not in views(plan):
        raise PlanError([Problem("view", "", f"unknown view {view!r}; use one of {', '.join(views(plan))}")])
    return Audience(view)
