"""What the parts of a page cost a grid edit, on the bare page, in headless Chromium.

`python benchmarks/bench_elements.py [TASKS]` (default 300) serves the floor page
(`benchmarks/floor_page.py`: a task grid and one Altair Gantt) as it is, with 40 unchanged figures
added in several layouts (before or after the grid and chart), and with the app's Gantt in place
of its chart (`benchmarks/gantt_page.py`), and prints bench_browser.py's edit time (the Enter that
commits a duration to the first frame with the row's bar redrawn), median of RUNS loads.

Streamlit sends every element of a rerun as its own message, changed or not, and the page handles
each before the chart's redraw completes: the figures' rows are the reproduction in
docs/upstream.md, and why the plan page keeps its blocks few. The Gantt's row says what the app's
Gantt costs by itself. No budget.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_browser import bench_plan, edit, first_load, pages  # noqa: E402
from planner.core.validate import parse_plan  # noqa: E402
from planner.formats.planfile import dump_yaml  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, streamlit_app  # noqa: E402

RUNS = 5
EDITS = 3  # per load; the second is timed (the first warms the page)
FLOOR, GANTT = "benchmarks/floor_page.py", "benchmarks/gantt_page.py"
VARIANTS = (  # what the row says, the page, its arguments after the plan
    ("the bare page as it is", FLOOR, ()),
    ("40 metrics in rows of 4 columns (90 messages), before the grid", FLOOR, ("40", "columns", "before")),
    ("the same, after the chart", FLOOR, ("40", "columns", "after")),
    ("40 metrics in 10 horizontal rows (50 messages), before the grid", FLOOR, ("40", "rows", "before")),
    ("10 rows of 4 empty columns (50 messages), before the grid", FLOOR, ("40", "blocks", "before")),
    ("40 figures in 10 st.html (10 messages), before the grid", FLOOR, ("40", "html", "before")),
    ("the app's Gantt in place of the one-layer chart", GANTT, ()),
)


def main(n: int) -> None:
    from playwright.sync_api import sync_playwright

    plan = parse_plan(bench_plan(n))
    app_gantt, floor_chart = pages(plan, "", "")  # the row an edit changes in each drawing
    times: dict[str, list[float]] = {name: [] for name, _, _ in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw, ExitStack() as servers:
        data = Path(tmp)
        (data / "plan.yaml").write_text(dump_yaml(plan), encoding="utf-8")
        urls = {}
        for k, (name, script, args) in enumerate(VARIANTS):
            (data / str(k)).mkdir()
            script_args = ("--", str(data / "plan.yaml"), *args)
            urls[name] = servers.enter_context(
                streamlit_app(data / str(k), echo_log=False, script=script, args=script_args)
            )
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(RUNS):
            for name, script, _ in VARIANTS:  # alternating, so a slow spell of the machine hits them all
                info = replace(app_gantt if script == GANTT else floor_chart, name=name, url=urls[name])
                _, context, page = first_load(browser, info)
                days = info.days
                for k in range(EDITS):
                    took = edit(page, replace(info, days=days), 700 + k)
                    days = 700 + k
                    if k == 1:
                        times[name].append(took)
                context.close()
        browser.close()
    print(f"# {n} tasks, edit -> Gantt redrawn, median of {RUNS} loads\n")
    print("| the bare page (grid and chart) | ms |")
    print("|---|---|")
    for name, _, _ in VARIANTS:
        print(f"| {name} | {statistics.median(times[name]) * 1000:.0f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
