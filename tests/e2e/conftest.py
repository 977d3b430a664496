"""Browser tests: the real app under `streamlit run`, driven in Debian's headless Chromium.

Follows Streamlit's own e2e set-up: a free loopback port, poll /_stcore/health, then wait for
the app to be idle (no script running, no skeleton) after every action. A failing test leaves a
screenshot in test-results/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, streamlit_app, wait_idle

RESULTS = ROOT / "test-results"
__all__ = ["free_port", "streamlit_app", "wait_idle"]

if not Path(CHROMIUM).exists():
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (make test installs it)", allow_module_level=True)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("data")
    os.environ["E2E_DB_URL"] = f"sqlite:///{data}/planner.db"  # tests that save plans for the app use it too
    with streamlit_app(data) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1500, "height": 1400}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(RESULTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
