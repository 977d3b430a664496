"""Who works on a saved plan: its owner and editors (DESIGN.md, "Sign-in and access").

The team half of the Store (mixed into it, as `share_links` is). Only the owner or an
administrator changes the team (`access.may_change_team`); the command line (user None) may.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from planner.store.access import AccessError, User, email_address, may_change_team
from planner.store.schema import StoreCore, StoreError, editors, plans


@dataclass(frozen=True)
class Team:
    plan_id: str
    owner: str | None  # None: saved before sign-in; the administrators manage it
    editors: tuple[str, ...]


class PlanTeams:
    """Who works on a Store's plans: owners and editors."""

    def __init__(self, store: StoreCore):
        self.store = store

    def of_plan(self, plan_id: str, user: User | None = None) -> Team:
        """Who may work on a plan: its owner (None: the administrators) and its editors."""
        with self.store.transaction() as conn:
            row = self.store.plan_row(conn, plan_id, user)
            return self._team(conn, row)

    def _team(self, conn: Connection, row: Any) -> Team:
        emails = conn.execute(select(editors.c.email).where(editors.c.plan_id == row.id).order_by(editors.c.email))
        return Team(row.id, row.owner, tuple(emails.scalars()))

    @contextmanager
    def _change_team(self, plan_id: str, user: User | None) -> Iterator[tuple[Connection, Any]]:
        with self.store.transaction() as conn:
            row = self.store.plan_row(conn, plan_id, user)
            if not may_change_team(user, row.owner):
                raise StoreError(f"plan {plan_id}: only its owner or an administrator may change who works on it")
            yield conn, row

    def set_owner(self, plan_id: str, email: str, user: User | None = None) -> Team:
        """Hands a plan to a new owner (the command line, an administrator or the current owner)."""
        owner = _email(email, "owner")
        with self._change_team(plan_id, user) as (conn, _row):
            conn.execute(update(plans).where(plans.c.id == plan_id).values(owner=owner))
            conn.execute(delete(editors).where((editors.c.plan_id == plan_id) & (editors.c.email == owner)))
            return self._team(conn, conn.execute(select(plans).where(plans.c.id == plan_id)).first())

    def add_editor(self, plan_id: str, email: str, user: User | None = None) -> Team:
        address = _email(email, "editor")
        with self._change_team(plan_id, user) as (conn, row):
            current = self._team(conn, row)
            if address != row.owner and address not in current.editors:
                conn.execute(insert(editors).values(plan_id=plan_id, email=address))
            return self._team(conn, row)

    def remove_editor(self, plan_id: str, email: str, user: User | None = None) -> Team:
        address = _email(email, "editor")
        with self._change_team(plan_id, user) as (conn, row):
            gone = conn.execute(delete(editors).where((editors.c.plan_id == plan_id) & (editors.c.email == address)))
            if gone.rowcount == 0:
                raise StoreError(f"plan {plan_id}: {address} is not one of its editors")
            return self._team(conn, row)


def _email(text: str, field: str) -> str:
    try:
        return email_address(text, field)
    except AccessError as exc:
        raise StoreError(str(exc)) from None
