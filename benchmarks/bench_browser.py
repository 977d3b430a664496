"""The app as a user feels it, timed in headless Chromium (Playwright, Debian's chromium).

`python benchmarks/bench_browser.py [SIZES...]` (default 40 300 2000) saves a plan of each size
(random layered plans with three-point estimates and a deadline, so the status weighs a P80)
into a fresh SQLite store, starts the app as `make run` does (`python -m planner.ui.serve`) on
loopback, and prints, median of 5:

- first load: from the navigation to `/?plan=ID` in a new session to the first animation frame
  with the plan page drawn (Gantt on screen, key figures, no script running);
- edit -> redraw: from the Enter key event that commits a typed duration in the task grid to the
  first animation frame with the new plan finish in the key figures and the Gantt redrawn (the
  first phase's bar, which the edited task lengthens, describes its new end);
- edit -> idle: the same edit until the whole page is drawn and no script is running (the
  status line, whose P80 run comes last, included);
- report / PNG / SVG: from clicking the download to the file arriving.

Each run opens a new browser context (nothing cached: a first visit) and waits on about:blank until
the browser is idle before it navigates. Chromium 156 loads its omnibox popup's WebUI in every new
window, about 0.6 s of CPU on these two cores that a user's open window spent long before; when
it overlaps the measured load, first load reads 0.25-0.3 s more.

First load and edit -> redraw are timed in the page (`performance.now()` in the key event and in
the frame), so Playwright's own round trips are not counted; the same two as the driver sees them
(from the call that presses Enter to the wait returning) are printed below the table.

Budgets (this 2-core machine): first load <= 2 s at 300 tasks; edit -> redraw <= 0.5 s at 300
and <= 1.5 s at 2,000; each download <= 1 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.plans import layered_plan_data  # noqa: E402
from planner.charts.gantt_data import gantt_data  # noqa: E402
from planner.core.validate import parse_plan  # noqa: E402
from planner.scheduling import schedule  # noqa: E402
from planner.store.database import Store  # noqa: E402
from tests.e2e.server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    edit_first_row_days,
    streamlit_app,
    wait_idle,
)

RUNS = 5
BUDGET_S = {
    ("first load", 300): 2.0,
    ("edit -> redraw", 300): 0.5,
    ("edit -> redraw", 2000): 1.5,
    **{(what, n): 1.0 for what in ("report", "PNG", "SVG") for n in (40, 300, 2000)},
}
DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
  const gantt = document.querySelector('.st-key-gantt-frame [data-testid="stVegaLiteChart"]');
  if (!gantt || !gantt.querySelector('canvas, svg')) return false;
  window.__drawnAt ??= performance.now();
  return true;
}"""
FINISH_CHANGED = """(before) => [...document.querySelectorAll('[data-testid="stMetric"]')]
  .some(e => e.innerText.includes('Plan finish') && !e.innerText.includes(before))"""
# The Gantt is redrawn when the marks of the edited task (its row label) say something new: an
# edit that keeps the chart's drawing is drawn into the view on screen, others into a new one.
TASK_MARKS = """(label) => [...document.querySelectorAll('.st-key-gantt-frame [aria-label]')]
  .map(e => e.getAttribute('aria-label')).filter(a => a.includes('label: ' + label + ';')).join('\\n')"""
GANTT_CHANGED = f"""(label) => {{
  const marks = ({TASK_MARKS})(label);
  return marks !== '' && marks !== window.__ganttBefore;
}}"""
REMEMBER_GANTT = f"""(label) => {{
  window.__ganttBefore = ({TASK_MARKS})(label);
  window.__enterAt = undefined;
  window.__redrawnAt = undefined;
  document.addEventListener('keydown', (e) => {{ if (e.key === 'Enter') window.__enterAt ??= performance.now(); }},
                            {{capture: true, once: true}});
}}"""
REDRAWN = f"""([before, label]) => {{
  if (!({FINISH_CHANGED})(before) || !({GANTT_CHANGED})(label)) return false;
  window.__redrawnAt ??= performance.now();
  return true;
}}"""


def bench_plan(n: int) -> dict[str, Any]:
    """A layered plan with estimates on every task and a deadline, as a real plan has."""
    data = layered_plan_data(n, layer_size=max(5, n // 25))
    for t in data["tasks"]:
        d = t["duration"]
        t["estimate"] = [max(0, d - d // 4), d, d + d // 2 + 1]
    data["deadline"] = "2028-06-30"
    return data


def browser_cpu_seconds() -> float:
    """CPU time the browser's processes have used so far (Linux: /proc)."""
    ticks = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if Path(os.readlink(proc / "exe")).name != "chromium":
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def settled_page(context: Any) -> Any:
    """A page on about:blank in `context`, once the browser has used under 10% of a core for
    0.2 s (at most 10 s): the new window's own start is over, as in a user's open browser."""
    page = context.new_page()
    page.goto("about:blank")
    deadline = time.monotonic() + 10
    used = browser_cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = browser_cpu_seconds()
        if now - used < 0.02:
            break
        used = now
    return page


def _metric(page: Any, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _time(action: Callable[[], None], done: Callable[[], None]) -> float:
    t = time.perf_counter()
    action()
    done()
    return time.perf_counter() - t


def measure(browser: Any, url: str, first_days: int, first_row: str) -> dict[str, float]:
    loads, edits, idles = [], [], []
    seen: dict[str, list[float]] = {"load": [], "edit": []}
    downloads: dict[str, list[float]] = {"report": [], "PNG": [], "SVG": []}
    for run in range(RUNS):
        context = browser.new_context(viewport={"width": 1500, "height": 1400}, accept_downloads=True)
        page = settled_page(context)
        seen["load"].append(
            _time(lambda p=page: p.goto(url), lambda p=page: p.wait_for_function(DRAWN, timeout=120_000))
        )
        loads.append(page.evaluate("window.__drawnAt") / 1000)
        wait_idle(page)
        before = _metric(page, "Plan finish")
        edit_first_row_days(page, first_days, str(400 + 10 * run), commit=False)
        page.evaluate(REMEMBER_GANTT, first_row)
        t = time.perf_counter()
        page.keyboard.press("Enter")
        page.wait_for_function(REDRAWN, arg=[before, first_row], timeout=60_000)
        seen["edit"].append(time.perf_counter() - t)
        edits.append(page.evaluate("window.__redrawnAt - window.__enterAt") / 1000)
        page.wait_for_function(DRAWN, timeout=60_000)
        idles.append(time.perf_counter() - t)
        for what, label, in_menu in (
            ("report", "Report (HTML)", False),
            ("PNG", "Gantt PNG", True),
            ("SVG", "Gantt SVG", True),
        ):
            if in_menu:
                page.get_by_role("button", name="More formats").click()
            button = page.get_by_role("button", name=label)
            button.wait_for()
            t = time.perf_counter()
            with page.expect_download(timeout=60_000) as info:
                button.click()
            info.value.path()
            downloads[what].append(time.perf_counter() - t)
            if in_menu:
                page.keyboard.press("Escape")
            wait_idle(page)
        context.close()
    out = {
        "first load": statistics.median(loads),
        "edit -> redraw": statistics.median(edits),
        "edit -> idle": statistics.median(idles),
        "driver: first load": statistics.median(seen["load"]),
        "driver: edit -> redraw": statistics.median(seen["edit"]),
    }
    out.update({k: statistics.median(v) for k, v in downloads.items()})
    return out


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    from benchmarks.bench_cli import median_process_seconds

    # This VM's speed varies by half within an hour: the CLI benchmark's yardstick says how fast
    # it is today (0.33 s on a quiet day).
    yardstick = median_process_seconds([sys.executable, "-c", "import pandas"])
    print(f"yardstick: python -c 'import pandas' {yardstick:.2f} s (median of 5)\n")
    columns = ["first load", "edit -> redraw", "edit -> idle", "report", "PNG", "SVG"]
    print(f"| tasks | {' | '.join(c + ' s' for c in columns)} |")
    print("|---" * (len(columns) + 1) + "|")
    over = []
    driver = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        data = Path(tmp)
        store = Store(f"sqlite:///{data}/planner.db")
        ids = {n: store.save(parse_plan(bench_plan(n)), note="benchmark")[0] for n in sizes}
        store.close()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with streamlit_app(data, echo_log=False) as url:
            for n in sizes:
                plan = parse_plan(bench_plan(n))
                # the Gantt's first row: the first phase's bar, which the edited first task lengthens
                first_row = gantt_data(schedule(plan)).rows[0]["label"]
                row = measure(browser, f"{url}/?plan={ids[n]}", plan.tasks[0].duration, first_row)
                print(f"| {n:,} | " + " | ".join(f"{row[c]:.2f}" for c in columns) + " |", flush=True)
                driver.append(
                    f"{n:,} tasks: first load {row['driver: first load']:.2f} s, "
                    f"edit -> redraw {row['driver: edit -> redraw']:.2f} s"
                )
                over += [
                    f"{c} at {n}: {row[c]:.2f} s > {BUDGET_S[(c, n)]} s"
                    for c in columns
                    if (c, n) in BUDGET_S and row[c] > BUDGET_S[(c, n)]
                ]
        browser.close()
    after = median_process_seconds([sys.executable, "-c", "import pandas"])
    print(f"\nyardstick again at the end: {after:.2f} s")
    print("as the driver sees them: " + "; ".join(driver))
    print("budgets: " + ("all met" if not over else "OVER: " + "; ".join(over)))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [40, 300, 2_000])
