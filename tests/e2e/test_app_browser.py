"""The app as a new user meets it, in headless Chromium."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from planner.charts.gantt_data import gantt_data
from planner.files import plan_from_bytes
from planner.formats.csvfile import milestones_csv
from planner.scheduling import schedule
from planner.ui import state
from tests.conftest import WORKBOOK_SHEETS
from tests.e2e.server import download_from_menu, edit_first_row_days, wait_idle


def wait_for_finish(page, finish: str) -> None:
    """Waits until the Plan finish key figure reads `finish`."""
    page.wait_for_function(
        "(v) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".some(e => e.innerText.includes('Plan finish') && e.innerText.includes(v))",
        arg=finish,
        timeout=15_000,
    )


def metric_value(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_landing_page_has_gantt_grid_download_and_no_exception(page, app_url):
    """Tests the first screen: a plan, its Gantt, the task grid, the milestone CSV download."""
    page.goto(app_url)
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_selector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    expected = schedule(state.example_plan())
    assert metric_value(page, "Plan finish") == expected.finish.isoformat()
    assert "This is an example plan" in page.locator(".st-key-example-banner").inner_text()
    with page.expect_download() as info:
        page.get_by_role("button", name="Milestone CSV").click()
    content = Path(info.value.path()).read_bytes().decode("utf-8")  # CRLF rows kept as written
    assert content == milestones_csv(expected)


FIRST_DAYS = state.example_plan().tasks[0].duration


def test_grid_edit_changes_plan_finish(page, app_url):
    """Tests typing a longer duration for a critical task into the grid: the finish moves."""
    page.goto(app_url)
    wait_idle(page)
    before = metric_value(page, "Plan finish")
    changed = (
        "(before) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".some(e => e.innerText.includes('Plan finish') && !e.innerText.includes(before))"
    )
    edit_first_row_days(page, FIRST_DAYS, "30")
    page.wait_for_function(changed, arg=before, timeout=15_000)
    wait_idle(page)
    after = metric_value(page, "Plan finish")
    assert after > before
    assert page.locator('[data-testid="stException"]').count() == 0


def test_pasted_durations_reach_the_plan_in_one_run(page, app_url):
    """Tests a paste of three durations down the Days column: the grid sends it at once, yet as
    one edit (one request to the server), and all three land in the plan."""
    plan = state.example_plan()
    days = {task.id: 20 + i for i, task in enumerate(plan.tasks[:3])}
    expected = schedule(plan.with_durations(days)).finish.isoformat()
    page.goto(app_url)
    wait_idle(page)
    edit_first_row_days(page, FIRST_DAYS, str(FIRST_DAYS), commit=False)
    page.keyboard.press("Escape")  # the Days cell of the first row selected, nothing typed
    page.evaluate(
        "() => { window.__sent = 0; const send = WebSocket.prototype.send;"
        " WebSocket.prototype.send = function (d) { window.__sent += 1; return send.call(this, d); }; }"
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("(text) => navigator.clipboard.writeText(text)", "\n".join(str(d) for d in days.values()))
    page.keyboard.press("Control+V")
    wait_for_finish(page, expected)
    wait_idle(page)
    assert page.evaluate("window.__sent") == 1
    assert metric_value(page, "Plan finish") == expected


def _day(utc: str) -> str:
    return dt.date.fromisoformat(utc[:10]).strftime("%d %B %Y")


def test_grid_edit_redraws_the_gantt_over_the_new_time_range(page, app_url):
    """Tests the Gantt after an edit that moves the finish months out: its time axis runs to the
    new end and the edited task's bar reaches it, drawn into the chart already on screen (an
    edit changes the chart's data alone, which Streamlit updates in place, faster than a new
    chart)."""
    plan = state.example_plan()
    first = plan.tasks[0]
    edited = gantt_data(schedule(plan.with_durations({first.id: 300})))
    page.goto(app_url)
    wait_idle(page)
    axis = ".st-key-gantt-frame [aria-label^='X-axis for a utc scale']"
    page.evaluate("() => { window.__svg = document.querySelector('.st-key-gantt-frame svg.marks'); }")
    edit_first_row_days(page, FIRST_DAYS, "300")
    span = f"{_day(edited.start)} to {_day(edited.end)}"
    page.wait_for_function(
        "([sel, span]) => document.querySelector(sel)?.getAttribute('aria-label').endsWith(span)",
        arg=[axis, span],
        timeout=15_000,
    )
    wait_idle(page)
    bar = next(r for r in edited.rows if r["id"] == first.id)
    labels = page.locator(f".st-key-gantt-frame [aria-label*='{bar['label']};']").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert any(f"Finish: {bar['finish']}" in label for label in labels), labels
    assert page.evaluate("() => document.querySelector('.st-key-gantt-frame svg.marks') === window.__svg")


def test_risk_view_runs_simulation_in_the_browser(page, app_url):
    """Tests the Risk view end to end: run the simulation, see P50/P80 beside the deterministic
    finish, the histogram and S-curve drawn, and the milestone percentile table."""
    page.goto(app_url)
    wait_idle(page)
    page.locator('[data-testid="stButtonGroup"] button').filter(has_text="Risk").first.click()
    wait_idle(page)
    page.get_by_role("button", name="Run simulation").click()
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert metric_value(page, "P80 finish") >= metric_value(page, "P50 finish")
    page.wait_for_selector("text=Milestones and gates")
    count = "(sel) => document.querySelectorAll(sel).length"
    # The plan's Gantt stays above the histogram and S-curve; the milestone and criticality tables.
    page.wait_for_function(f"({count})('[data-testid=\"stVegaLiteChart\"]') >= 3", timeout=30_000)
    page.wait_for_function(f"({count})('[data-testid=\"stDataFrame\"]') >= 2", timeout=30_000)


def test_report_from_the_app_draws_every_bar_and_diamond(page, app_url, tmp_path):
    """Tests the report the app hands out, opened offline: one bar per task with a duration and one
    diamond per milestone or gate (the app's report once drew phase bars only)."""
    page.goto(app_url)
    wait_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Report (HTML)").click()
    path = tmp_path / "report.html"
    path.write_bytes(Path(info.value.path()).read_bytes())
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.goto(path.as_uri())
    page.wait_for_selector('#gantt[data-drawn="yes"] svg', timeout=30_000)
    plan = state.example_plan()
    bars = page.locator("#gantt g.bars_marks > path").count()
    diamonds = page.locator("#gantt g.diamonds_marks > path").count()
    assert bars == sum(t.duration > 0 for t in plan.tasks)
    assert diamonds == sum(t.is_key_date for t in plan.tasks)
    assert page.locator("#gantt g.labels_marks > text").count() == diamonds


def test_excel_workbook_from_the_app_opens_with_the_schedule(page, app_url, tmp_path):
    """Tests the workbook under More formats: it opens in openpyxl with one Schedule row per task,
    typed dates, and the example's tasks on its Tasks sheet; it imports back with no start given."""
    import openpyxl

    page.goto(app_url)
    wait_idle(page)
    page.get_by_role("button", name="More formats").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Excel workbook").click()
    assert info.value.suggested_filename.endswith("-plan.xlsx")
    path = tmp_path / "plan.xlsx"
    path.write_bytes(Path(info.value.path()).read_bytes())
    book = openpyxl.load_workbook(path)
    plan = state.example_plan()
    assert book.sheetnames == WORKBOOK_SHEETS
    ids = [row[0] for row in book["Tasks"].iter_rows(min_row=2, values_only=True)]
    assert ids == [t.id for t in plan.tasks]
    start = book["Schedule"].cell(row=2, column=11)
    assert book["Schedule"].cell(row=1, column=11).value == "start" and start.is_date
    back = plan_from_bytes(path.read_bytes(), "plan.xlsx")
    assert back.start == plan.start and back.calendar == plan.calendar and len(back.tasks) == len(plan.tasks)


def test_steering_pack_from_the_plan_page_opens_in_its_readers(page, app_url, tmp_path):
    """Tests issue 29 in the app: the Steering pack menu hands out slides with the plan's timeline
    and key dates (python-pptx) and the same pages as a PDF (pypdf)."""
    from pptx import Presentation
    from pypdf import PdfReader

    page.goto(app_url)
    wait_idle(page)
    got = dict(download_from_menu(page, "Steering pack", ("Steering slides", "Steering PDF")).values())
    names = sorted(got)
    assert names[0].endswith("-steering.pdf") and names[1].endswith("-steering.pptx")
    plan = state.example_plan()
    deck = Presentation(io.BytesIO(got[names[1]]))
    texts = [s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame]
    assert len(deck.slides) == 7 and plan.name in texts and "Timeline" in texts
    pdf = PdfReader(io.BytesIO(got[names[0]]))
    assert len(pdf.pages) == 7 and "Key dates" in pdf.pages[2].extract_text()


def test_negative_days_are_listed_and_not_applied(page, app_url):
    """Tests typing -5 into Days: the value is refused with its row and field, the plan finish unchanged."""
    page.goto(app_url)
    wait_idle(page)
    before = metric_value(page, "Plan finish")
    edit_first_row_days(page, FIRST_DAYS, "-5")
    page.wait_for_selector("text=value is not applied", timeout=15_000)
    wait_idle(page)
    assert metric_value(page, "Plan finish") == before
    assert page.locator('[data-testid="stException"]').count() == 0


LEAVING = "() => !window.dispatchEvent(new Event('beforeunload', {cancelable: true}))"


def test_leaving_with_unsaved_edits_is_held_until_saved(page, app_url):
    """Tests the browser's leave guard: after an edit, leaving the page is held (the browser asks);
    after Save it is not, and the saved plan's id is in the address, so a reload reopens it."""
    page.goto(app_url)
    wait_idle(page)
    before = metric_value(page, "Plan finish")
    assert page.evaluate(LEAVING) is False
    edit_first_row_days(page, FIRST_DAYS, "30")
    page.wait_for_function("() => window.__plannerDirty === true", timeout=15_000)
    wait_idle(page)
    changed = metric_value(page, "Plan finish")
    assert changed != before and page.evaluate(LEAVING) is True
    page.locator(".st-key-save-plan button").click()
    page.wait_for_function("() => window.__plannerDirty === false", timeout=15_000)
    wait_idle(page)
    assert page.evaluate(LEAVING) is False
    page.wait_for_url("**/?plan=*")
    page.reload()
    wait_idle(page)
    assert metric_value(page, "Plan finish") == changed


def test_gantt_controls_rerun_the_gantt_alone(page, app_url):
    """Tests the Gantt fragment: colouring by owner (under Gantt options) draws a new Gantt, and
    nothing the server sends for it redraws the rest of the page (a whole-page rerun resends every
    small element, such as the save bar's "Not saved yet")."""
    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(_as_bytes(data))))
    page.goto(app_url)
    wait_idle(page)
    page.evaluate("() => { window.__svg = document.querySelector('.st-key-gantt-frame svg.marks'); }")
    frames.clear()
    page.get_by_role("button", name="Gantt options").click()
    page.get_by_role("combobox", name="Colour by").click()  # the select's own input, once the menu shows it
    page.get_by_role("option", name="Owner").click()
    page.wait_for_function(
        "() => { const s = document.querySelector('.st-key-gantt-frame svg.marks'); return !!s && s !== window.__svg; }"
    )
    wait_idle(page)
    legend = page.locator(".st-key-gantt-frame svg.marks").inner_html()
    assert "Owner" in legend and "vendor" in legend
    assert "colour by owner" in page.inner_text("body")  # the options in force, beside the closed menu
    assert frames and not any(b"Not saved yet" in f for f in frames)


def _as_bytes(data: str | bytes) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")


def test_new_plan_options_table_picks_and_creates_an_option(page, app_url):
    """Tests choosing a pilot and waves in the browser, by keyboard: selecting a row of the
    options table fills the form, a contract end adds the odds column and keeps the choice, and
    Create opens that plan with the handover held to the contract end."""
    from planner.generate.catalogue import next_monday
    from planner.generate.options import option

    page.goto(app_url + "/new")
    wait_idle(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    grid.locator('[data-testid="glide-cell-1-0"]').focus()  # the table's accessible mirror
    grid.locator('[data-testid="glide-cell-1-0"][aria-selected="true"]').wait_for(state="attached")
    for row in range(1, 8):  # down to row 8: 2 waves, 10% pilot
        page.keyboard.press("ArrowDown")
        grid.locator(f'[data-testid="glide-cell-1-{row}"][aria-selected="true"]').wait_for(state="attached")
    page.keyboard.press("Shift+Space")  # selects the row, as a click on it does
    share = page.get_by_role("spinbutton", name="Pilot share (%)")
    page.wait_for_function("(e) => e.value === '10'", arg=share.element_handle())
    assert page.get_by_role("spinbutton", name="Waves after the pilot").input_value() == "2"
    wait_idle(page)
    for part, value in (("year", "2027"), ("month", "12"), ("day", "31")):
        page.get_by_role("spinbutton", name=f"{part}, Contract end").click()
        page.keyboard.type(value)
    page.keyboard.press("Escape")
    page.locator("th", has_text="Meets contract end").wait_for(state="attached")
    wait_idle(page)
    expected = option(
        "service-desk", 2, 10, start=next_monday(), contract_end=next_monday().replace(year=2027, month=12, day=31)
    )
    assert page.locator("[data-testid='stDataFrame'] td", has_text=expected.p80.isoformat()).count() >= 1
    assert (
        share.input_value() == "10"
        and page.get_by_role("spinbutton", name="Waves after the pilot").input_value() == "2"
    )
    page.get_by_role("button", name="Create plan").click()
    page.get_by_text("a 10% pilot, then 2 waves (45% and 45%)").wait_for()
    wait_idle(page)
    assert metric_value(page, "Plan finish") == expected.finish.isoformat()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_resources_view_levels_the_plan_in_the_browser(page, app_url):
    """Tests the Resources view end to end on the example, which levels: the histograms draw, the
    over-allocation levelling resolves is listed, and the level switch, turned off, moves the plan
    finish to the one that ignores the people."""
    page.goto(app_url)
    wait_idle(page)
    page.locator('[data-testid="stButtonGroup"] button').filter(has_text="Resources").first.click()
    wait_idle(page)
    page.get_by_text("over-allocation without levelling").wait_for()
    page.wait_for_selector('[data-testid="stVegaLiteChart"] svg.marks >> nth=-1', state="attached")
    plan = state.example_plan()
    plain, levelled = schedule(plan, level=False), schedule(plan, level=True)
    assert plan.level and plain.finish < levelled.finish
    assert metric_value(page, "Plan finish") == levelled.finish.isoformat()
    assert metric_value(page, "Finish, levelled") == levelled.finish.isoformat()
    page.get_by_text("Level resources").click()
    page.wait_for_function(
        "(d) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".some(e => e.innerText.includes('Plan finish') && e.innerText.includes(d))",
        arg=plain.finish.isoformat(),
    )
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_an_edit_taken_as_typed_keeps_the_grid_and_a_view_switch_keeps_the_edit(page, app_url):
    """Tests the grid after a Days edit the plan takes as typed (no estimate to scale): the grid on
    screen is the same one (not rebuilt, so the user's place in it stays), the plan finish moves,
    and after switching to another view and back the grid shows the edited value, which a second
    edit starts from."""
    import os

    from planner.core.validate import parse_plan
    from planner.store.database import Store
    from tests.conftest import plan_data, task

    plan = parse_plan(plan_data(task("A", 5), task("B", 3, "A"), task("C", 2, "B")))
    store = Store(os.environ["E2E_DB_URL"])
    plan_id, _ = store.save(plan)
    store.close()
    page.goto(f"{app_url}/?plan={plan_id}")
    wait_idle(page)
    page.evaluate("() => { window.__grid = document.querySelector('[data-testid=stDataFrame] canvas'); }")
    finish = schedule(plan.with_durations({"A": 9})).finish.isoformat()
    edit_first_row_days(page, 5, "9", column=6)
    wait_for_finish(page, finish)
    wait_idle(page)
    assert page.evaluate("() => document.querySelector('[data-testid=stDataFrame] canvas') === window.__grid")
    # each view's own text waited on: the page reads as idle for a moment after a click, before its run starts
    for view, shown in (("Why critical?", "Why is this task where it is?"), ("Tasks", "Edit cells, add rows")):
        page.locator('[data-testid="stButtonGroup"] button').filter(has_text=view).first.click()
        page.get_by_text(shown).first.wait_for()
        wait_idle(page)
    edit_first_row_days(page, 9, "10")  # fails unless the grid shows the first edit
    wait_for_finish(page, schedule(plan.with_durations({"A": 10})).finish.isoformat())
