"""The dependency network: tasks left to right by topological generation, the critical path in red."""

from __future__ import annotations

from typing import Any

import altair as alt

from planner.charts.common import CRITICAL, inline
from planner.schedule import Schedule


def network_layout(sched: Schedule) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes placed left to right by topological generation; edges between their centres."""
    gens = sched.network.level
    ids = sched.network.ids
    table = sched.table
    on_path = set(sched.critical_path)
    slot: dict[int, int] = {}
    nodes = []
    pos = {}
    for j, tid in enumerate(ids):
        g = int(gens[j])
        k = slot.get(g, 0)
        slot[g] = k + 1
        pos[tid] = (g, k)
        nodes.append(
            {
                "id": tid,
                "name": table["name"].iat[j],
                "phase": table["phase"].iat[j],
                "owner": table["owner"].iat[j] or "(none)",
                "x": g,
                "y": k,
                "above": g % 2 == 0,
                "critical": tid in on_path,
                "start": table["start"].iat[j],
                "finish": table["finish"].iat[j],
            }
        )
    edges = []
    for task in sched.plan.tasks:
        for link in task.depends_on:
            (x1, y1), (x2, y2) = pos[link.task], pos[task.id]
            edges.append(
                {
                    "x": x1,
                    "y": y1,
                    "x2": x2,
                    "y2": y2,
                    "critical": link.task in on_path and task.id in on_path,
                    "type": link.type,
                }
            )
    return nodes, edges


def network_chart(sched: Schedule, color_by: str = "owner", width: int | None = None) -> alt.LayerChart:
    """The dependency network: generations left to right, critical path in red. The width
    grows with the number of generations so ids stay readable (about 80 px each)."""
    if color_by not in ("owner", "phase"):
        raise ValueError("color_by must be owner or phase")
    nodes, edges = network_layout(sched)
    width = width or max(600, 80 * (max((n["x"] for n in nodes), default=0) + 1))
    height = max(200, 34 * (max((n["y"] for n in nodes), default=0) + 1))
    xs = alt.X("x:Q", axis=None, scale=alt.Scale(padding=30))
    ys = alt.Y("y:Q", axis=None, scale=alt.Scale(reverse=True, padding=20))
    edge_layer = (
        alt.Chart(inline(edges))
        .mark_rule()
        .encode(
            x=xs,
            y=ys,
            x2="x2:Q",
            y2="y2:Q",
            color=alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("#bbbbbb")),
            strokeWidth=alt.condition(alt.datum.critical, alt.value(2.5), alt.value(1)),
        )
    )
    node_base = alt.Chart(inline(nodes))
    node_layer = node_base.mark_circle(size=260, opacity=1).encode(
        x=xs,
        y=ys,
        color=alt.Color(
            f"{color_by}:N", title=color_by.title(), scale=alt.Scale(scheme="set2"), legend=alt.Legend(orient="top")
        ),
        stroke=alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("white")),
        strokeWidth=alt.condition(alt.datum.critical, alt.value(3), alt.value(1)),
        tooltip=["id:N", "name:N", "phase:N", "owner:N", "start:N", "finish:N", "critical:N"],
    )
    above = node_base.mark_text(dy=-15, fontSize=9).encode(x=xs, y=ys, text="id:N").transform_filter(alt.datum.above)
    below = node_base.mark_text(dy=17, fontSize=9).encode(x=xs, y=ys, text="id:N").transform_filter(~alt.datum.above)
    chart = alt.layer(edge_layer, node_layer, above, below).properties(width=width, height=height)
    return chart.interactive()
