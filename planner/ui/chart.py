"""Drawing an Altair chart in the app, quickly.

`st.altair_chart` validates the whole spec against the Vega-Lite schema on every rerun (45 ms of
a 300-task Gantt's 180 ms); the chart modules' tests validate every chart they make, so the app
sends the spec unvalidated through `st.vega_lite_chart`, without Altair's default theme (whose
300 x 300 view size `st.altair_chart` leaves out too).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

_DEFAULT_VIEW = {"continuousWidth": 300, "continuousHeight": 300}


def spec_of(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec as `st.altair_chart` would send it, without validation."""
    spec = chart.to_dict(validate=False)
    config = spec.get("config")
    if isinstance(config, dict) and config.get("view") == _DEFAULT_VIEW:
        config.pop("view")
        if not config:
            spec.pop("config")
    return spec


def show(chart: alt.TopLevelMixin, key: str, width: str = "stretch", where: Any = None) -> None:
    """`width` as `st.altair_chart` takes it; "stretch" is its default for a single view."""
    (where or st).vega_lite_chart(spec_of(chart), width=width, key=key)
