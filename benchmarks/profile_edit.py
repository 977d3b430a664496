"""Where the browser's time goes on a grid edit, in the app and in the floor, by part of the page.

`python benchmarks/profile_edit.py [SIZES...]` (default 300) loads each page as bench_browser.py
does, makes one edit to warm it up, then samples the page's main thread with Chromium's profiler
(through the DevTools protocol) from the Enter to the redrawn Gantt of EDITS more edits, and
prints the milliseconds per edit spent in:

- Vega: Vega, Vega-Lite and Streamlit's chart element (the Gantt's update and redraw);
- React: React and its style library, outside the chart and the grid (Streamlit's other
  elements, each re-rendered on a rerun);
- grid: the data editor;
- other script, native (style, layout, paint and the browser's own work), idle and garbage
  collection.

A sample belongs to the first of Vega, grid and React found on its stack, by the name of the
Streamlit bundle its code came from (checked on Streamlit 1.67.0). The profiler slows the page,
so compare the two pages, not these figures with bench_edit.py's. No budget: this says where to
look.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_browser import Page, commit_edit, first_load  # noqa: E402
from benchmarks.bench_edit import app_and_floor  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

EDITS = 4
PARTS = ("Vega", "React", "grid", "other script", "native", "idle", "GC")
BUNDLES = {
    "Vega": ("embed.", "vega-", "ArrowVegaLiteChart", "loadVegaEmbed"),
    "grid": ("DataFrame.", "data-grid", "number-overlay-editor"),
    "React": ("react-dom", "emotion", "styled-components"),
}
NATIVE = {"(program)": "native", "(idle)": "idle", "(garbage collector)": "GC"}


def _parts(profile: dict[str, Any]) -> Counter[str]:
    """Milliseconds of a CPU profile by part of the page."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", ())}
    memo: dict[int, str] = {}

    def part(node_id: int) -> str:
        if node_id in memo:
            return memo[node_id]
        name = nodes[node_id]["callFrame"]["functionName"]
        if name in NATIVE:
            memo[node_id] = NATIVE[name]
            return memo[node_id]
        files = []
        at: int | None = node_id
        while at is not None:
            files.append(nodes[at]["callFrame"]["url"].rsplit("/", 1)[-1])
            at = parent.get(at)
        found = (p for p, marks in BUNDLES.items() if any(m in f for f in files for m in marks))
        memo[node_id] = next(found, "other script")
        return memo[node_id]

    out: Counter[str] = Counter()
    for sample, micros in zip(profile["samples"], profile["timeDeltas"], strict=True):
        out[part(sample)] += micros / 1000
    return out


def profile_page(browser: Any, info: Page) -> Counter[str]:
    """Milliseconds per edit by part of the page, over EDITS edits after a first one."""
    _, context, page = first_load(browser, info)
    cdp = context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    total: Counter[str] = Counter()
    days = info.days
    for k in range(EDITS + 1):
        value = 500 + k
        start = (lambda: cdp.send("Profiler.start")) if k else None
        commit_edit(page, replace(info, days=days), value, before_enter=start)
        if k:
            total += _parts(cdp.send("Profiler.stop")["profile"])
        days = value
    context.close()
    return Counter({p: ms / EDITS for p, ms in total.items()})


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    print(f"# ms per edit, from the Enter to the redrawn Gantt, mean of {EDITS} profiled edits\n")
    print(f"| tasks | page | {' | '.join(PARTS)} |")
    print(f"|---|---|{'---|' * len(PARTS)}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in sizes:
            with app_and_floor(Path(tmp), n) as pages:
                for info in pages:
                    ms = profile_page(browser, info)
                    print(f"| {n:,} | {info.name} | {' | '.join(f'{ms[p]:.0f}' for p in PARTS)} |")
        browser.close()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [300])
