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
import unicodedata
from collections.abc import Mapping
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
    """The canonical form of an address (Unicode-normalised, trimmed, case-folded), or AccessError
    naming the field. Only plain ASCII is accepted: a KELVIN SIGN or a Cyrillic "а" can pass for a
    Latin letter, and folded together with it, one person's address would become another's."""
    raw = (text or "").strip()  # looked at before any normalisation: NFC itself turns a KELVIN SIGN into K
    odd = next((c for c in raw if ord(c) > 127), None)
    if odd is not None:
        name = unicodedata.name(odd, "an unnamed character")
        raise AccessError(
            f"{field}: {raw[:80]!r} has {name} (U+{ord(odd):04X}), which can pass for another character; "
            "write the address in plain ASCII"
        )
    value = unicodedata.normalize("NFKC", raw).casefold()
    if not value:
        raise AccessError(f"{field}: required")
    if len(value) > EMAIL_MAX or not _EMAIL.fullmatch(value):
        raise AccessError(f"{field}: {raw[:80]!r} is not an e-mail address (name@example.org)")
    return value


ADMIN_SEPARATORS = re.compile(r"[,;\s]+")  # what people type between addresses


def admin_entries(raw: str | None = None) -> tuple[frozenset[str], tuple[str, ...]]:
    """The administrators' addresses from `PLANNER_ADMINS` (separated by commas, semicolons, spaces
    or new lines) and the reasons the other entries were refused: one typo must not lock every
    administrator out, and must not go unnoticed."""
    text = os.environ.get("PLANNER_ADMINS", "") if raw is None else raw
    found, refused = set(), []
    for part in ADMIN_SEPARATORS.split(text):
        if not part:
            continue
        try:
            found.add(email_address(part, "PLANNER_ADMINS"))
        except AccessError as exc:
            refused.append(str(exc))
    return frozenset(found), tuple(refused)


def admins(raw: str | None = None) -> frozenset[str]:
    return admin_entries(raw)[0]


def username_providers(raw: str | None = None) -> frozenset[str]:
    """The identity providers whose `preferred_username` is an address the organisation controls
    (Microsoft Entra's sign-in name), from `PLANNER_USERNAME_PROVIDERS`: the names of the `[auth]`
    sections' providers ("default" for the section's own)."""
    text = os.environ.get("PLANNER_USERNAME_PROVIDERS", "") if raw is None else raw
    return frozenset(p.strip().lower() for p in ADMIN_SEPARATORS.split(text) if p.strip())


def vouched_address(claims: Mapping[str, object], trusted_usernames: frozenset[str] | None = None) -> str | None:
    """The address an identity provider vouched for: `email` only when `email_verified` is true,
    else `preferred_username` only from a provider named in PLANNER_USERNAME_PROVIDERS; None when
    neither holds (the sign-in page says why)."""
    if claims.get("email_verified") is True and claims.get("email"):
        return str(claims["email"])
    providers = username_providers() if trusted_usernames is None else trusted_usernames
    provider = str(claims.get("provider") or "default").lower()
    if provider in providers and claims.get("preferred_username"):
        return str(claims["preferred_username"])
    return None


def signed_in(email: str, name: str = "") -> User:
    """The User for an address the identity provider returned, admin if `PLANNER_ADMINS` names it."""
    address = email_address(email)
    return User(address, name.strip()[:EMAIL_MAX], address in admins())


def may_change_team(user: User | None, owner: str | None) -> bool:
    """Only the owner or an administrator adds or removes editors, or hands the plan on."""
    return user is None or user.admin or (owner is not None and user.email == owner)
