"""Altair charts of a plan and its schedule: Gantt, network, risk and RAID. No Streamlit here."""

from planner.charts.common import CRITICAL, GATE, NORMAL, SUMMARY
from planner.charts.gantt import COLOR_BY, audience_gantt, gantt_chart
from planner.charts.gantt_data import GROUP_BY, ROLLUP_THRESHOLD, gantt_rows
from planner.charts.network import network_chart, network_layout
from planner.charts.steering import raid_heatmap, risk_charts, tornado_chart

__all__ = [
    "COLOR_BY",
    "CRITICAL",
    "GATE",
    "GROUP_BY",
    "NORMAL",
    "ROLLUP_THRESHOLD",
    "SUMMARY",
    "audience_gantt",
    "gantt_chart",
    "gantt_rows",
    "network_chart",
    "network_layout",
    "raid_heatmap",
    "risk_charts",
    "tornado_chart",
]
