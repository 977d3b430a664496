"""Drawing a chart in the app, quickly.

`st.altair_chart` validates the whole spec against the Vega-Lite schema on every rerun (45 ms of
a 300-task Gantt's 180 ms); the chart modules' tests validate every chart they make, so the app
sends the spec unvalidated through `st.vega_lite_chart` (`spec_of`).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

from planner.charts.common import spec_of


def show(chart: alt.TopLevelMixin, key: str, width: str = "stretch", where: Any = None) -> None:
    """`width` as `st.altair_chart` takes it; "stretch" is its default for a single view."""
    (where or st).vega_lite_chart(spec_of(chart), width=width, key=key)
