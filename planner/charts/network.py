"""The dependency network: tasks left to right by topological generation, the critical path in red."""

from __future__ import annotations

from typing import Any

import altair as alt

from planner.charts.common import CRITICAL, inline
from planner.core.schedule import Schedule


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


LABEL_PX_PER_CHAR = 6  # a generous width of one character of a 9 px label
ROW_PX = 50  # between rows: a node (radius 9), a label below it, a label above the next node
NODE_SIZE = 260  # circle area in px², radius about 9
LABEL_DY = {True: -15, False: 17}  # label centre relative to its node: above, below
PAD = 30


def column_step(nodes: list[dict[str, Any]]) -> int:
    """Pixels between generations. Labels alternate above and below their nodes by generation,
    so two labels on the same side are two steps apart: the step is half the longest label, and
    at least 80 px so the links between nodes stay readable."""
    longest = max((len(n["id"]) for n in nodes), default=0)
    return max(80, (LABEL_PX_PER_CHAR * longest + 16) // 2 + 1)


def network_chart(
    sched: Schedule, color_by: str = "owner", width: int | None = None
) -> alt.LayerChart | alt.FacetChart:
    """The dependency network: generations left to right, critical path in red. The chart grows
    with the generations and rows (fixed pixels per step) so no label runs into another label or
    a node; drawn at its own size, it scrolls sideways in the app."""
    if color_by not in ("owner", "phase"):
        raise ValueError("color_by must be owner or phase")
    nodes, edges = network_layout(sched)
    last_x = max((n["x"] for n in nodes), default=0)
    last_y = max((n["y"] for n in nodes), default=0)
    width = width or column_step(nodes) * last_x + 2 * PAD
    height = ROW_PX * last_y + 2 * PAD
    xs = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, max(last_x, 1)], padding=PAD, nice=False, zero=False))
    ys = alt.Y(
        "y:Q", axis=None, scale=alt.Scale(domain=[0, max(last_y, 1)], reverse=True, padding=PAD, nice=False, zero=False)
    )
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
    node_layer = node_base.mark_circle(size=NODE_SIZE, opacity=1).encode(
        x=xs,
        y=ys,
        color=alt.Color(
            f"{color_by}:N", title=color_by.title(), scale=alt.Scale(scheme="set2"), legend=alt.Legend(orient="top")
        ),
        stroke=alt.condition(alt.datum.critical, alt.value(CRITICAL), alt.value("white")),
        strokeWidth=alt.condition(alt.datum.critical, alt.value(3), alt.value(1)),
        tooltip=["id:N", "name:N", "phase:N", "owner:N", "start:N", "finish:N", "critical:N"],
    )
    above = (
        node_base.mark_text(dy=LABEL_DY[True], fontSize=9)
        .encode(x=xs, y=ys, text="id:N")
        .transform_filter(alt.datum.above)
    )
    below = (
        node_base.mark_text(dy=LABEL_DY[False], fontSize=9)
        .encode(x=xs, y=ys, text="id:N")
        .transform_filter(~alt.datum.above)
    )
    return alt.layer(edge_layer, node_layer, above, below).properties(width=width, height=height).interactive()
