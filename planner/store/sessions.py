"""Sign-out that ends sessions on the server (DESIGN.md "Sign-in and access").

Streamlit keeps who is signed in in a signed cookie; clearing it in one browser leaves a copy of
it valid elsewhere until it expires. So a sign-out is recorded here, per address, and any session
whose identity token was issued before it counts as signed out, on every replica.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, select

from planner.store.schema import StoreCore, aware, sign_outs


class SignOuts:
    """The last sign-out of each address: the sign-out half of the Store."""

    def __init__(self, store: StoreCore):
        self.store = store

    def record(self, email: str, at: dt.datetime | None = None) -> None:
        when = at or dt.datetime.now(dt.UTC)
        with self.store.transaction() as conn:
            conn.execute(delete(sign_outs).where(sign_outs.c.email == email))
            conn.execute(insert(sign_outs).values(email=email, at=when))

    def ended(self, email: str, issued_at: float) -> bool:
        """Whether a session of `email` whose identity token was issued at `issued_at` (seconds since
        the epoch, the token's `iat`) has been ended by a later sign-out (same second: not ended)."""
        with self.store.transaction() as conn:
            at = conn.execute(select(sign_outs.c.at).where(sign_outs.c.email == email)).scalar()
        return at is not None and int(issued_at) < int(aware(at).timestamp())
