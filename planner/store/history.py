"""What a revision changed, in words for the history: tasks added, removed and changed, and how far
the finish moved."""

from __future__ import annotations

from planner.core.model import Plan


def change_summary(old: Plan | None, new: Plan, old_days: int | None, new_days: int) -> str:
    """What a revision changed: tasks added, removed, changed; the finish moved by N working days."""
    if old is None:
        return f"created with {len(new.tasks)} tasks"
    before = {t.id: t for t in old.tasks}
    after = {t.id: t for t in new.tasks}
    added = [i for i in after if i not in before]
    removed = [i for i in before if i not in after]
    changed = [i for i in after if i in before and after[i] != before[i]]
    parts = []
    for label, ids in (("added", added), ("removed", removed), ("changed", changed)):
        if ids:
            shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
            parts.append(f"{len(ids)} task{'s' if len(ids) != 1 else ''} {label} ({shown})")
    if old.model_dump(exclude={"tasks"}) != new.model_dump(exclude={"tasks"}):
        parts.append("plan settings changed")
    if old_days is not None and new_days != old_days:
        moved = new_days - old_days
        parts.append(f"finish moved {'later' if moved > 0 else 'earlier'} by {abs(moved)} working days")
    return "; ".join(parts) or "no changes"
