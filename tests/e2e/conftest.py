"""Browser tests: the real app under `streamlit run`, driven in Debian's headless Chromium.

Follows Streamlit's own e2e set-up: a free loopback port, poll /_stcore/health, then wait for
the app to be idle (no script running, no skeleton) after every action. A failing test leaves a
screenshot in test-results/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium")
RESULTS = ROOT / "test-results"

if not Path(CHROMIUM).exists():
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (make test installs it)", allow_module_level=True)


def RESULTS_LOG(folder: Path) -> Path:
    return folder / "streamlit.log"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_app(
    data: Path, args: Sequence[str] = (), env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[str]:
    """`streamlit run app.py` on a loopback port (a free one unless given) with its own database in
    `data`; yields the URL."""
    port = port or free_port()
    db_url = f"sqlite:///{data}/planner.db"
    environ = {**os.environ, "PLANNER_DB_URL": db_url, "PYTHONPATH": str(ROOT), **(env or {})}
    log = open(RESULTS_LOG(data), "w")  # noqa: SIM115 - closed at teardown; a PIPE nobody reads would fill
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *args,
        ],
        cwd=ROOT,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode() == "ok":
                    break
        except OSError:
            try:  # wait on the server process itself: a crash ends the wait at once
                proc.wait(timeout=0.3)
                break
            except subprocess.TimeoutExpired:
                continue
    else:
        proc.kill()
        log.close()
        raise RuntimeError("streamlit did not start:\n" + Path(log.name).read_text(errors="replace")[-3000:])
    if proc.poll() is not None:
        log.close()
        raise RuntimeError("streamlit exited at start:\n" + Path(log.name).read_text(errors="replace")[-3000:])
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        print("streamlit log tail:\n" + Path(log.name).read_text(errors="replace")[-2000:])


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
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
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


def wait_idle(page, timeout: int = 60_000) -> None:
    """Waits until Streamlit has finished the current run and drawn everything."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout)
