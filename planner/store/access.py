"""Who may do what with a saved plan once the app is a team server (DESIGN.md "Sign-in and access").

A plan's owner and its editors may see, open, edit, save, restore, delete and share it; only the
owner (or an administrator) changes who its editors are or hands it to a new owner. Plans saved
before sign-in was configured have no owner and belong to the administrators named in
`PLANNER_ADMINS`. `None` as the user means no sign-in: the single-user app and the command line,
which may do everything. The store applies the seeing rule in SQL (`store_schema.visible_to`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

EMAIL_MAX = 200  # the store's column size
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+")


class AccessError(ValueError):
    """An e-mail address or an access change that cannot be accepted, with the reason."""


@dataclass(frozen=True)
class User:
    """A signed-in person: the e-mail address the identity provider vouched for."""

    email: str
    name: str = ""
    admin: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.email})" if self.name and self.name != self.email else self.email


def email_address(text: str, field: str = "e-mail address") -> str:
    """The canonical form of an address (trimmed, lower case), or AccessError naming the field."""
    value = (text or "").strip().lower()
    if not value:
        raise AccessError(f"{field}: required")
    if len(value) > EMAIL_MAX or not _EMAIL.fullmatch(value):
        raise AccessError(f"{field}: {text.strip()[:80]!r} is not an e-mail address (name@example.org)")
    return value


def admins(raw: str | None = None) -> frozenset[str]:
    """The administrators' addresses from `PLANNER_ADMINS` (comma-separated); bad entries are skipped
    so that one typo cannot lock every administrator out."""
    text = os.environ.get("PLANNER_ADMINS", "") if raw is None else raw
    found = set()
    for part in text.split(","):
        try:
            found.add(email_address(part))
        except AccessError:
            continue
    return frozenset(found)


def signed_in(email: str, name: str = "") -> User:
    """The User for an address the identity provider returned, admin if `PLANNER_ADMINS` names it."""
    address = email_address(email)
    return User(address, name.strip()[:EMAIL_MAX], address in admins())


def may_change_team(user: User | None, owner: str | None) -> bool:
    """Only the owner or an administrator adds or removes editors, or hands the plan on."""
    return user is None or user.admin or (owner is not None and user.email == owner)
