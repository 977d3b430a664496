"""Share links and the HTML report in a real browser: read-only, nothing leaked, nothing executed."""

from __future__ import annotations

import io
import os

import pytest

from planner.formats.report import report_html
from planner.generate.build import build_plan
from planner.scheduling import schedule
from planner.store.database import Store
from tests.conftest import MONDAY
from tests.e2e.conftest import wait_idle
from tests.e2e.server import download_from_menu

HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


@pytest.fixture(scope="module")
def shared(app_url):
    """A hostile-named plan saved in the app's database, with a live and a revoked link."""
    store = Store(os.environ["E2E_DB_URL"])
    plan = build_plan("service-desk", waves=1, start=MONDAY, plan_name=f"ACME {HOSTILE}")
    plan_id, _ = store.save(plan)
    live = store.share_links.share(plan_id, "executive")
    vendor = store.share_links.share(plan_id, "vendor")
    revoked = store.share_links.share(plan_id, "full")
    store.share_links.revoke(revoked)
    return {"plan": plan, "live": live, "vendor": vendor, "revoked": revoked}


def _no_controls(page) -> None:
    """Nothing that edits, uploads or leads elsewhere; the one menu is the steering pack's downloads."""
    for test_id in ("stButton", "stFileUploader", "stSidebarNav", "stChatInput"):
        assert page.locator(f'[data-testid="{test_id}"]').count() == 0, test_id
    assert page.locator('[data-testid="stDataFrameGlideDataEditor"] [aria-readonly="false"]').count() == 0
    menus = page.locator('[data-testid="stPopover"]')
    assert menus.count() in (0, 1) and all("Steering pack" in t for t in menus.all_inner_texts())
    downloads = page.locator('[data-testid="stDownloadButton"]').all_inner_texts()
    assert all(("Steering slides" in t or "Steering PDF" in t) for t in downloads), downloads


def test_steering_pack_from_a_party_link_holds_only_that_partys_view(page, app_url, shared, tmp_path):
    """Tests issue 29 from a share link: the vendor's link hands out the steering slides and PDF
    of the vendor's view (read back by python-pptx and pypdf), the plan's name as plain text."""
    from pptx import Presentation
    from pypdf import PdfReader

    page.goto(f"{app_url}/?share={shared['vendor']}")
    wait_idle(page)
    got = {
        k: data
        for k, (_, data) in download_from_menu(page, "Steering pack", ("Steering slides", "Steering PDF")).items()
    }
    deck = Presentation(io.BytesIO(got["Steering slides"]))
    texts = [s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame]
    assert len(deck.slides) == 7 and any(t.startswith("ACME <img src=x") for t in texts)
    assert any("vendor view" in t for t in texts)
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(got["Steering PDF"])).pages)
    assert "vendor view" in pdf and "Timeline" in pdf
    client_only = [t.name for t in shared["plan"].tasks if t.owner == "client" and not t.is_key_date]
    assert client_only and not any(name in pdf for name in client_only if len(name) > 12)
    assert page.evaluate("() => window.__pwned") is None


@pytest.mark.parametrize("link", ["live", "vendor"])
def test_share_link_shows_read_only_plan_with_chart(page, app_url, shared, link):
    """Tests a live link: plan name shown as text, a chart, no edit or navigation controls, no script run."""
    page.goto(f"{app_url}/?share={shared[link]}")
    wait_idle(page)
    page.wait_for_selector('[data-testid="stVegaLiteChart"]')
    title = page.locator("h1").first.inner_text()
    assert HOSTILE in title
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator('[data-testid="stException"]').count() == 0
    _no_controls(page)


@pytest.mark.parametrize("token", ["revoked", "bogus"])
def test_bad_or_revoked_link_reveals_nothing(page, app_url, shared, token):
    """Tests that revoked and made-up tokens show only the plain not-valid page."""
    value = shared["revoked"] if token == "revoked" else "A" * 43
    page.goto(f"{app_url}/?share={value}")
    wait_idle(page)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "This link is not valid" in body
    assert "ACME" not in body and "SD01" not in body
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0
    _no_controls(page)


def test_html_report_opens_offline_with_chart_and_escapes_names(page, tmp_path):
    """Tests the HTML report from a file with all network blocked: chart drawn, no request, no script run."""
    plan = build_plan("contact-centre", waves=2, start=MONDAY, plan_name=f"CC {HOSTILE}")
    path = tmp_path / "report.html"
    path.write_text(report_html(schedule(plan)), encoding="utf-8")
    requests: list[str] = []

    def block(route):
        requests.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", block)
    page.goto(path.as_uri())
    page.wait_for_selector("#gantt svg", timeout=30_000)
    assert [u for u in requests if not u.startswith("file:")] == []
    assert HOSTILE in page.locator("h1").inner_text()
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#gantt svg text").count() > 20
