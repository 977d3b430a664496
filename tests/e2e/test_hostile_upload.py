"""Hostile uploads in a real browser: named messages, no traceback, plan text shown as text."""

from __future__ import annotations

from tests.e2e.conftest import wait_idle

BEACON = "http://127.0.0.1:9/beacon.png"


def _upload(page, app_url, name: str, content: str | bytes, mime: str = "application/yaml") -> None:
    page.goto(f"{app_url}/new")
    wait_idle(page)
    data = content.encode() if isinstance(content, str) else content
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    wait_idle(page)
    page.get_by_role("button", name="Open plan").click()
    wait_idle(page)


def test_upload_with_a_huge_duration_gets_a_named_message(page, app_url):
    """Tests the 72-byte upload that once took the server to 2 GB: a message naming the task and field."""
    _upload(page, app_url, "big.yaml", "name: P\nstart: 2027-01-04\ntasks:\n- {id: A, name: A, duration: 10000000}\n")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="was not opened").first
    alert.wait_for()
    assert "task A: duration: must be ≤ 5000" in alert.inner_text().replace("<=", "≤")
    assert page.locator('[data-testid="stException"]').count() == 0


def test_plan_text_is_shown_as_text_not_markdown(page, app_url):
    """Tests a plan whose name and task name are Markdown images and links: shown as written, no image
    fetched, no link made."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    name = f"![x]({BEACON}) [Re-login](https://example.org/login)"
    plan = (
        f'name: "{name}"\nstart: 2027-01-04\ntasks:\n'
        f'- {{id: A, name: "{name}", duration: 0}}\n- {{id: B, name: B, duration: 3, depends_on: [A]}}\n'
    )
    _upload(page, app_url, "md.yaml", plan)
    page.wait_for_url(lambda url: not url.rstrip("/").endswith("/new"))  # the plan page took over
    wait_idle(page)
    page.wait_for_selector('[data-testid="stMetric"]')
    assert page.locator("h1").first.inner_text().strip().replace("\u2060", "") == name  # joiners are invisible
    assert page.locator(f'img[src="{BEACON}"]').count() == 0
    assert page.locator('a[href="https://example.org/login"], a[href="http://127.0.0.1:9/beacon.png"]').count() == 0
    assert not [u for u in requests if "beacon.png" in u]
    assert page.locator('[data-testid="stException"]').count() == 0


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_workbooks_open_with_their_own_start_or_the_forms(page, app_url):
    """Tests issue 31 item 1 in the browser: the app's own workbook export opens with the plan's
    start; a bare task sheet (no Plan sheet) takes the start from the form; a workbook naming 4,000
    sheets is refused by name before it is read."""
    import io

    from openpyxl import Workbook

    from planner.formats.xlsx import to_xlsx
    from planner.scheduling import schedule
    from planner.ui import state
    from tests.test_hardening import many_sheets

    plan = state.example_plan()
    own = to_xlsx(schedule(plan))
    _upload(page, app_url, "own.xlsx", own, XLSX)
    page.wait_for_url(lambda url: not url.rstrip("/").endswith("/new"))
    wait_idle(page)
    assert page.locator("h1").first.inner_text().strip() == plan.name
    book = Workbook()
    book.active.append(["id", "name", "duration", "depends_on"])
    book.active.append(["A", "Kick-off", 3, ""])
    bare = io.BytesIO()
    book.save(bare)
    _upload(page, app_url, "bare.xlsx", bare.getvalue(), XLSX)
    page.wait_for_url(lambda url: not url.rstrip("/").endswith("/new"))
    wait_idle(page)
    assert page.locator("h1").first.inner_text().strip() == "bare"
    _upload(page, app_url, "sheets.xlsx", many_sheets(own), XLSX)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="was not opened").first
    alert.wait_for()
    assert "workbook: names 4,0" in alert.inner_text() and "the limit is 50" in alert.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
