"""Links: which end of each task a link type ties, and the notation `ID`, `ID:TYPE`,
`ID:TYPE+N`, `ID:TYPE-N` (DESIGN.md).

Kept apart from the model so the scheduler, the charts, the explanations, the CSV reader, the
editor grid and the MSPDI writer share one rule, one parser and one printer, and a link always
round-trips to the same text.
"""

from __future__ import annotations

import re

LINK_TYPES = ("FS", "SS", "FF", "SF")
# The end of the predecessor a link ties (its finish for FS and FF, else its start), and the end
# of the successor (its finish for FF and SF, else its start).
FROM_FINISH = {"FS": True, "SS": False, "FF": True, "SF": False}
TO_FINISH = {"FS": False, "SS": False, "FF": True, "SF": True}
ID_PATTERN = r"[A-Za-z0-9_.\-]+"
ID_RE = re.compile(rf"^{ID_PATTERN}$")
_LINK_RE = re.compile(rf"^\s*({ID_PATTERN})\s*(?::\s*([A-Za-z]{{2}})\s*(?:([+-])\s*(\d+))?\s*)?$")


def parse_link(text: str) -> tuple[str, str, int]:
    """Parses one dependency, e.g. `B:SS+2` -> ("B", "SS", 2); raises ValueError with a hint."""
    m = _LINK_RE.match(text)
    if not m:
        raise ValueError(f"cannot read dependency {text!r}; write ID, ID:TYPE or ID:TYPE+N (TYPE is FS, SS, FF or SF)")
    task, kind, sign, digits = m.groups()
    kind = (kind or "FS").upper()
    if kind not in LINK_TYPES:
        raise ValueError(f"unknown link type {kind!r} in {text!r}; use FS, SS, FF or SF")
    lag = int(digits) if digits else 0
    return task, kind, -lag if sign == "-" else lag


def format_link(task: str, kind: str, lag: int) -> str:
    """Shortest notation for a link: `A`, `A:SS`, `A:FF-1`."""
    if kind == "FS" and lag == 0:
        return task
    if lag == 0:
        return f"{task}:{kind}"
    return f"{task}:{kind}{lag:+d}"


def split_cell(cell: str) -> list[str]:
    """Splits a CSV/grid `depends_on` cell on `;` (commas are accepted too, as people type them)."""
    return [part.strip() for part in re.split(r"[;,]", cell) if part.strip()]
