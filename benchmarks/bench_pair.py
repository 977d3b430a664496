"""Two versions of the app side by side: first load (and, with --edits, edit -> redraw) of each,
measured in alternation in one run.

`python benchmarks/bench_pair.py OTHER [THIS] [--tasks N] [--loads N] [--edits]` starts the app
from two checkouts (`git worktree add /tmp/old COMMIT` makes one), each as `make run` does, from
its own folder with its own settings and a fresh SQLite store, and loads the same plan in each in
turn: A, B, B, A, A, B... This VM's speed varies by half within an hour, so a single run of
`bench_browser.py` before a change and one after compare two moments more than two versions;
pairs in alternation compare versions. The server started first loads its page about 0.2 s
slower than the other (the same code in both: 3.11 s and 2.89 s, and 3.77 s and 3.58 s with the
order reversed; why is not known), so the loads are made in two rounds, the servers started
A, B in the first and B, A in the second. Medians of 10 still differ by about 0.1 s between runs
here: trust differences of 0.2 s or more, or repeat.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_browser import DRAWN, REDRAWN, REMEMBER_GANTT, _metric, bench_plan, settled_page  # noqa: E402
from planner.charts.gantt_data import gantt_data  # noqa: E402
from planner.schedule import schedule  # noqa: E402
from planner.store import Store  # noqa: E402
from planner.validate import parse_plan  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, edit_first_row_days, streamlit_app, wait_idle  # noqa: E402


def _save(data: Path, plan: dict) -> str:
    """`plan` saved in a fresh store in `data`; its id."""
    store = Store(f"sqlite:///{data}/planner.db")
    plan_id = store.save(parse_plan(plan), note="benchmark")[0]
    store.close()
    return plan_id


def _round(
    pw: Any,
    order: tuple[str, str],
    checkouts: dict[str, Path],
    data: dict,
    opts: argparse.Namespace,
    times: dict[str, dict[str, list[float]]],
) -> None:
    """Servers started in `order`, then loads (and edits) of each in alternation, one warm-up each."""
    plan = parse_plan(data)
    first_row = gantt_data(schedule(plan)).rows[0]["label"]
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as servers:
        urls = {}
        for key in order:
            folder = Path(tmp) / key
            folder.mkdir()
            plan_id = _save(folder, data)
            url = servers.enter_context(streamlit_app(folder, echo_log=False, root=checkouts[key]))
            urls[key] = f"{url}/?plan={plan_id}"
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for turn in range(opts.loads // 2 + 1):
                for key in ("A", "B") if turn % 2 else ("B", "A"):
                    context = browser.new_context(viewport={"width": 1500, "height": 1400})
                    page = settled_page(context)
                    page.goto(urls[key])
                    page.wait_for_function(DRAWN, timeout=120_000)
                    if turn:  # the first of each warms its server up
                        times["loads"][key].append(page.evaluate("window.__drawnAt") / 1000)
                    if turn and opts.edits:
                        wait_idle(page)
                        before = _metric(page, "Plan finish")
                        edit_first_row_days(page, plan.tasks[0].duration, str(400 + 10 * turn), commit=False)
                        page.evaluate(REMEMBER_GANTT, first_row)
                        page.keyboard.press("Enter")
                        page.wait_for_function(REDRAWN, arg=[before, first_row], timeout=60_000)
                        times["edits"][key].append(page.evaluate("window.__redrawnAt - window.__enterAt") / 1000)
                    context.close()
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the checkout to compare with (A)")
    parser.add_argument("this", type=Path, nargs="?", default=ROOT, help="this checkout (B)")
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--loads", type=int, default=10, help="loads of each (half in each round), after warm-ups")
    parser.add_argument("--edits", action="store_true", help="also time an edit after each load")
    opts = parser.parse_args()
    from playwright.sync_api import sync_playwright

    checkouts = {"A": opts.other.resolve(), "B": opts.this.resolve()}
    data = bench_plan(opts.tasks)
    times: dict[str, dict[str, list[float]]] = {"loads": {"A": [], "B": []}, "edits": {"A": [], "B": []}}
    with sync_playwright() as pw:
        for order in (("A", "B"), ("B", "A")):
            _round(pw, order, checkouts, data, opts, times)
    loads, edits = times["loads"], times["edits"]
    print(f"{opts.tasks:,} tasks, {len(loads['A'])} loads each, in alternation, in two rounds")
    for key, checkout in checkouts.items():
        line = f"{key} {checkout}: first load median {statistics.median(loads[key]):.2f} s"
        line += f", mean {statistics.mean(loads[key]):.2f} s"
        if opts.edits:
            line += f"; edit -> redraw median {statistics.median(edits[key]):.2f} s"
        print(line)


if __name__ == "__main__":
    main()
