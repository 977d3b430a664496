"""What every chart shares: colours, and data handed to Altair as inline values.

Altair's data transformers are process-wide. The Streamlit server swaps in its own while it draws
a chart in one session's thread; a spec made from a DataFrame at that moment in another thread
(a report being downloaded) names data sets it does not carry, and the chart comes out empty.
Inline values never pass through a transformer, so a spec is the same whoever makes it and when.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt

from planner.plain import json_value

CRITICAL, NORMAL, GATE, SUMMARY = "#d62728", "#4c78a8", "#9467bd", "#444444"


def inline(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Chart data as inline values (see the module docstring for why not a DataFrame), as the
    plain `{"values": [...]}` of the spec: wrapping them in `alt.InlineData` validates every row
    on construction (70 ms for a 300-task Gantt), and the chart is validated whole anyway."""
    return {"values": [{k: json_value(v) for k, v in row.items()} for row in rows]}


_DEFAULT_VIEW = {"continuousWidth": 300, "continuousHeight": 300}


def spec_of(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite dict as `st.altair_chart` would send it, unvalidated (the chart tests
    validate every chart) and without Altair's default 300 x 300 view size, which
    `st.altair_chart` leaves out too."""
    spec = chart.to_dict(validate=False)
    config = spec.get("config")
    if isinstance(config, dict) and config.get("view") == _DEFAULT_VIEW:
        config.pop("view")
        if not config:
            spec.pop("config")
    return spec
