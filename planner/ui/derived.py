"""Values computed from a plan, kept in the session beside the plan they came from.

A Plan is immutable, so a schedule, a status simulation or a levelled comparison computed from
it stays true while the session holds the plan: each is computed once per plan object (found by
identity, never by a key another plan could share) for the last plans the session showed. The
prepared link network is kept per link structure, so a duration edit reschedules without
preparing the network again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from planner.core.model import Plan
from planner.core.network import Network, prepare, structure
from planner.core.schedule import Schedule
from planner.risk.result import RiskResult
from planner.scheduling import schedule, unlevelled_and_levelled
from planner.status import committed
from planner.ui.keys import DERIVED, NETWORKS

T = TypeVar("T")
KEPT_PLANS = 60  # the undo history (50) and a few more
KEPT_NETWORKS = 3


def derived(plan: Plan, name: str, build: Callable[[], T]) -> T:
    """`build()` for this plan object, computed once in this session."""
    entries: list[tuple[Plan, dict[str, Any]]] = st.session_state.setdefault(DERIVED, [])
    values = next((kept for held, kept in entries if held is plan), None)
    if values is None:
        values = {}
        entries.append((plan, values))
        del entries[:-KEPT_PLANS]
    if name not in values:
        values[name] = build()
    return values[name]


def network_for(plan: Plan) -> Network:
    """The plan's prepared network: one this session prepared for the same links, or a new one."""
    networks: list[Network] = st.session_state.setdefault(NETWORKS, [])
    links = structure(plan)
    found = next((net for net in networks if net.structure == links), None)
    if found is None:
        found = prepare(plan)
        networks.append(found)
        del networks[:-KEPT_NETWORKS]
    return found


def schedule_for(plan: Plan) -> Schedule:
    """The plan's schedule (levelled when the plan levels)."""
    return derived(plan, "schedule", lambda: schedule(plan, network=network_for(plan)))


def committed_for(plan: Plan) -> RiskResult | None:
    """The plan's committed run (P80, contract end), on its levelled order when it levels."""
    return derived(plan, "committed run", lambda: committed(plan, network_for(plan), schedule_for(plan)))


def both_schedules(sched: Schedule) -> tuple[Schedule, Schedule | None]:
    """The schedule without levelling and with it (None when no task uses a resource)."""
    return derived(sched.plan, "both schedules", lambda: unlevelled_and_levelled(sched))
