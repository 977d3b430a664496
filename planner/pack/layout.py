"""The pack's pages, laid out once on 16:9 pages in inches for any `Canvas`: the slides
(`planner.pack.slides`) and the PDF (`planner.pack.pdf`) each only draw what this module places,
so the deck and the PDF never disagree.

Text is cut to the room it has here (`fit`), before any writer sees it: nothing overflows a
page, whatever the plan says.
"""

from __future__ import annotations

import datetime as dt
import itertools
import textwrap
from collections.abc import Sequence
from typing import Protocol

from planner.pack.content import Pack
from planner.pack.timeline import LANES
from planner.plain import clip

WIDTH, HEIGHT = 13.333, 7.5
LEFT, TOP, BOTTOM = 0.5, 1.25, 6.95
INK, MUTED, RULE, HEADER, WHITE = "222222", "666666", "D0D0D0", "EEF1F5", "FFFFFF"
RAG = {"green": "2E8540", "amber": "E0A100", "red": "C62828"}
GATE = {"passed": "2E8540", "failed": "C62828", "pending": "1F4E9A", None: "444444"}
TODAY, CONTRACT = "1F77B4", "C62828"
SERIES = (
    ("Handover P80", "C62828"),
    ("Handover most likely", "F28E8E"),
    ("Finish P80", "1F4E9A"),
    ("Finish most likely", "8FB3E8"),
)


class Canvas(Protocol):
    """What a writer draws; positions and sizes in inches, text sizes in points, colours as hex. A
    table's first row is its header (bold); `fills` gives every cell's colour (`table_fills`)."""

    def page(self) -> None: ...

    def text(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        lines: Sequence[str],
        size: float,
        color: str = INK,
        bold: bool = False,
        align: str = "left",
    ) -> None: ...

    def rect(self, x: float, y: float, w: float, h: float, fill: str | None, line: str | None = None) -> None: ...

    def diamond(self, cx: float, cy: float, size: float, fill: str | None, line: str | None = None) -> None: ...

    def line(self, x1: float, y1: float, x2: float, y2: float, color: str, width: float = 0.75) -> None: ...

    def table(
        self,
        x: float,
        y: float,
        widths: Sequence[float],
        rows: Sequence[Sequence[str]],
        size: float,
        row_height: float,
        fills: Sequence[Sequence[str]],
    ) -> None: ...


def chars(width: float, size: float) -> int:
    """How many characters of `size`-point text a line `width` inches wide holds (generously)."""
    return max(int(width * 72 / (size * 0.56)), 4)


def fit(text: str, width: float, size: float, lines: int = 1) -> list[str]:
    """`text` wrapped to `width` inches in at most `lines` lines, the last cut with an ellipsis."""
    n = chars(width, size)
    wrapped = textwrap.wrap(" ".join(str(text).split()), n) or [""]
    if len(wrapped) <= lines:
        return wrapped
    return [*wrapped[: lines - 1], clip(" ".join(wrapped[lines - 1 :]), n)]


def cells(rows: Sequence[Sequence[object]], widths: Sequence[float], size: float) -> list[list[str]]:
    """A table's text, each cell cut to its column."""
    return [[clip(str(v), chars(w - 0.1, size)) for v, w in zip(row, widths, strict=True)] for row in rows]


def _day(d: dt.date | None) -> str:
    return d.isoformat() if d else "—"


def draw_pack(pack: Pack, c: Canvas) -> None:
    _title(pack, c)
    _timeline(pack, c)
    _key_dates(pack, c)
    _gates(pack, c)
    _risks(pack, c)
    _resources(pack, c)
    _trend(pack, c)


def _page(pack: Pack, c: Canvas, title: str) -> None:
    c.page()
    c.text(LEFT, 0.35, WIDTH - 2 * LEFT, 0.6, fit(title, WIDTH - 2 * LEFT, 24), 24, bold=True)
    view = "" if pack.view == "full" else f" · {pack.view} view"
    foot = f"{pack.plan} · status date {pack.status_date}{view}"
    c.text(LEFT, 7.05, 9.5, 0.3, fit(foot, 9.5, 9), 9, MUTED)
    c.rect(WIDTH - LEFT - 1.3, 7.08, 1.3, 0.26, RAG[pack.status.rag])
    c.text(WIDTH - LEFT - 1.3, 7.06, 1.3, 0.3, [pack.status.rag.upper()], 9, "FFFFFF", bold=True, align="center")


def _title(pack: Pack, c: Canvas) -> None:
    c.page()
    c.text(0.8, 1.6, 11.7, 1.2, fit(pack.plan, 11.7, 32, 2), 32, bold=True)
    view = "full plan" if pack.view == "full" else f"{pack.view} view"
    c.text(0.8, 2.9, 11.7, 0.4, [f"Steering committee pack · status date {pack.status_date} · {view}"], 16, MUTED)
    c.rect(0.8, 3.7, 2.0, 0.6, RAG[pack.status.rag])
    c.text(0.8, 3.82, 2.0, 0.4, [pack.status.rag.upper()], 20, "FFFFFF", bold=True, align="center")
    c.text(3.0, 3.62, 9.5, 0.9, fit(pack.status.reason, 9.5, 16, 2), 16)
    y = 4.8
    for line in (pack.contract, pack.cost):
        if line:
            c.text(0.8, y, 11.7, 0.6, fit(line, 11.7, 14, 2), 14, MUTED)
            y += 0.65
    if pack.trend is not None and pack.trend.since is not None:
        c.text(0.8, y, 11.7, 0.35, fit(pack.trend.sentences()[0], 11.7, 14), 14, MUTED)


def _timeline(pack: Pack, c: Canvas) -> None:
    tl = pack.timeline
    _page(pack, c, "Timeline")
    x0, x1 = 2.2, WIDTH - LEFT
    span = x1 - x0

    def x(day: dt.date) -> float:
        return x0 + span * tl.x(day)

    axis, lane_h = 1.2, 0.26
    diamonds = axis + 0.35 + LANES * lane_h + 0.2
    rows = [("Pilot and waves", s) for s in tl.waves] + [("Phases", s) for s in tl.phases]
    groups = len({name for name, _ in rows})
    row_h = min(0.3, (BOTTOM - 0.35 - diamonds - 0.3 - 0.25 * groups) / max(len(rows), 1))
    bottom = diamonds + 0.3 + row_h * len(rows) + 0.25 * groups
    for day, label in tl.ticks():
        c.line(x(day), axis + 0.3, x(day), bottom, RULE, 0.5)
        c.text(x(day) + 0.03, axis, 1.0, 0.3, [label], 8, MUTED)
    c.text(LEFT, diamonds - 0.15, x0 - LEFT - 0.1, 0.3, ["Milestones and gates"], 9, MUTED, bold=True)
    for m in tl.marks:
        cx = x(m.date)
        ly = diamonds - 0.25 - (m.lane + 1) * lane_h
        if m.lane >= 0:
            c.line(cx, ly + lane_h - 0.02, cx, diamonds - 0.09, RULE, 0.5)
        if m.baseline is not None:
            c.line(x(m.baseline), diamonds, cx, diamonds, "999999", 0.5)
            c.diamond(x(m.baseline), diamonds, 0.14, None, "999999")
        c.diamond(cx, diamonds, 0.18, GATE[m.status] if m.gate else GATE[None])
        if m.lane >= 0:
            c.text(x0 + span * m.label_at, ly, span * 0.3, lane_h, [m.text], 7.5, INK)
    y = diamonds + 0.3
    group = ""
    for name, s in rows:
        if name != group:
            c.text(LEFT, y, x0 - LEFT - 0.1, 0.25, [name], 9, MUTED, bold=True)
            c.line(LEFT, y + 0.02, x1, y + 0.02, RULE, 0.5)
            y += 0.25
            group = name
        c.text(LEFT + 0.1, y, x0 - LEFT - 0.2, row_h, [clip(s.label, chars(x0 - LEFT - 0.2, 8))], 8, INK)
        end = x(s.finish + dt.timedelta(days=1))
        c.rect(
            x(s.start),
            y + row_h * 0.2,
            max(end - x(s.start), 0.04),
            row_h * 0.6,
            "1F4E9A" if name == "Phases" else "6A9BD8",
        )
        y += row_h
    for r in tl.rules:
        color = TODAY if r.label == "Today" else CONTRACT
        c.line(x(r.date), axis + 0.3, x(r.date), bottom, color, 1.5)
        right = x(r.date) > x1 - 2.0  # a line near the end is labelled to its left
        at, align = (x(r.date) - 2.04, "right") if right else (x(r.date) + 0.04, "left")
        c.text(at, bottom + 0.02, 2.0, 0.3, [f"{r.label} {r.date}"], 8, color, bold=True, align=align)
    notes = []
    if tl.hidden_marks:
        notes.append(f"{tl.hidden_marks} more milestones and gates in the plan (the key dates page lists the gates)")
    unlabelled = sum(m.lane < 0 for m in tl.marks)
    if unlabelled:
        notes.append(f"{unlabelled} diamonds without room for a label")
    if tl.hidden_spans:
        notes.append(f"{tl.hidden_spans} more phases or waves")
    legend = "◆ gate: blue pending, green passed, red failed; grey milestone; hollow: the baseline's date"
    c.text(LEFT, BOTTOM - 0.05, WIDTH - 2 * LEFT, 0.3, fit("; ".join([legend, *notes]), WIDTH - 2 * LEFT, 8), 8, MUTED)


def _key_dates(pack: Pack, c: Canvas) -> None:
    _page(pack, c, "Key dates: most likely, P80 and baseline")
    widths = [4.6, 1.5, 1.5, 1.5, 1.5, 1.6]
    head = ["Key date", "ID", "Most likely", "P80", "Baseline", "Moved (days)"]
    body = [
        [
            f"{k.what}: {k.name}" if k.what != "Plan finish" else k.what,
            k.task,
            _day(k.most_likely),
            _day(k.p80),
            _day(k.baseline),
            f"{(k.most_likely - k.baseline).days:+d}" if k.baseline else "",
        ]
        for k in pack.key_dates
    ]
    c.table(LEFT, TOP, widths, cells([head, *body], widths, 11), 11, 0.34, table_fills(len(body), len(widths)))
    y = TOP + 0.34 * (len(body) + 1) + 0.25
    if pack.more_key_dates:
        c.text(
            LEFT, y, 12, 0.3, [f"{pack.more_key_dates} more gates in the plan; the report lists them all."], 10, MUTED
        )
        y += 0.35
    for line in (pack.contract or "No contract end set: the handover has no deadline.", pack.cost):
        if line:
            c.text(LEFT, y, WIDTH - 2 * LEFT, 0.55, fit(line, WIDTH - 2 * LEFT, 13, 2), 13)
            y += 0.6
    if not any(k.p80 for k in pack.key_dates):
        c.text(LEFT, y, 12, 0.3, ["No P80: give tasks three-point estimates for the schedule risk."], 10, MUTED)


def table_fills(rows: int, cols: int, marked: Sequence[Sequence[str | None]] = ()) -> list[list[str]]:
    """Every cell's colour for a table of `rows` body rows under a header: the header tint, white
    below, and the colours `marked` gives (row by row from the header, None for the default)."""
    out = [[HEADER] * cols] + [[WHITE] * cols for _ in range(rows)]
    for r, row in enumerate(marked):
        for k, colour in enumerate(row):
            if colour is not None:
                out[r][k] = colour
    return out


def _gates(pack: Pack, c: Canvas) -> None:
    _page(pack, c, "Gates coming up and decisions needed")
    widths = [2.6, 1.2, 0.9, 2.5, 0.8, 0.9]
    rows: list[list[str]] = [["Gate", "Date", "Status", "Criterion", "Target", "Actual"]]
    fills: list[list[str | None]] = [[None] * len(widths)]
    for g in pack.gates:
        shown = g.criteria[:4] or (("(no criteria)", "", "", "pending"),)
        for k, (kpi, target, actual, state) in enumerate(shown):
            first = k == 0
            rows.append(
                [
                    f"{g.id} {g.name}" if first else "",
                    _day(g.date) if first else "",
                    g.status if first else "",
                    kpi,
                    target,
                    actual or state,
                ]
            )
            colour = {"met": "DFF0D8", "missed": "F8D7DA"}.get(state)
            fills.append(
                [
                    None,
                    None,
                    {"failed": "F8D7DA", "overdue": "FCE8B2"}.get(g.status) if first else None,
                    None,
                    None,
                    colour,
                ]
            )
        if len(g.criteria) > 4:
            rows.append(["", "", "", f"+{len(g.criteria) - 4} more criteria", "", ""])
            fills.append([None] * len(widths))
    if len(rows) == 1:
        c.text(LEFT, TOP, 8.8, 0.4, ["No gate is pending: every gate this view shows has passed."], 12)
    else:
        c.table(LEFT, TOP, widths, cells(rows, widths, 9), 9, 0.27, table_fills(len(rows) - 1, len(widths), fills))
    x = LEFT + sum(widths) + 0.3
    w = WIDTH - LEFT - x
    c.text(x, TOP, w, 0.35, ["Decisions for this committee"], 13, bold=True)
    y = TOP + 0.45
    for d in pack.decisions or ("No decision is due.",):
        lines = fit(d, w - 0.2, 10, 3)
        c.text(x, y, w, 0.2 * len(lines) + 0.1, [f"• {lines[0]}", *(f"  {t}" for t in lines[1:])], 10)
        y += 0.2 * len(lines) + 0.2


def _risks(pack: Pack, c: Canvas) -> None:
    _page(pack, c, "Top risks")
    widths = [0.7, 3.3, 0.9, 0.5, 0.5, 0.6, 2.4]
    head = ["ID", "Risk", "Owner", "P", "I", "Score", "Schedule impact"]
    body = [
        [r.id, r.title, r.owner, r.probability or "", r.impact or "", r.score or "", r.schedule_impact]
        for r in pack.risks
    ]
    if body:
        c.table(LEFT, TOP, widths, cells([head, *body], widths, 9), 9, 0.42, table_fills(len(body), len(widths)))
        note = f"{pack.open_risks} open risks; the {len(body)} largest by score and expected delay."
        c.text(LEFT, TOP + 0.42 * (len(body) + 1) + 0.2, 8.9, 0.3, [note], 10, MUTED)
    else:
        c.text(LEFT, TOP, 8.9, 0.4, ["No open risk in this view's RAID log."], 12)
    cell, x0, y0 = 0.55, 10.0, TOP + 0.5
    c.text(x0 - 0.8, TOP, 3.55, 0.3, fit("Open risks by probability and impact", 3.55, 10), 10, bold=True)
    for p in range(5, 0, -1):
        for i in range(1, 6):
            score = p * i
            fill = "F4B6B6" if score >= 15 else "FBE3A6" if score >= 8 else "CDE8CF"
            x, y = x0 + (i - 1) * cell, y0 + (5 - p) * cell
            c.rect(x, y, cell, cell, fill, "FFFFFF")
            n = pack.heat[p - 1][i - 1]
            c.text(x, y + 0.12, cell, 0.3, [str(n) if n else ""], 12, bold=True, align="center")
        c.text(x0 - 0.3, y0 + (5 - p) * cell + 0.14, 0.25, 0.3, [str(p)], 9, MUTED, align="center")
    for i in range(1, 6):
        c.text(x0 + (i - 1) * cell, y0 + 5 * cell + 0.02, cell, 0.25, [str(i)], 9, MUTED, align="center")
    c.text(x0, y0 + 5 * cell + 0.3, 5 * cell, 0.3, ["impact →"], 9, MUTED, align="center")
    c.text(x0 - 0.8, y0 - 0.28, 1.2, 0.25, ["probability ↑"], 8, MUTED)


def _resources(pack: Pack, c: Canvas) -> None:
    _page(pack, c, "Resources: who is over-stretched, and when")
    if not pack.stretched:
        c.text(LEFT, TOP, 12, 0.4, ["No resource this view shows is asked for more than it has."], 12)
        return
    widths = [1.8, 1.3, 1.3, 0.9, 1.5, 3.2, 2.3]
    head = ["Resource", "From", "To", "Periods", "Peak / capacity", "Clashing tasks", "Levelling"]
    body = [
        [
            s.resource,
            _day(s.first),
            _day(s.last),
            s.periods,
            f"{s.peak:g} / {s.capacity:g}",
            ", ".join(s.tasks),
            s.levelled,
        ]
        for s in pack.stretched
    ]
    c.table(LEFT, TOP, widths, cells([head, *body], widths, 11), 11, 0.36, table_fills(len(body), len(widths)))
    if pack.levelled_note:
        y = TOP + 0.36 * (len(body) + 1) + 0.3
        c.text(LEFT, y, WIDTH - 2 * LEFT, 0.6, fit(pack.levelled_note, WIDTH - 2 * LEFT, 12, 2), 12)


def _trend(pack: Pack, c: Canvas) -> None:
    _page(pack, c, "The forecast's trend")
    trend = pack.trend
    if trend is None or not trend.points:
        msg = "The trend needs a saved plan: each saved revision keeps its forecast, and this page shows how it moved."
        c.text(LEFT, TOP, 12, 0.8, fit(msg, 12, 13, 2), 13)
        return
    series: list[list[dt.date | None]] = [
        [p.handover_p80 for p in trend.points],
        [p.handover_date for p in trend.points],
        [p.finish_p80 for p in trend.points],
        [p.finish for p in trend.points],
    ]
    days = [d for s in series for d in s if d is not None]
    lo, hi = min(days), max(days)
    pad = max((hi - lo).days // 10, 3)
    lo, hi = lo - dt.timedelta(days=pad), hi + dt.timedelta(days=pad)
    bx, by, bw, bh = LEFT + 1.3, TOP + 0.2, 6.6, 4.6

    def y(d: dt.date) -> float:
        return by + bh - bh * (d - lo).days / max((hi - lo).days, 1)

    n = len(trend.points)

    def x(k: int) -> float:
        return bx + (bw * (k + 0.5) / n)

    c.rect(bx, by, bw, bh, None, RULE)
    for k in range(5):
        d = lo + (hi - lo) * k / 4
        c.line(bx, y(d), bx + bw, y(d), RULE, 0.5)
        c.text(LEFT, y(d) - 0.12, 1.2, 0.25, [d.isoformat()], 8, MUTED, align="right")
    step = max(n // 8, 1)
    for k, p in enumerate(trend.points):
        if k % step == 0 or k == n - 1:
            c.text(
                x(k) - 0.5, by + bh + 0.05, 1.0, 0.25, [f"r{p.revision} {p.saved:%d %b}"], 7.5, MUTED, align="center"
            )
    for (_name, colour), values in zip(SERIES, series, strict=True):
        pts = [(x(k), y(d)) for k, d in enumerate(values) if d is not None]
        for (xa, ya), (xb, yb) in itertools.pairwise(pts):
            c.line(xa, ya, xb, yb, colour, 2.0)
        for xa, ya in pts:
            c.diamond(xa, ya, 0.1, colour)
    for k, (name, colour) in enumerate(SERIES):
        lx = bx + k * (bw / 4)
        c.rect(lx, by + bh + 0.4, 0.2, 0.12, colour)
        c.text(lx + 0.25, by + bh + 0.33, bw / 4 - 0.3, 0.25, [name], 8, INK)
    rx = bx + bw + 0.4
    w = WIDTH - LEFT - rx
    yy = TOP + 0.2
    for s in trend.sentences():
        lines = fit(s, w, 12, 3)
        c.text(rx, yy, w, 0.23 * len(lines) + 0.1, lines, 12)
        yy += 0.23 * len(lines) + 0.25
