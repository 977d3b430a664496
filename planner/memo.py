"""The one cache of values derived from a plan: topological order, prepared network, columns.

A Plan is immutable, so whatever is computed from it stays true while the object lives. This
module keeps such values beside the plan (never inside it: a frozen Plan holds only its data),
keyed by the plan object's identity and dropped when the plan is garbage-collected. Values that
depend only on the link structure (ids and links) sit in a `structure` dict that a duration-only
edit shares with the plan it came from; values of this very plan sit in its `own` dict.

Only values that are pure functions of the plan go here, so sharing the table between app
sessions cannot leak one user's state into another's: two sessions see the same value for the
same plan object, which is what they would compute anyway.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Entry:
    structure: dict[str, Any] = field(default_factory=dict)
    own: dict[str, Any] = field(default_factory=dict)


_ENTRIES: dict[int, _Entry] = {}


def _entry(plan: object) -> _Entry:
    key = id(plan)
    entry = _ENTRIES.get(key)
    if entry is None:
        entry = _ENTRIES[key] = _Entry()
        weakref.finalize(plan, _ENTRIES.pop, key, None)
    return entry


def structure(plan: object) -> dict[str, Any]:
    """Values that depend only on the plan's ids and links (kept across duration edits)."""
    return _entry(plan).structure


def own(plan: object) -> dict[str, Any]:
    """Values of this plan object alone (durations, positions)."""
    return _entry(plan).own


def share_structure(source: object, target: object) -> None:
    """`target` has the same ids and links as `source`: it reuses what was prepared for them."""
    _entry(target).structure = _entry(source).structure


def cached(store: dict[str, Any], key: str, build: Any) -> Any:
    """`store[key]`, built by `build()` on first use (None is a value like any other)."""
    if key not in store:
        store[key] = build()
    return store[key]
