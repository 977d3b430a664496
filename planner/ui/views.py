"""Read-only views of a schedule: status, key figures, downloads, Gantt, why-critical, milestones,
network, RAID. Nothing here changes the plan (editors.py does), so a share page imports only this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import streamlit as st

from planner.charts import COLOR_BY, GROUP_BY, ROLLUP_THRESHOLD, network_chart
from planner.charts.common import spec_of
from planner.charts.gantt import GanttShape, gantt_datasets, gantt_description, gantt_drawing, gantt_layout
from planner.core.schedule import Schedule
from planner.explain import explain, key_figures
from planner.formats.csvfile import milestone_rows
from planner.formats.mspdi import not_carried
from planner.formats.registry import BY_NAME, FORMATS, Format
from planner.plain import slug
from planner.status import plan_status
from planner.ui import derived, steering
from planner.ui.chart import show as show_chart
from planner.ui.text import md, md_list


def status(sched: Schedule) -> None:
    s = plan_status(sched, run=derived.committed_for(sched.plan))
    icon = {"red": "🔴", "amber": "🟠", "green": "🟢"}[s.rag]
    st.markdown(f"**Status {icon} {s.rag.upper()}** — {md(s.reason)}")


def figures(sched: Schedule, today: dt.date | None = None) -> None:
    k = key_figures(sched, today, derived.committed_for(sched.plan))
    cols = [*st.columns(4), *st.columns(4)]
    cols[0].metric(
        "Plan finish", k.finish.isoformat(), help=f"Most likely: {k.finish_days} working days from the start"
    )
    cols[1].metric(
        "P80 finish",
        k.p80.isoformat() if k.p80 else "—",
        help="The date to commit: 80% of 2,000 simulated runs finish by then (estimates, correlation, RAID and "
        "cutover risks, the levelled order)"
        if k.p80
        else "Needs three-point estimates",
    )
    if k.deadline_margin is None:
        cols[2].metric("Deadline margin", "no deadline", help="Set a plan deadline under Settings")
    else:
        cols[2].metric(
            "Deadline margin",
            f"{k.deadline_margin:+d} days",
            help=f"Working days between the plan finish and the deadline {k.deadline}",
            delta="met" if k.deadline_margin >= 0 else "missed",
            delta_color="normal" if k.deadline_margin >= 0 else "inverse",
        )
    cols[3].metric("Critical tasks", f"{k.critical_count} of {k.task_count}")
    for col, label, m in (
        (cols[4], "Next milestone", k.next_milestone),
        (cols[5], "Pilot go/no-go", k.pilot_go),
        (cols[6], "Handover", k.handover),
    ):
        # a caption, not the metric's delta description: that is cut to one line in a column
        col.metric(label, m.date.isoformat() if m else "—", help=md(f"{m.id}: {m.name}") if m else None)
        if m:
            col.caption(md(f"{m.id} · {m.name}"))
    _contract(cols[7], k)
    _costs(sched, derived.committed_for(sched.plan))


def _costs(sched: Schedule, run: Any) -> None:
    """The cost figures, when the plan has a cost model: most likely, P80, double running, budget."""
    from planner.costs import plan_cost

    cost = plan_cost(sched)
    if cost is None:
        return
    cur = cost.currency
    cols = st.columns(4)
    cols[0].metric(
        f"Cost ({cur})", f"{cost.total:,.0f}", help="From the plan as scheduled: effort, run costs, one-offs"
    )
    p80 = run.cost.percentiles[80] if run is not None and run.cost is not None else None
    cols[1].metric(f"Cost P80 ({cur})", f"{p80:,.0f}" if p80 is not None else "—", help="80% of 2,000 runs cost less")
    days = cost.double_running_days
    cols[2].metric(
        f"Double running ({cur})", f"{cost.double_running:,.0f}", help=f"{days} days both providers are paid"
    )
    if cost.budget is None:
        cols[3].metric("Budget", "none set")
    else:
        chance = run.cost.budget_chance if run is not None and run.cost is not None else None
        cols[3].metric(
            f"Budget ({cur})",
            f"{cost.budget:,.0f}",
            delta=None if chance is None else f"{chance:.0%} chance within it",
            delta_color="normal" if chance is None or chance >= 0.8 else "inverse",
        )
    if plan_note := sched.plan.costs.note if sched.plan.costs else "":
        st.caption(md(plan_note))


def _contract(col: Any, k: Any) -> None:
    """The contract-end figure: the verdict at the P80 handover and what it asks for; without a
    committed run (no estimates), the margin of the most likely handover."""
    c = k.contract
    if k.contract_end is None:
        col.metric(
            "Contract end",
            "none set",
            help="Give the handover task a deadline (the incumbent's contract end or notice date)",
        )
        return
    margin = f"{k.contract_margin:+d} working days of margin at most likely"
    if c is None:
        col.metric(
            "Contract end",
            k.contract_end.isoformat(),
            delta=margin,
            delta_color="normal" if k.contract_margin >= 0 else "inverse",
            help="Against the handover, not the steady-state finish; give tasks three-point estimates for its P80",
        )
        return
    col.metric(
        "Contract end",
        c.contract_end.isoformat(),
        delta=f"{c.verdict}, {c.chance:.0%} chance",
        delta_color="normal" if c.verdict == "met" else "inverse",
        help=f"Handover P80 {c.p80} (most likely {c.most_likely}); latest start that still meets it at P80: "
        f"{c.latest_start}",
    )
    if c.extension_weeks:
        col.caption(f"Ask for {c.extension_weeks} wk more, or start by {c.latest_start}; {margin}")
    elif c.double_running_weeks:
        col.caption(f"{c.double_running_weeks} wk of double running before it; {margin}")
    else:
        col.caption(margin)


def downloads(sched: Schedule, plan_id: str | None = None) -> None:
    """The everyday files as buttons, the steering pack and the other formats in menus; each file
    is made on click (the report and the pack with the saved plan's forecast trend)."""
    name = slug(sched.plan.name)
    main = [f for f in FORMATS if f.place == "main"]
    row = st.container(horizontal=True)  # each button as wide as its label, wrapping on a narrow screen
    for fmt in main:
        _download(row, fmt, sched, name, plan_id=plan_id)
    with row.popover("Steering pack", help="Slides and a PDF for the steering committee"):
        pack_downloads(st, sched, plan_id=plan_id)
    with row.popover("More formats"):
        for fmt in FORMATS:
            if fmt.place == "more":
                _download(st, fmt, sched, name)
                if fmt.name == "mspdi" and (lost := not_carried(sched.plan)):
                    st.caption(md(f"MS Project XML does not carry {', '.join(lost)}: the plan YAML does."))


def pack_downloads(
    where: Any, sched: Schedule, view: str = "full", plan_id: str | None = None, shared: bool = False
) -> None:
    """The steering pack's slides and PDF as the audience named `view` may see them."""
    for fmt in FORMATS:
        if fmt.place == "pack":
            _download(where, fmt, sched, slug(sched.plan.name), view, plan_id, shared)


def download(where: Any, name: str, sched: Schedule) -> None:
    """One format's download button (by its registry name), made on click."""
    _download(where, BY_NAME[name], sched, slug(sched.plan.name))


def _download(
    where: Any,
    fmt: Format,
    sched: Schedule,
    slug: str,
    view: str = "full",
    plan_id: str | None = None,
    shared: bool = False,
) -> None:
    def made() -> str | bytes:
        if fmt.for_view is None:
            return fmt.write(sched)
        trend = steering.saved_trend(plan_id, sched.plan, shared)
        return fmt.write_for(sched, view, trend, derived.committed_for(sched.plan))

    where.download_button(
        f"⬇ {fmt.label}",
        made,
        f"{slug}-{fmt.filename}",
        fmt.mime,
        key=f"download-{fmt.name}",
        on_click="ignore",  # a download changes nothing: no rerun
    )


GANTT_FRAME = 560  # pixels: a taller Gantt scrolls inside its own frame, the views stay in reach


def status_note(sched: Schedule) -> None:
    """Says when the status date moved work: tasks not started by it start after it."""
    plan = sched.plan
    if plan.status_date is None:
        return
    moved = [d.task for d in sched.drivers.values() if d.reason == "status_date"]
    if moved:
        n = len(moved)
        st.caption(
            f"Status date {plan.status_date.isoformat()}: {n} {'task' if n == 1 else 'tasks'} not started by the "
            "status date were moved after it (their successors follow)."
        )


@st.cache_data(max_entries=64, show_spinner=False)
def _gantt_drawing(shape: GanttShape, description: str) -> dict[str, Any]:
    """The app's Gantt drawing as a Vega-Lite dict without its data, made once per shape and
    description (an edit changes neither: the chart's time range is in its data)."""
    return spec_of(gantt_drawing(shape, "", "", description))


def _arrow(rows: list[dict[str, Any]]) -> pa.Table:
    """A data set as an Arrow table, which Streamlit sends as it is: from a list of records it
    builds a pandas DataFrame first (5 ms of a 300-task Gantt's edit, against 0.7 ms)."""
    fields = list(dict.fromkeys(k for row in rows for k in row))
    return pa.table({k: [row.get(k) for row in rows] for k in fields})


def gantt(sched: Schedule) -> None:
    plan = sched.plan
    phases = list(dict.fromkeys(t.phase for t in plan.tasks))
    big = len(plan.tasks) > ROLLUP_THRESHOLD
    # one row, the controls in a menu, one under another: each block is a message an edit's rerun
    # sends before the Gantt, and the page handles each before it redraws (docs/upstream.md)
    bar = st.container(horizontal=True, vertical_alignment="center")
    with bar.popover("Gantt options", help="Colour, grouping, phases, links"):
        color_by = st.selectbox("Colour by", COLOR_BY, key="gantt-color", format_func=str.title)
        group_by = st.selectbox(
            "Group by", GROUP_BY, key="gantt-group", format_func=str.title, help="Phase, or the pilot and each wave"
        )
        ids = ["(none)"] + [t.id for t in plan.tasks]
        selected = st.selectbox("Highlight links of", ids, key="gantt-task", help="Draws this task's links")
        chosen = st.multiselect("Phases", phases, key="gantt-phases", placeholder="All phases")
        rollup = st.toggle("Groups only", value=big, key="gantt-rollup", help="Roll tasks up into group bars")
        links = st.toggle("All links", value=len(plan.tasks) <= 60, key="gantt-links")
    view = [f"colour by {color_by}", f"grouped by {group_by}"]
    view.append(f"{len(chosen)} of {len(phases)} phases" if chosen else "all phases")
    if rollup and not chosen:
        view.append("groups only")
    if selected != "(none)":
        view.append(f"links of {selected}")
    elif links:
        view.append("all links")
    bar.caption(md(" · ".join(view)))
    data, shape = gantt_layout(
        sched,
        color_by=color_by,
        selected=None if selected == "(none)" else selected,
        show_links=links,
        phases=chosen or None,
        rollup=rollup and not chosen,
        group_by=group_by,
        live=True,
    )
    datasets = {name: _arrow(rows) for name, rows in gantt_datasets(data, shape).items()}
    spec = {**_gantt_drawing(shape, gantt_description(data, shape)), "datasets": datasets}
    shown = [t for t in plan.tasks if not chosen or t.phase in chosen]
    groups = len(phases) + len({t.wave for t in plan.tasks})
    rows = groups + (0 if rollup and not chosen else len(shown))
    with st.container(height=min(GANTT_FRAME, 22 * rows + 150), border=False, key="gantt-frame"):
        st.vega_lite_chart(spec, key="gantt-chart", width="stretch")
    status_note(sched)
    if big and rollup and not chosen:
        st.caption(f"{len(plan.tasks):,} tasks: showing groups. Pick phases or switch off 'Groups only' for tasks.")


def why_critical(sched: Schedule) -> None:
    plan = sched.plan
    table = sched.table
    path = list(sched.critical_path)
    st.markdown("**Critical path:** " + (" → ".join(md(i) for i in path) if path else "none"))
    if sched.levelling is not None or plan.steering is not None or plan.freezes:
        st.caption(
            "Critical by the float of the network. Levelling, steering meetings and freezes can absorb a slip "
            "of some of these tasks: pick one below to see what a slip of it really does."
        )
    default = path[-1] if path else plan.tasks[0].id if plan.tasks else None
    if default is None:
        st.info("This plan has no tasks yet.")
        return
    ids = [t.id for t in plan.tasks]
    names = dict(zip(table["id"], table["name"], strict=True))
    task_id = st.selectbox(
        "Why is this task where it is?",
        ids,
        index=ids.index(default),
        key="why-task",
        format_func=lambda i: f"{i} — {names[i]}",
    )
    with st.spinner("Rescheduling with the task slipped, to see what a slip really does…"):
        lines = explain(sched, task_id)
    st.markdown(md_list(lines))


def milestones(sched: Schedule) -> None:
    rows = milestone_rows(sched)
    rows.insert(5, "gate", rows.pop("gate_status"))
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key="milestone-table",
        column_config={
            "criteria": st.column_config.TextColumn("Exit criteria", width="large"),
            "total_float": st.column_config.NumberColumn("Float", format="%d"),
        },
    )


def network(sched: Schedule) -> None:
    color_by = st.radio("Colour nodes by", ["owner", "phase"], horizontal=True, key="network-color")
    if len(sched.plan.tasks) > 600:
        st.info("The network view is drawn for plans up to 600 tasks; filter the Gantt by phase instead.")
        return
    show_chart(network_chart(sched, color_by=color_by), key="network-chart", width="content")


def open_raid(sched: Schedule, items: Sequence[Any] | None = None) -> None:
    """Open RAID items, read-only (share views); `items` narrows them (a party's view)."""
    items = [r for r in (sched.plan.raid if items is None else items) if r.is_open]
    if not items:
        return
    st.subheader("Open risks, actions, issues and decisions")
    st.dataframe(
        [
            {
                "id": r.id,
                "kind": r.kind,
                "title": r.title,
                "owner": r.owner or "",
                "due": r.due.isoformat() if r.due else "",
                "score": r.score,
                "tasks": ", ".join(r.tasks),
            }
            for r in items
        ],
        hide_index=True,
        width="stretch",
        key="share-raid",
    )


def resource_histogram(
    plain: Schedule, levelled: Schedule | None, key: str, resources: Sequence[str] | None = None
) -> None:
    """Each resource's (of `resources`, when given) weekly peak use against capacity, without and
    with levelling."""
    from planner.charts.resources import resource_histogram as histogram

    if not plain.plan.resources:
        return
    show_chart(histogram(plain, levelled, resources=resources), key=key, width="content")


def resources(sched: Schedule, shown: Sequence[str] | None = None) -> None:
    """Read-only: the histograms, for share views (of the `shown` resources, when given)."""
    if not any(t.uses for t in sched.plan.tasks) or (shown is not None and not shown):
        return
    plain, levelled = derived.both_schedules(sched)
    st.subheader("Resources: use per week against capacity")
    resource_histogram(plain, levelled, key="share-resources", resources=shown)
