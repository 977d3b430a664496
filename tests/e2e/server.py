"""The app under `streamlit run` on loopback, and waiting on it: shared by the browser tests and
the browser benchmark (benchmarks/bench_browser.py), so both measure the same app the same way.

Follows Streamlit's own e2e set-up: a free loopback port, poll /_stcore/health, then wait for the
app to be idle (no script running, no skeleton) after every action.
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
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def RESULTS_LOG(folder: Path) -> Path:
    return folder / "streamlit.log"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_app(
    data: Path,
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    port: int | None = None,
    echo_log: bool = True,
    root: Path = ROOT,
    script: str = "app.py",
) -> Iterator[str]:
    """`streamlit run SCRIPT` (app.py, as `make run` starts it) on a loopback port (a free one
    unless given) with its own database in `data`; yields the URL. `root` is the folder it runs
    from (its code and its .streamlit settings)."""
    port = port or free_port()
    db_url = f"sqlite:///{data}/planner.db"
    environ = {**os.environ, "PLANNER_DB_URL": db_url, "PYTHONPATH": str(root), **(env or {})}
    log = open(RESULTS_LOG(data), "w")  # noqa: SIM115 - closed at teardown; a PIPE nobody reads would fill
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
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
        cwd=root,
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
        if echo_log:
            print("streamlit log tail:\n" + Path(log.name).read_text(errors="replace")[-2000:])


def wait_idle(page: Any, timeout: int = 60_000) -> None:
    """Waits until Streamlit has finished the current run and drawn everything."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout)


DAYS_COLUMN = 6  # the task grid's Days column in the grid's accessible mirror (glide-cell-COLUMN-ROW)


def edit_first_row_days(page: Any, current: int, value: str, commit: bool = True, column: int = DAYS_COLUMN) -> None:
    """Types `value` into Days of the last grid's first row and commits it with Enter (unless
    `commit` is False: the caller presses Enter, e.g. to time the edit from there).

    Keyboard only, each step waited on, no coordinates: focusing a cell of the grid's accessible
    mirror (`glide-cell-COLUMN-ROW`, the grid then selects the first row's first cell; the second
    cell first, as the grid skips a focus of the cell it took the last one from), the arrow
    keys to the Days column with the mirror's aria-selected confirming each step, Enter, the cell
    editor holding the task's duration (`current`, so a wrong cell fails here), then the typed value.
    """
    grid = page.locator("[data-testid='stDataFrame']").last
    grid.scroll_into_view_if_needed()
    first = grid.locator('[data-testid="glide-cell-1-0"]')
    selected = grid.locator('[data-testid="glide-cell-1-0"][aria-selected="true"]')
    second = grid.locator('[data-testid="glide-cell-2-0"]')
    for attempt in range(3):  # a grid still mounting (after a view switch, on a loaded machine) can miss the focus
        # the grid ignores a focus of the mirror cell it last took a focus from: focus another one first
        second.focus()
        first.focus()
        try:
            selected.wait_for(state="attached", timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    for col in range(2, column + 1):
        page.keyboard.press("ArrowRight")
        grid.locator(f'[data-testid="glide-cell-{col}-0"][aria-selected="true"]').wait_for(state="attached")
    page.keyboard.press("Enter")
    editor = page.locator("input.gdg-input")
    editor.wait_for()
    if editor.input_value() != str(current):
        raise AssertionError(f"opened a cell holding {editor.input_value()!r}, not Days of the first row ({current})")
    editor.fill(value)
    page.wait_for_function("(v) => document.querySelector('input.gdg-input')?.value === v", arg=value)
    if commit:
        page.keyboard.press("Enter")


def download_from_menu(page: Any, menu: str, labels: Sequence[str]) -> dict[str, tuple[str, bytes]]:
    """Each `labels` button's file from the popover `menu` (opened for each): label -> (file name, bytes)."""
    got = {}
    for label in labels:
        page.get_by_role("button", name=menu).click()
        with page.expect_download() as info:
            page.get_by_role("button", name=label).click()
        got[label] = (info.value.suggested_filename, Path(info.value.path()).read_bytes())
        page.keyboard.press("Escape")
        wait_idle(page)
    return got
