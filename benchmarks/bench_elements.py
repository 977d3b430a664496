"""What elements an edit does not change cost its rerun, on the bare page, in headless Chromium.

`python benchmarks/bench_elements.py [TASKS]` (default 300) serves the floor page
(`benchmarks/floor_page.py`: a task grid and one Altair Gantt) with 40 unchanged figures added in
each of several layouts, before or after the grid and chart, and prints bench_browser.py's edit
time (the Enter that commits a duration to the first frame with the bar redrawn), median of RUNS
loads. Streamlit sends every element of a rerun as its own message, changed or not, and the page
handles each before the chart's redraw completes: this is the reproduction in docs/upstream.md,
and why the plan page keeps its blocks few. No budget.
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

from benchmarks.bench_browser import Page, bench_plan, edit, first_load  # noqa: E402
from planner.core.validate import parse_plan  # noqa: E402
from planner.formats.planfile import dump_yaml  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, streamlit_app  # noqa: E402

RUNS = 5
EDITS = 3  # per load; the second is timed (the first warms the page)
VARIANTS = (
    ("none", ()),
    ("40 metrics in rows of 4 columns (90 messages), before", ("40", "columns", "before")),
    ("the same, after the chart", ("40", "columns", "after")),
    ("40 metrics in 10 horizontal rows (50 messages), before", ("40", "rows", "before")),
    ("10 rows of 4 empty columns (50 messages), before", ("40", "blocks", "before")),
    ("40 figures in 10 st.html (10 messages), before", ("40", "html", "before")),
)


def main(n: int) -> None:
    from playwright.sync_api import sync_playwright

    plan = parse_plan(bench_plan(n))
    first = plan.tasks[0]
    times: dict[str, list[float]] = {name: [] for name, _ in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw, ExitStack() as servers:
        data = Path(tmp)
        (data / "plan.yaml").write_text(dump_yaml(plan), encoding="utf-8")
        urls = {}
        for k, (name, args) in enumerate(VARIANTS):
            (data / str(k)).mkdir()
            script_args = ("--", str(data / "plan.yaml"), *args)
            urls[name] = servers.enter_context(
                streamlit_app(data / str(k), echo_log=False, script="benchmarks/floor_page.py", args=script_args)
            )
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(RUNS):
            for name, _ in VARIANTS:  # alternating, so a slow spell of the machine hits them all
                info = Page(name, urls[name], f"{0:06d}|{first.name}", first.duration)
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
    print("| unchanged elements on the bare page | ms |")
    print("|---|---|")
    for name, _ in VARIANTS:
        print(f"| {name} | {statistics.median(times[name]) * 1000:.0f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
