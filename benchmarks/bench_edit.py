"""Where a grid edit's time goes, in the app and in the floor, in headless Chromium.

`python benchmarks/bench_edit.py [SIZES...]` (default 300) loads each page as bench_browser.py does
and makes EDITS edits per load, and prints, from the Enter that commits a typed duration (page
time, medians over RUNS loads):

- sent: the grid sends the edit to the server (its commit debounce);
- chart at the network: Chromium records the first frame from the server carrying a Vega-Lite
  spec (its own record of websocket frames, through the DevTools protocol);
- chart handled: the page's script gets that frame;
- redrawn: the first animation frame whose Gantt marks for the edited row say something new
  (bench_browser.py's measure).

So "server" (network - sent) is the server's rerun up to the chart, the trip, and the time the
page's renderer takes to read the frame off its socket: Chromium records a frame when the page's
renderer takes it, so a page busy with the rerun's earlier messages records it late (the app's
server hands its chart to the socket 60-110 ms after the send at 300 tasks, and the record follows
about 100 ms later). "Page busy" (handled - network) is the rest of that wait, and "draw"
(redrawn - handled) the browser's work on the chart. No budget: bench_browser.py holds it; this
one says where to look.
"""

from __future__ import annotations

import base64
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_browser import Page, bench_plan, commit_edit, first_load, pages  # noqa: E402
from planner.core.validate import parse_plan  # noqa: E402
from planner.formats.planfile import dump_yaml  # noqa: E402
from planner.store.database import Store  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, streamlit_app, wait_idle  # noqa: E402

RUNS = 5
EDITS = 3
# Page time of every frame the page sends, and of each frame from the server that carries a spec.
FRAMES = """(() => {
  window.__frames = [];
  const Native = window.WebSocket;
  const spec = new TextEncoder().encode('"mark"');
  const carriesSpec = (bytes) => {
    outer: for (let i = 0; i + spec.length <= bytes.length; i++) {
      for (let j = 0; j < spec.length; j++) if (bytes[i + j] !== spec[j]) continue outer;
      return true;
    }
    return false;
  };
  class Watched extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (e.data instanceof ArrayBuffer && e.data.byteLength > 1000 && carriesSpec(new Uint8Array(e.data)))
          window.__frames.push(['chart', performance.now()]);
      });
    }
    send(data) { window.__frames.push(['sent', performance.now()]); return super.send(data); }
  }
  window.WebSocket = Watched;
})()"""


def watch_network(context: Any, page: Any) -> list[tuple[str, float]]:
    """Chromium's timestamps (s) of the page's websocket frames: each one sent, and each received
    one that carries a Vega-Lite spec."""
    frames: list[tuple[str, float]] = []
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on("Network.webSocketFrameSent", lambda e: frames.append(("sent", e["timestamp"])))

    def received(e: dict[str, Any]) -> None:
        data = e["response"]["payloadData"]
        if len(data) > 1000 and b'"mark"' in base64.b64decode(data):
            frames.append(("chart", e["timestamp"]))

    cdp.on("Network.webSocketFrameReceived", received)
    return frames


def one_edit(page: Any, info: Page, value: int, network: list[tuple[str, float]]) -> tuple[float, ...]:
    def watch() -> None:
        page.evaluate("() => { window.__frames = []; }")
        network.clear()

    commit_edit(page, info, value, before_enter=watch)
    wait_idle(page)
    r = page.evaluate("({enter: window.__enterAt, redrawn: window.__redrawnAt, frames: window.__frames})")
    sent = next(t for what, t in r["frames"] if what == "sent")
    chart = next((t for what, t in r["frames"] if what == "chart" and t > sent), float("nan"))
    net_sent = next(t for what, t in network if what == "sent")
    net_chart = next((t for what, t in network if what == "chart" and t > net_sent), float("nan"))
    at_network = sent + (net_chart - net_sent) * 1000
    return sent - r["enter"], at_network - r["enter"], chart - r["enter"], r["redrawn"] - r["enter"]


def measure(browser: Any, pages: list[Page]) -> dict[str, list[tuple[float, ...]]]:
    out: dict[str, list[tuple[float, ...]]] = {p.name: [] for p in pages}
    for run in range(RUNS):
        for info in pages if run % 2 == 0 else pages[::-1]:
            _, context, page = first_load(browser, info, init_script=FRAMES)
            network = watch_network(context, page)
            days = info.days
            for k in range(EDITS):
                value = 400 + 10 * run + k
                out[info.name].append(one_edit(page, Page(info.name, info.url, info.row, days), value, network))
                days = value
            context.close()
    return out


@contextmanager
def app_and_floor(data: Path, n: int) -> Iterator[list[Page]]:
    """The app (with the n-task benchmark plan saved) and the floor (with its file), both served
    from `data` while the block runs: the two pages measured, app first."""
    plan = parse_plan(bench_plan(n))
    store = Store(f"sqlite:///{data}/planner.db")
    plan_id = store.save(plan, note="benchmark")[0]
    store.close()
    (data / f"plan-{n}.yaml").write_text(dump_yaml(plan), encoding="utf-8")
    floor_data = data / f"floor-{n}"
    floor_data.mkdir()
    floor_args = ("--", str(data / f"plan-{n}.yaml"))
    with (
        streamlit_app(data, echo_log=False) as url,
        streamlit_app(floor_data, echo_log=False, script="benchmarks/floor_page.py", args=floor_args) as floor,
    ):
        yield list(pages(plan, f"{url}/?plan={plan_id}", floor))


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    print(f"# from the Enter, ms; median of {RUNS} loads, edit k of each load\n")
    print("| tasks | page | edit | sent | chart at the network | chart handled | redrawn | server | page busy | draw |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in sizes:
            with app_and_floor(Path(tmp), n) as pages:
                for name, edits in measure(browser, pages).items():
                    for k in range(EDITS):
                        s, w, c, r = (statistics.median(e[i] for e in edits[k::EDITS]) for i in range(4))
                        print(
                            f"| {n:,} | {name} | {k + 1} | {s:.0f} | {w:.0f} | {c:.0f} | {r:.0f} "
                            f"| {w - s:.0f} | {c - w:.0f} | {r - c:.0f} |"
                        )
        browser.close()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [300])
