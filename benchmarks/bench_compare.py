"""Options side by side: how long 12 template options take (each generated, scheduled and given a
2,000-run simulation), in the library and as `python -m planner compare` from a fresh process.

`python benchmarks/bench_compare.py` prints template -> median seconds of 5 runs, then the New plan
page in headless Chromium: from choosing a template to its table of 12 options on screen (each
template once per run, so no run is served from Streamlit's cache). Budget (this 2-core machine,
issue 14): the table of 12 options within 1 s, in the app and on the command line.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_cli import median_process_seconds  # noqa: E402
from planner.generate.catalogue import template_names  # noqa: E402
from planner.generate.options import options  # noqa: E402

WAVES, SHARES = (0, 1, 2, 3), (5, 10, 20)
START, CONTRACT_END = dt.date(2027, 1, 4), dt.date(2027, 8, 2)
BUDGET_S = 1.0
RUNS = 5
DRAWN = """(day) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning' || document.querySelector('[data-testid="stSkeleton"]')) {
    return false;
  }
  return [...document.querySelectorAll('[data-testid="stDataFrame"] td')].some(td => td.textContent === day);
}"""


def _library(name: str) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        options(name, WAVES, SHARES, start=START, contract_end=CONTRACT_END)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _command(name: str) -> float:
    argv = [sys.executable, "-m", "planner", "compare", "--template", name, "--start", START.isoformat()]
    argv += ["--waves", ",".join(map(str, WAVES)), "--pilot-share", ",".join(map(str, SHARES))]
    argv += ["--contract-end", CONTRACT_END.isoformat()]
    return median_process_seconds(argv, RUNS)


def _browser() -> float:
    """Median seconds from picking a template on New plan to its options table drawn (a new start
    date per run, so Streamlit's cache never answers)."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from planner.generate.catalogue import list_templates
    from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, streamlit_app, wait_idle

    titles = {t.name: t.title for t in list_templates()}
    times = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with streamlit_app(Path(tmp), echo_log=False) as url:
            for run in range(RUNS):
                page = browser.new_page(viewport={"width": 1500, "height": 1600})
                page.goto(f"{url}/new")
                wait_idle(page)
                page.locator("[data-testid='stDataFrame']").first.wait_for()
                for part, value in (("year", "2030"), ("month", "01"), ("day", f"{run + 1:02d}")):
                    page.get_by_role("spinbutton", name=f"{part}, Start", exact=True).click()
                    page.keyboard.type(value)
                page.keyboard.press("Escape")
                wait_idle(page)
                for name in ("ams", "vendor-exit"):
                    first = options(name, (0,), (5,), start=dt.date(2030, 1, run + 1))[0].finish
                    page.get_by_role("combobox", name="Template").click()
                    choice = page.get_by_role("option", name=titles[name])
                    choice.wait_for()
                    t = time.perf_counter()
                    choice.click()
                    page.wait_for_function(DRAWN, arg=first.isoformat(), polling="raf", timeout=60_000)
                    times.append(time.perf_counter() - t)
                page.close()
        browser.close()
    return statistics.median(times)


def main() -> None:
    print(f"12 options ({len(WAVES)} wave counts x {len(SHARES)} pilot shares), 2,000 runs each; median of {RUNS}")
    print("| template | library s | `planner compare` s (fresh process) |")
    print("|---|---|---|")
    worst = 0.0
    for name in template_names():
        lib, cmd = _library(name), _command(name)
        worst = max(worst, lib, cmd)
        print(f"| {name} | {lib:.2f} | {cmd:.2f} |")
    app = _browser()
    worst = max(worst, app)
    print(f"New plan page, template picked -> its 12 options drawn (Chromium, median of {2 * RUNS}): {app:.2f} s")
    print(f"budget {BUDGET_S:.1f} s: {'met' if worst <= BUDGET_S else 'NOT met'} (slowest {worst:.2f} s)")


if __name__ == "__main__":
    main()
