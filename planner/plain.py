"""Plain values for the world outside the planner: JSON values from numpy and pandas, and the
slug of a plan name for file names, calendar ids and saved-plan ids, and text cut to fit."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any


def json_value(value: Any) -> Any:
    """A JSON value: numpy scalars as Python numbers, NaN and pandas' NA as null, dates as ISO text."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if type(value).__name__ == "NAType":
        return None
    return value


def slug(name: str, limit: int | None = None) -> str:
    """`Service desk: Wave 1` -> `service-desk-wave-1` (at most `limit` characters); `plan` when
    nothing is left."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return (text[:limit] if limit else text).strip("-") or "plan"


def clip(text: str, width: int) -> str:
    """`text` on one line in at most `width` characters, cut with an ellipsis: a terminal column,
    a slide's box or a PDF cell never overflows."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
