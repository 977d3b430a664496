"""Share links: an unguessable token that opens one plan read-only, for a stakeholder with no account.

Tokens are `secrets.token_urlsafe(32)` (never starting with "-", which a command line would take
for an option), stored only as SHA-256 hashes; the first 12 hex digits of
the hash name a link in lists without revealing it. Links record who made and who revoked them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from planner.audience import audience
from planner.problems import PlanError
from planner.store.access import User
from planner.store.schema import StoreCore, StoreError, aware, check_author, links, now, plans, visible_to

LINK_LABEL_MAX = 200


@dataclass(frozen=True)
class ShareLink:
    plan_id: str
    view: str
    created_at: dt.datetime
    revoked: bool
    key: str  # first 12 hex digits of the token hash: names a link without revealing it
    label: str = ""  # who it is for
    expires_on: dt.date | None = None  # the last day it opens
    created_by: str = ""
    revoked_by: str = ""

    @property
    def status(self) -> str:
        if self.revoked:
            return "revoked"
        return "expired" if _expired(self.expires_on) else "live"


def _expired(expires_on: dt.date | None) -> bool:
    """A link opens through its expiry date (UTC) and behaves as revoked after it."""
    return expires_on is not None and dt.datetime.now(dt.UTC).date() > expires_on


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ShareLinks:
    """A Store's share links; only the plan's owner, editors and the administrators make, list and
    revoke a plan's links."""

    def __init__(self, store: StoreCore):
        self.store = store

    def share(
        self,
        plan_id: str,
        view: str = "executive",
        label: str = "",
        expires_on: dt.date | None = None,
        author: str = "",
        user: User | None = None,
    ) -> str:
        """A new read-only link token for one plan and view (executive, full or a party), with an
        optional label (who it is for) and expiry date (the last day it opens)."""
        plan, _ = self.store.get(plan_id, user=user)
        try:
            audience(plan, view)
        except PlanError as exc:
            raise StoreError(exc.problems[0].message) from None
        label = label.strip()
        if len(label) > LINK_LABEL_MAX or any(ord(c) < 32 for c in label):
            raise StoreError(f"link label: at most {LINK_LABEL_MAX} characters, no control characters")
        if expires_on is not None and _expired(expires_on):
            raise StoreError(f"link expiry {expires_on.isoformat()} is in the past")
        check_author(author)
        token = secrets.token_urlsafe(32)
        while token.startswith("-"):  # a token is typed on command lines, where a leading "-" reads as an option
            token = secrets.token_urlsafe(32)
        with self.store.transaction() as conn:
            conn.execute(
                insert(links).values(
                    token_hash=hash_token(token),
                    plan_id=plan_id,
                    view=view,
                    created_at=now(),
                    label=label,
                    expires_on=expires_on,
                    created_by=author,
                )
            )
        return token

    def resolve(self, token: str) -> tuple[str, str] | None:
        """(plan id, view) for a live token; None for a bad, revoked, expired or deleted one."""
        if not token or len(token) > 200:
            return None
        with self.store.transaction() as conn:
            row = conn.execute(
                select(links.c.plan_id, links.c.view, links.c.revoked_at, links.c.expires_on, plans.c.deleted)
                .join(plans, plans.c.id == links.c.plan_id)
                .where(links.c.token_hash == hash_token(token))
            ).first()
        if row is None or row.revoked_at is not None or row.deleted or _expired(row.expires_on):
            return None
        return row.plan_id, row.view

    def of_plan(self, plan_id: str, user: User | None = None) -> list[ShareLink]:
        with self.store.transaction() as conn:
            if user is not None:
                self.store.plan_row(conn, plan_id, user)
            rows = conn.execute(select(links).where(links.c.plan_id == plan_id).order_by(links.c.created_at)).all()
        return [
            ShareLink(
                r.plan_id,
                r.view,
                aware(r.created_at),
                r.revoked_at is not None,
                r.token_hash[:12],
                r.label or "",
                r.expires_on,
                r.created_by or "",
                r.revoked_by or "",
            )
            for r in rows
        ]

    def revoke(
        self, token: str | None = None, key: str | None = None, author: str = "", user: User | None = None
    ) -> bool:
        """Revokes a link by its token (or, in the app, by its key) on a plan `user` may manage;
        False if none matched."""
        check_author(author)
        with self.store.transaction() as conn:
            cond = links.c.token_hash == hash_token(token) if token else links.c.token_hash.startswith(key or "-")
            mine = select(plans.c.id).where(visible_to(user))
            result = conn.execute(
                update(links)
                .where(cond & links.c.revoked_at.is_(None) & links.c.plan_id.in_(mine))
                .values(revoked_at=now(), revoked_by=author)
            )
        return result.rowcount > 0
