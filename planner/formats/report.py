"""Standalone HTML report and PNG/SVG charts: opens offline, makes no network request.

The Vega libraries come inlined from vl-convert-python; every user string is escaped with
`html.escape`, and the chart spec is embedded as JSON with `<`, `>` and `&` written as
unicode escapes so no plan text can close the script element.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from functools import lru_cache
from typing import Any

import altair as alt
import vl_convert as vlc

from planner.audience import Audience, audience
from planner.charts import audience_gantt
from planner.core.schedule import Schedule
from planner.explain import KeyFigures, key_figures
from planner.formats.csvfile import milestone_rows
from planner.pack.trend import Trend
from planner.plain import json_value
from planner.risk.result import RiskResult
from planner.status import committed, plan_status

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#222;max-width:1400px}
h1{margin-bottom:.2rem} .sub{color:#666;margin-top:0}
.figs{display:grid;grid-template-columns:repeat(4,minmax(160px,1fr));gap:.8rem;margin:1.2rem 0}
.status{font-size:1.05rem;margin:.6rem 0} .contract{margin:.2rem 0 1rem;color:#333}
.fig{border:1px solid #ddd;border-radius:8px;padding:.6rem .8rem}
.fig .k{color:#666;font-size:.85rem} .fig .v{font-size:1.4rem;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1.6rem} th,td{border-bottom:1px solid #e5e5e5;
padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem} th{background:#f6f6f6}
.crit{color:#d62728;font-weight:600} .num{text-align:right} code{background:#f3f3f3;padding:0 .2rem;border-radius:3px}
"""


CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:"
)


@lru_cache(maxsize=1)
def _vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script (built once per process, about 0.9 MB)."""
    return vlc.javascript_bundle()  # type: ignore[call-arg]  # the stub misses that `snippet` is optional


def _json_for_script(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=json_value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite dict of a chart, without Altair's 5,000-row guard and unvalidated: the chart
    modules' tests validate every chart they make, and validating a 2,000-task Gantt's rows took
    0.7 s of each report."""
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict(validate=False)


def chart_svg(chart: alt.TopLevelMixin | dict[str, Any]) -> str:
    """An SVG of a chart, or of a Vega-Lite dict made by a chart module (already valid)."""
    return vlc.vegalite_to_svg(chart if isinstance(chart, dict) else chart_spec(chart))


PNG_SHARP_PIXELS = 4_000_000  # up to this many pixels at scale 1, a PNG is drawn at twice the size


def chart_png(chart: alt.TopLevelMixin | dict[str, Any]) -> bytes:
    """A PNG at twice the chart's size for sharp slides, or at its own size when that is already
    large (a 300-task Gantt is 1,300 x 6,900 pixels; doubled it took 1.5 s and 5.6 MB)."""
    svg = chart_svg(chart)
    size = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', svg)
    pixels = float(size.group(1)) * float(size.group(2)) if size else 0.0
    return vlc.svg_to_png(svg, scale=2.0 if pixels <= PNG_SHARP_PIXELS else 1.0)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _figures(sched: Schedule, today: dt.date | None, run: RiskResult | None) -> str:
    k = key_figures(sched, today, run)
    margin = "no deadline" if k.deadline_margin is None else f"{k.deadline_margin:+d} working days"
    c = k.contract
    cells = [
        ("Plan finish (most likely)", k.finish.isoformat()),
        ("P80 finish (to commit)", k.p80.isoformat() if k.p80 else "—"),
        ("Deadline margin", margin),
        ("Critical tasks", f"{k.critical_count} of {k.task_count}"),
        ("Next milestone", f"{k.next_milestone.date} ({k.next_milestone.id})" if k.next_milestone else "—"),
        ("Pilot go/no-go", f"{k.pilot_go.date} ({k.pilot_go.id})" if k.pilot_go else "—"),
        ("Handover", f"{k.handover.date} ({k.handover.id})" if k.handover else "—"),
        ("Contract end", _contract_cell(k)),
    ]
    status = plan_status(sched, today, run)
    return (
        f'<p class="status"><b>Status {_e(status.rag.upper())}</b> — {_e(status.reason)}</p>'
        + '<div class="figs">'
        + "".join(f'<div class="fig"><div class="k">{_e(a)}</div><div class="v">{_e(b)}</div></div>' for a, b in cells)
        + "</div>"
        + (f'<p class="contract">{_e(c.sentence())}</p>' if c else "")
        + _costs(sched, run)
    )


def _contract_cell(k: KeyFigures) -> str:
    """The contract end against the handover: the P80 verdict, else the most likely margin."""
    if k.contract_end is None:
        return "none set"
    if k.contract is not None:
        return f"{k.contract_end}: {k.contract.verdict}, {k.contract.chance:.0%} chance"
    return f"{k.contract_end}: {k.contract_margin:+d} working days"


def _costs(sched: Schedule, run: RiskResult | None) -> str:
    """The cost lines and, from the committed run, P50 and P80 cost, when the plan has a cost model."""
    from planner.costs import plan_cost

    cost = plan_cost(sched)
    if cost is None:
        return ""
    rows = "".join(
        f"<tr><td>{_e(x.category)}</td><td>{_e(x.label)}</td><td class=num>{x.amount:,.2f}</td></tr>"
        for x in cost.lines
    )
    spread = ""
    if run is not None and run.cost is not None:
        q = run.cost.percentiles
        spread = f"; P50 {q[50]:,.2f}, P80 {q[80]:,.2f}"
    note = f" ({_e(sched.plan.costs.note)})" if sched.plan.costs and sched.plan.costs.note else ""
    return (
        f"<h2>Costs ({_e(cost.currency)})</h2><p>Total {cost.total:,.2f}{spread}; double running "
        f"{cost.double_running_days} days, {cost.double_running:,.2f}{note}</p>"
        f"<table><thead><tr><th>Category</th><th>Item</th><th>Amount</th></tr></thead><tbody>{rows}"
        f"<tr><td><b>total</b></td><td></td><td class=num><b>{cost.total:,.2f}</b></td></tr></tbody></table>"
    )


def _milestone_table(sched: Schedule) -> str:
    rows = milestone_rows(sched)
    body = "".join(
        f"<tr><td><code>{_e(r.id)}</code></td><td>{_e(r.name)}</td><td>{_e(r.phase)}</td><td>{_e(r.owner)}</td>"
        f"<td>{_e(r.date)}</td><td{' class=crit' if r.critical else ''}>{int(r.total_float)}</td>"
        f"<td>{_e(r.criteria)}</td></tr>"
        for r in rows.itertuples(index=False)
    )
    return (
        "<table><thead><tr><th>ID</th><th>Milestone or gate</th><th>Phase</th><th>Owner</th><th>Date</th>"
        f"<th>Float</th><th>Exit criteria</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _gates(sched: Schedule) -> str:
    parts = []
    for task in sched.plan.tasks:
        if task.gate is None:
            continue
        items = "".join(
            f"<li>{_e(c.kpi)} <b>{_e(c.target)}</b>" + (f" — actual {_e(c.actual)}" if c.actual else "") + "</li>"
            for c in task.gate.criteria
        )
        parts.append(f"<h3><code>{_e(task.id)}</code> {_e(task.name)}</h3><ul>{items}</ul>")
    return "".join(parts) or "<p>No gates in this plan.</p>"


def _raid(sched: Schedule, who: Audience) -> str:
    items = [r for r in who.raid(sched.plan) if r.is_open]
    if not items:
        return ""
    body = "".join(
        f"<tr><td><code>{_e(r.id)}</code></td><td>{_e(r.kind)}</td><td>{_e(r.title)}</td><td>{_e(r.owner or '')}</td>"
        f"<td>{_e(r.due or '')}</td><td>{_e(r.score or '')}</td><td>{_e(', '.join(r.tasks))}</td></tr>"
        for r in items
    )
    return (
        "<h2>Open risks, actions, issues and decisions</h2><table><thead><tr><th>ID</th><th>Kind</th><th>Title</th>"
        f"<th>Owner</th><th>Due</th><th>Score</th><th>Tasks</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _trend(trend: Trend | None) -> tuple[str, str]:
    """The forecast's trend: what moved since the last committee, the chart, and each revision's dates."""
    if trend is None or not trend.points:
        return "", ""
    from planner.charts.steering import trend_chart

    said = "".join(f"<li>{_e(s)}</li>" for s in trend.sentences())
    if len(trend.points) < 2:
        return f"<h2>Forecast trend</h2><ul>{said}</ul>", ""
    rows = "".join(
        f"<tr><td>{p.revision}</td><td>{_e(p.saved)}</td><td>{_e(p.status_date or '')}</td>"
        f"<td>{_e(p.handover_date or '—')}</td><td>{_e(p.handover_p80 or '—')}</td>"
        f"<td>{_e(p.finish)}</td><td>{_e(p.finish_p80 or '—')}</td></tr>"
        for p in trend.points
    )
    spec = chart_spec(trend_chart(trend).properties(width=800))
    html_part = (
        f'<h2>Forecast trend</h2><ul>{said}</ul><div id="trend"></div>'
        "<table><thead><tr><th>Revision</th><th>Saved</th><th>Status date</th><th>Handover</th>"
        f"<th>Handover P80</th><th>Finish</th><th>Finish P80</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    js = (
        f'\nvegaEmbed("#trend", {_json_for_script(spec)}, {{"actions": false, "renderer": "svg"}})'
        '\n  .then((r) => { document.getElementById("trend").dataset.drawn = "yes"; });'
    )
    return html_part, js


def report_html(
    sched: Schedule,
    today: dt.date | None = None,
    title_note: str = "",
    view: str = "full",
    run: RiskResult | None = None,
    trend: Trend | None = None,
) -> str:
    """The whole report as one HTML document, as the audience named by `view` may see it
    (planner.audience: the full plan, the executive view or a party's). `run` is the plan's
    committed run when the caller has it (the P80 and the contract end come from it); `trend` the
    saved plan's forecast trend, shown in the full view."""
    plan = sched.plan
    run = run if run is not None else committed(plan, sched.network, sched if sched.levelling else None)
    who = audience(plan, view)
    spec = chart_spec(audience_gantt(sched, who, width=900, today=today))
    path = " → ".join(f"<code>{_e(i)}</code>" for i in who.path(plan, sched.critical_path)) or "none"
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    note = title_note if view == "full" else f"{title_note} · {view} view"
    histogram_html = histogram_js = ""
    resources = [r.id for r in who.resources(plan)]
    if resources and any(t.uses for t in plan.tasks):
        from planner.charts.resources import resource_histogram
        from planner.scheduling import unlevelled_and_levelled

        hist = chart_spec(resource_histogram(*unlevelled_and_levelled(sched), resources=resources))
        histogram_html = '<h2>Resources: use per week against capacity</h2><div id="resources"></div>'
        histogram_js = (
            f'\nvegaEmbed("#resources", {_json_for_script(hist)}, {{"actions": false, "renderer": "svg"}})'
            '\n  .then((r) => { document.getElementById("resources").dataset.drawn = "yes"; });'
        )
    trend_html, trend_js = _trend(trend if view == "full" else None)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{_e(plan.name)} — transition plan report</title><style>{CSS}</style></head>
<body>
<h1>{_e(plan.name)}</h1>
<p class="sub">{_e(plan.description)}</p>
<p class="sub">Start {_e(plan.start.isoformat())} · {len(plan.tasks)} tasks · generated {_e(generated)}{_e(note)}</p>
{_figures(sched, today, run)}
<h2>Gantt</h2>
<div id="gantt"></div>
<h2>Critical path</h2><p>{path}</p>
<h2>Milestones and gates</h2>
{_milestone_table(sched)}
<h2>Gate exit criteria</h2>
{_gates(sched)}
{_raid(sched, who)}
{histogram_html}
{trend_html}
<script>{_vega_bundle()}</script>
<script>vegaEmbed("#gantt", {_json_for_script(spec)}, {{"actions": false, "renderer": "svg"}})
  .then((r) => {{ document.getElementById("gantt").dataset.drawn = "yes"; }});{histogram_js}{trend_js}</script>
</body></html>
"""
