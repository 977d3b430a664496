"""The steering pack (issue 29): slides and a PDF read back by independent readers (python-pptx,
pypdf), any plan size, hostile text, a party's view, and the forecast's trend over saved revisions."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_AUTO_SHAPE_TYPE, MSO_SHAPE_TYPE
from pptx.util import Emu
from pypdf import PdfReader

from benchmarks.plans import layered_plan_data
from planner.core.validate import parse_plan
from planner.formats.planfile import dump_yaml
from planner.generate.build import generate
from planner.pack.content import steering_pack
from planner.pack.layout import chars
from planner.pack.pdf import to_pdf
from planner.pack.slides import to_pptx
from planner.pack.timeline import MARKS
from planner.pack.trend import Forecast, last_committee, trend_of
from planner.scheduling import schedule
from planner.status import committed
from tests.conftest import party_plan, plan_data, task

HOSTILE = "=cmd|' /C calc'!A0 <script>alert(1)</script> &amp; {{x}} **bold** " + "very long words " * 30
PAGES = 7


def _generated(**kw):
    args = {"name": "service-desk", "waves": 2, "pilot_share": 15, "start": dt.date(2027, 1, 4)}
    return generate(**{**args, **kw}).plan


def _texts(deck) -> list[list[str]]:
    """Each slide's text: text boxes and table cells."""
    out = []
    for slide in deck.slides:
        found = []
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text:
                found.append(shape.text_frame.text)
            if shape.has_table:
                found += [cell.text for row in shape.table.rows for cell in row.cells if cell.text]
        out.append(found)
    return out


def _deck(data: bytes):
    return Presentation(io.BytesIO(data))


def _fits(deck) -> list[str]:
    """Each text line or cell that is longer than its box holds at its font size."""
    over = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                for para in shape.text_frame.paragraphs:
                    for run in para.runs:
                        if len(run.text) > chars(Emu(shape.width).inches, run.font.size.pt) + 1:
                            over.append(run.text)
            if shape.has_table:
                table = shape.table
                for row in table.rows:
                    for k, cell in enumerate(row.cells):
                        for para in cell.text_frame.paragraphs:
                            for run in para.runs:
                                if len(run.text) > chars(Emu(table.columns[k].width).inches - 0.1, run.font.size.pt):
                                    over.append(run.text)
    return over


def test_the_deck_is_native_editable_shapes_with_the_plans_figures():
    """Tests item 1: a deck of seven slides made of text boxes, shapes and tables (no pictures);
    the title carries the status the status line uses, the timeline a diamond per key date shown
    and the contract end as a line, the key dates the committed run's P80."""
    plan = _generated(contract_end=dt.date(2027, 12, 31))
    sched = schedule(plan)
    run = committed(plan, sched.network, sched if sched.levelling else None)
    pack = steering_pack(sched, run=run)
    deck = _deck(to_pptx(pack))
    assert len(deck.slides) == PAGES
    kinds = {shape.shape_type for slide in deck.slides for shape in slide.shapes}
    assert MSO_SHAPE_TYPE.PICTURE not in kinds and MSO_SHAPE_TYPE.TABLE in kinds
    texts = _texts(deck)
    title = " ".join(texts[0]).replace("\n", " ")
    assert plan.name in texts[0] and pack.status.rag.upper() in texts[0] and pack.status.reason in title
    diamonds = [
        s
        for s in deck.slides[1].shapes
        if s.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE and s.auto_shape_type == MSO_AUTO_SHAPE_TYPE.DIAMOND
    ]
    assert len(diamonds) == len(pack.timeline.marks) > 0
    assert "Contract end 2027-12-31" in texts[1]
    handover = plan.handover(sched.table["finish"].tolist())
    j = plan.ids.index(handover)
    assert handover in texts[2] and run.task_p80_dates[j].isoformat() in texts[2]
    assert any(t.startswith("Contract end 2027-12-31:") for t in texts[2])
    assert "Top risks" in texts[4] and "Resources: who is over-stretched, and when" in texts[5]
    assert not _fits(deck)


def test_the_pdf_is_the_same_pack_with_selectable_text_and_vector_charts():
    """Tests item 2: one page per slide, the same words, and no raster image on any page."""
    plan = _generated(contract_end=dt.date(2027, 12, 31))
    pack = steering_pack(schedule(plan))
    reader = PdfReader(io.BytesIO(to_pdf(pack)))
    assert len(reader.pages) == PAGES
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert plan.name in text and "Timeline" in text and "Key dates" in text and "Contract end 2027-12-31" in text
    for m in pack.timeline.marks:
        if m.lane >= 0:
            assert m.label in text
    assert all(not page.images for page in reader.pages)


def test_a_2000_task_plan_is_still_a_few_slides():
    """Tests item 4: the pack of a 2,000-task plan rolls up: seven slides, at most MARKS diamonds,
    a bounded key-dates table, every line within its box."""
    data = layered_plan_data(2_000, layer_size=80)
    for k, t in enumerate(data["tasks"]):
        t["phase"] = f"Phase {k % 15}"
        t["wave"] = k % 9
        if k % 40 == 0:
            t["duration"] = 0
            t["gate"] = {"criteria": [{"kpi": f"KPI {k}", "target": ">= 95%"}]}
    plan = parse_plan(data)
    pack = steering_pack(schedule(plan))
    assert len(pack.timeline.marks) <= MARKS and pack.timeline.hidden_marks > 0
    assert len(pack.timeline.phases) <= 12 and pack.timeline.hidden_spans == 3
    deck = _deck(to_pptx(pack))
    assert len(deck.slides) == PAGES and not _fits(deck)
    assert len(PdfReader(io.BytesIO(to_pdf(pack))).pages) == PAGES


def test_hostile_plan_text_is_cut_and_stays_text():
    """Tests item 4: plan text that looks like a formula, markup or a template is written as text,
    cut with an ellipsis where it is long, in the slides and in the PDF."""
    plan = parse_plan(
        plan_data(
            task("A", 3, name=HOSTILE, phase=HOSTILE, owner="client"),
            task("G", 0, "A", name=HOSTILE, gate={"criteria": [{"kpi": HOSTILE, "target": ">= 95%"}]}),
            name=HOSTILE[:200],
            raid=[{"id": "R1", "kind": "risk", "title": HOSTILE, "owner": HOSTILE[:40], "probability": 5, "impact": 5}],
        )
    )
    pack = steering_pack(schedule(plan))
    deck = _deck(to_pptx(pack))
    assert not _fits(deck)
    texts = [t for slide in _texts(deck) for t in slide]
    assert any(t.startswith("=cmd|' /C calc'!A0 <script>alert(1)</script>") for t in texts)
    assert any(t.endswith("…") for t in texts)
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(pack))).pages)
    assert "<script>alert(1)</script>" in pdf


def test_a_partys_pack_holds_only_what_it_may_see(tmp_path):
    """Tests item 4: the client's pack (slides and PDF, from the command line) names its own and
    joint work, every gate, its own risks, and nothing of the vendor's own tasks, phases or risks."""
    path = tmp_path / "p.yaml"
    path.write_text(dump_yaml(party_plan()))
    for fmt in ("pptx", "pdf"):
        out = tmp_path / f"client.{fmt}"
        res = subprocess.run(
            [sys.executable, "-m", "planner", "export", str(path), "--to", fmt, "--view", "client", "-o", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert res.returncode == 0, res.stderr
        if fmt == "pptx":
            text = "\n".join(t for slide in _texts(_deck(out.read_bytes())) for t in slide)
        else:
            text = "\n".join(p.extract_text() for p in PdfReader(str(out)).pages)
        assert "Client data late" in text and "Go-live gate" in text and "client view" in text
        assert "Vendor staffing gap" not in text and "Vendor build" not in text and "Vendor-only" not in text
    res = subprocess.run(
        [sys.executable, "-m", "planner", "export", str(path), "--to", "pptx"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 1 and "binary output (pptx) needs a file" in res.stderr


def _point(revision: int, saved: str, handover_p80: str, finish: str = "2027-09-01") -> Forecast:
    return Forecast(
        revision,
        dt.date.fromisoformat(saved),
        None,
        dt.date.fromisoformat(finish),
        None,
        "H",
        dt.date(2027, 8, 1),
        dt.date.fromisoformat(handover_p80),
    )


def test_the_trend_compares_with_the_forecast_at_the_last_committee():
    """Tests item 3's sentence: with a fortnightly Thursday committee, the latest forecast is
    compared with the one saved last before the last meeting (the plan starts on a Monday, so
    the meetings are 7 and 21 January, 4 and 18 February); without a cadence, with the revision before."""
    points = [
        _point(1, "2027-02-01", "2027-09-01"),
        _point(2, "2027-02-03", "2027-09-03"),  # before the meeting of Thu 2027-02-04
        _point(3, "2027-02-15", "2027-09-10"),
        _point(4, "2027-02-16", "2027-09-15"),
    ]
    plan = parse_plan(plan_data(task("H", 1), start="2027-01-04", steering={"every_weeks": 2, "weekday": "thu"}))
    assert last_committee(plan.steering, plan.start, dt.date(2027, 2, 16)) == dt.date(2027, 2, 4)
    trend = trend_of(points, plan)
    assert trend.since is not None and trend.since.revision == 2 and trend.committee == dt.date(2027, 2, 4)
    assert trend.sentences()[0] == (
        "P80 handover moved 12 days later since the last committee (2027-02-04, revision 2): now 2027-09-15."
    )
    plain = trend_of(points, parse_plan(plan_data(task("H", 1), start="2027-01-04")))
    assert plain.since.revision == 3 and plain.sentences()[0].startswith(
        "P80 handover moved 5 days later since revision 3"
    )
    assert trend_of(points[:1], plan).sentences()[0].startswith("No earlier revision")


def test_the_trend_is_computed_once_per_revision_and_kept(store, monkeypatch):
    """Tests item 3 on SQLite and PostgreSQL: each saved revision's forecast is the plan page's
    (its schedule and committed run), kept in the store; asking again computes nothing."""
    plan = _generated(contract_end=dt.date(2027, 12, 31))
    plan_id, _ = store.save(plan, note="first")
    slower = plan.with_durations({t.id: t.duration + 5 for t in plan.tasks if t.phase == "Knowledge transfer"})
    store.save(slower, plan_id, note="KT longer")
    steps = []
    trend = store.forecasts.trend(plan_id, progress=lambda done, of: steps.append((done, of)))
    assert steps == [(0, 2), (1, 2), (2, 2)]
    assert [p.revision for p in trend.points] == [1, 2]
    sched = schedule(slower)
    run = committed(slower, sched.network, sched if sched.levelling else None)
    latest = trend.points[-1]
    j = slower.ids.index(latest.handover)
    assert latest.finish == sched.finish and latest.handover_p80 == run.task_p80_dates[j]
    assert latest.handover_p80 > trend.points[0].handover_p80
    monkeypatch.setattr("planner.store.forecasts.forecast_of", lambda *a: pytest.fail("recomputed a kept forecast"))
    again = store.forecasts.trend(plan_id)
    assert again.points == trend.points
    pack = steering_pack(sched, trend=again)
    texts = _texts(_deck(to_pptx(pack)))
    moved = (latest.handover_p80 - trend.points[0].handover_p80).days
    assert f"P80 handover moved {moved} days later since revision 1" in " ".join(texts[6]).replace("\n", " ")


def test_the_report_carries_the_trend_in_the_full_view_only():
    """Tests item 3 in the report: the full view says what moved and lists each revision's dates
    beside a chart; a party's report leaves the trend out."""
    from planner.formats.report import report_html

    plan = party_plan()
    sched = schedule(plan)
    trend = trend_of([_point(1, "2027-02-01", "2027-09-01"), _point(2, "2027-02-08", "2027-09-04")], plan)
    full = report_html(sched, trend=trend)
    assert "<h2>Forecast trend</h2>" in full and "P80 handover moved 3 days later since revision 1" in full
    assert full.count("<tr><td>1</td><td>2027-02-01</td>") == 1 and 'vegaEmbed("#trend"' in full
    assert "Forecast trend" not in report_html(sched, view="client", trend=trend)
