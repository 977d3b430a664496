"""The app as a user feels it against the floor of its platform, in headless Chromium.

`python benchmarks/bench_browser.py [SIZES...]` (default 300 2000) saves a plan of each size
(random layered plans with three-point estimates and a deadline, so the status weighs a P80),
starts the app as `make run` does (`streamlit run app.py`) and, beside it, the floor: a bare
Streamlit + Altair page with the same rows (`benchmarks/floor_page.py`: the same task grid and
one Altair Gantt of the tasks' bars), both on loopback with the same settings. Loads of the two
alternate in one browser run, each in a new context (nothing cached: a first visit), and it
prints the median of RUNS each:

- first load: from the navigation to the first animation frame with the page drawn (its Gantt on
  screen, no script running, no placeholder);
- edit -> Gantt redrawn: from the Enter key that commits a typed duration in the grid's first row
  to the first animation frame whose Gantt marks for that row say something new;
- the app's downloads (report, PNG, SVG): from the click to the file arriving.

Both timings are taken in the page (`performance.now()`), so Playwright's round trips are not
counted. Each run waits on about:blank until the new window's own start is over (Chromium loads
its omnibox WebUI in every new window, 0.6 s of CPU that a user's open browser spent long before).

Budgets: first load and edit -> Gantt redrawn each <= 1.3 x the floor's at 300 and 2,000
tasks; each download <= 1 s. docs/performance.md quotes the tables.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.plans import layered_plan_data  # noqa: E402
from planner.charts.gantt_data import gantt_data  # noqa: E402
from planner.core.model import Plan  # noqa: E402
from planner.core.validate import parse_plan  # noqa: E402
from planner.formats.planfile import dump_yaml  # noqa: E402
from planner.scheduling import schedule  # noqa: E402
from planner.store.database import Store  # noqa: E402
from tests.e2e.server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    edit_first_row_days,
    streamlit_app,
    wait_idle,
)

RUNS = 6
RATIO_BUDGET = 1.3  # the app's first load and edit against the floor's
DOWNLOAD_BUDGET_S = 1.0
DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
  const gantt = document.querySelector('.st-key-gantt-frame [data-testid="stVegaLiteChart"]');
  if (!gantt || !gantt.querySelector('canvas, svg')) return false;
  window.__drawnAt ??= performance.now();
  return true;
}"""
# The Gantt is redrawn when the marks of the edited task's row (its label) say something new.
ROW_MARKS = """(label) => [...document.querySelectorAll('.st-key-gantt-frame [aria-label]')]
  .map(e => e.getAttribute('aria-label')).filter(a => a.includes('label: ' + label + ';')).join('\\n')"""
REMEMBER_GANTT = f"""(label) => {{
  window.__ganttBefore = ({ROW_MARKS})(label);
  window.__enterAt = undefined;
  window.__redrawnAt = undefined;
  document.addEventListener('keydown', (e) => {{ if (e.key === 'Enter') window.__enterAt ??= performance.now(); }},
                            {{capture: true, once: true}});
}}"""
REDRAWN = f"""(label) => {{
  const marks = ({ROW_MARKS})(label);
  if (marks === '' || marks === window.__ganttBefore) return false;
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


@dataclass(frozen=True)
class Page:
    """One of the two pages measured: its URL, the Gantt row the edit changes, the edited days."""

    name: str
    url: str
    row: str
    days: int


def pages(plan: Plan, app_url: str, floor_url: str) -> tuple[Page, Page]:
    """The app showing `plan` and the floor showing its file: the Gantt row an edit of the first
    task changes in each (the app's first group bar, the floor's first bar)."""
    first = plan.tasks[0]
    return (
        Page("app", app_url, gantt_data(schedule(plan)).rows[0]["label"], first.duration),
        Page("floor", floor_url, f"{0:06d}|{first.name}", first.duration),
    )


def first_load(browser: Any, page_info: Page, init_script: str | None = None) -> tuple[float, Any, Any]:
    """Seconds to the first frame with the page drawn; the context and page, left open.
    `init_script` runs in the page before its own scripts (bench_edit.py watches its frames)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1400}, accept_downloads=True)
    if init_script:
        context.add_init_script(init_script)
    page = settled_page(context)
    page.goto(page_info.url)
    page.wait_for_function(DRAWN, timeout=120_000)
    return page.evaluate("window.__drawnAt") / 1000, context, page


def commit_edit(page: Any, page_info: Page, value: int, before_enter: Callable[[], Any] | None = None) -> None:
    """Types `value` as the first row's days and commits it with Enter, returning once the Gantt
    shows it; `before_enter` runs just before the Enter (a benchmark starts its watch there)."""
    wait_idle(page)
    edit_first_row_days(page, page_info.days, str(value), commit=False)
    page.evaluate(REMEMBER_GANTT, page_info.row)
    if before_enter is not None:
        before_enter()
    page.keyboard.press("Enter")
    page.wait_for_function(REDRAWN, arg=page_info.row, timeout=120_000)


def edit(page: Any, page_info: Page, value: int) -> float:
    """Seconds from the Enter that commits a new duration to the first frame with the row's new marks."""
    commit_edit(page, page_info, value)
    seconds = page.evaluate("window.__redrawnAt - window.__enterAt") / 1000
    page.wait_for_function(DRAWN, timeout=120_000)
    return seconds


def downloads(page: Any) -> dict[str, float]:
    out = {}
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
        out[what] = time.perf_counter() - t
        if in_menu:
            page.keyboard.press("Escape")
        wait_idle(page)
    return out


def measure(browser: Any, app: Page, floor: Page) -> dict[str, Any]:
    """RUNS loads and edits of each page, alternating which goes first."""
    times: dict[str, list[float]] = {f"{p} {m}": [] for p in ("app", "floor") for m in ("load", "edit")}
    files: dict[str, list[float]] = {"report": [], "PNG": [], "SVG": []}
    for run in range(RUNS):
        for info in (app, floor) if run % 2 == 0 else (floor, app):
            seconds, context, page = first_load(browser, info)
            times[f"{info.name} load"].append(seconds)
            times[f"{info.name} edit"].append(edit(page, info, 400 + 10 * run))
            if info is app:
                for what, took in downloads(page).items():
                    files[what].append(took)
            context.close()
    return {k: statistics.median(v) for k, v in {**times, **files}.items()}


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"
    )
    print(f"# {machine}, {dt.date.today().isoformat()}, median of {RUNS} loads of each page\n")
    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        data = Path(tmp)
        store = Store(f"sqlite:///{data}/planner.db")
        plans = {n: parse_plan(bench_plan(n)) for n in sizes}
        ids = {n: store.save(plan, note="benchmark")[0] for n, plan in plans.items()}
        store.close()
        for n, plan in plans.items():
            (data / f"plan-{n}.yaml").write_text(dump_yaml(plan), encoding="utf-8")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        floor_data = data / "floor"
        floor_data.mkdir()
        with streamlit_app(data, echo_log=False) as url:
            for n, plan in plans.items():
                with streamlit_app(
                    floor_data,
                    echo_log=False,
                    script="benchmarks/floor_page.py",
                    args=("--", str(data / f"plan-{n}.yaml")),
                ) as floor_url:
                    results[n] = measure(browser, *pages(plan, f"{url}/?plan={ids[n]}", floor_url))
        browser.close()
    over = []
    for what, key in (("first load", "load"), ("edit -> Gantt redrawn", "edit")):
        print(f"## {what} (budget: the app <= {RATIO_BUDGET} x the floor)\n")
        print("| tasks | floor s | app s | app / floor |")
        print("|---|---|---|---|")
        for n, r in results.items():
            ratio = r[f"app {key}"] / r[f"floor {key}"]
            print(f"| {n:,} | {r[f'floor {key}']:.2f} | {r[f'app {key}']:.2f} | {ratio:.2f} |")
            if ratio > RATIO_BUDGET:
                over.append(f"{what} at {n:,}: {ratio:.2f} x the floor")
        print()
    print(f"## downloads from the app (budget: each <= {DOWNLOAD_BUDGET_S} s)\n")
    print("| tasks | report s | PNG s | SVG s |")
    print("|---|---|---|---|")
    for n, r in results.items():
        print(f"| {n:,} | {r['report']:.2f} | {r['PNG']:.2f} | {r['SVG']:.2f} |")
        over += [f"{w} at {n:,}: {r[w]:.2f} s" for w in ("report", "PNG", "SVG") if r[w] > DOWNLOAD_BUDGET_S]
    print("\nbudgets: " + ("all met" if not over else "OVER: " + "; ".join(over)))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [300, 2_000])
