"""Starting the app: `python -m planner.ui.serve [options of streamlit run]` (what `make run` does).

Streamlit's server (uvicorn on asyncio) listens on a socket it makes itself with protocol 0, and
asyncio only turns Nagle's algorithm off (TCP_NODELAY) on sockets whose protocol reads as TCP. So
every connection keeps Nagle on: a response written as headers, then body waits for the browser's
delayed acknowledgement, 40 ms, before the body leaves. A first page load fetches about 150
script files six at a time, and took 2.0 s here instead of 1.55 s. `tcp_nodelay()` makes asyncio
set TCP_NODELAY on every TCP stream socket, whatever its protocol field says; the launcher calls
it before the server starts, and `app.py` calls it too, so `streamlit run app.py` gets it from the
first rerun on.

Streamlit's page loads the script of each kind of element when the first one arrives from the
server, so a first visit fetches and compiles about 80 files (2.8 MB) while the page waits. The
launcher serves Streamlit's own static folder through a folder of links whose index.html also
preloads (`<link rel="modulepreload">`) the scripts of the elements the plan page draws, read from
Streamlit's Vite manifest: the browser fetches and compiles them while the app's script runs.
A first load at 300 tasks took 60-210 ms less (loads in alternation, 10-14 each). Anything
unexpected in the manifest leaves Streamlit's folder as it is.

Streamlit's grid hands a committed edit to the server 150 ms after the Enter key (a debounce that
gathers a burst of cell edits, a paste say, into one rerun; a click outside the grid sends it at
once). In the overlay the grid's script waits no longer than the task in hand: a burst is still
one rerun, and an edit leaves the page 30-40 ms after Enter instead of 156-160 ms (300 tasks, four
edits each). A script that is not the one this expects is served as it is.

Each element's code is a React `lazy` component, which loads on its first render: until then
Streamlit shows a placeholder, and React reveals what has loaded no sooner than 0.3 s after the
last placeholder appeared, so a first load drew about ten placeholders and the page filled in
waves. In the overlay React's `lazy` starts loading the plan page's elements as soon as the page's
script defines them, while the page waits for the server: they render at once, without
placeholders. A first load at 300 tasks took 0.23-0.29 s less (loads in alternation, 12 each,
twice).
"""

from __future__ import annotations

import asyncio.base_events
import atexit
import json
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from planner.formats.fonts import use_fonts_in_memory
from planner.ui import page_files

APP = Path(__file__).resolve().parents[2] / "app.py"
ASYNCIO_SET_NODELAY = asyncio.base_events._set_nodelay  # type: ignore[attr-defined]  # asyncio's own


def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def tcp_nodelay() -> None:
    """Every asyncio TCP connection made from now on sends small writes at once."""
    asyncio.base_events._set_nodelay = _set_nodelay  # type: ignore[attr-defined]


# Streamlit's names (in its Vite manifest) for what the plan page draws: the Gantt, buttons,
# the view switch, toggles, the task grid, download buttons, the leave guard, key figures, the
# example's links to the next step and the Gantt's selectors. A name Streamlit no longer has is
# skipped.
PLAN_PAGE_ELEMENTS = (
    "ArrowVegaLiteChart",
    "Button",
    "ButtonGroup",
    "Checkbox",
    "DataFrame",
    "DownloadButton",
    "IFrame",
    "Metric",
    "Multiselect",
    "PageLink",
    "Selectbox",
)


def _manifest(static: Path) -> dict[str, Any]:
    return json.loads((static / "manifest.json").read_text(encoding="utf-8"))


def lazy_elements(manifest: Mapping[str, Any]) -> dict[str, str]:
    """The manifest's key of each element Streamlit's page loads on first use, by its name."""
    return {manifest[key].get("name"): key for key in manifest["index.html"].get("dynamicImports", [])}


def element_keys(manifest: Mapping[str, Any], elements: Iterable[str] = PLAN_PAGE_ELEMENTS) -> list[str]:
    """The manifest's keys of those of `elements` Streamlit loads on first use."""
    lazy = lazy_elements(manifest)
    return [lazy[name] for name in elements if name in lazy]


def preloads(static: Path, elements: Iterable[str] = PLAN_PAGE_ELEMENTS) -> list[str]:
    """The scripts `elements` import, as Streamlit's index.html links its own
    ("./static/js/NAME.HASH.js"), but for those it preloads already."""
    manifest = _manifest(static)
    todo = element_keys(manifest, elements)
    seen: set[str] = set()
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo += manifest[key].get("imports", [])
    index = (static / "index.html").read_text(encoding="utf-8")
    files = sorted(f"./{manifest[key]['file']}" for key in seen)
    return [f for f in files if f.endswith(".js") and f'"{f}"' not in index]


def with_preloads(index: str, hrefs: Iterable[str]) -> str:
    """`index` with a preload line per script before the line that closes its head."""
    at = index.rindex("\n", 0, index.index("</head>")) + 1
    links = "".join(f'    <link rel="modulepreload" crossorigin href="{href}">\n' for href in hrefs)
    return index[:at] + links + index[at:]


# The grid's edit sync in Streamlit's DataFrame script: `{debouncedCallback, flush, cancel} =
# useDebouncedCallback(syncEditState, 150)`, its flush handed out as `flushEditState`.
_GRID_SYNC = re.compile(r"(\{debouncedCallback:\w+,flush:(\w+),cancel:\w+\}=\w+\(\w+,)150\)")


def grid_sync_sooner(script: str) -> str | None:
    """The DataFrame `script` with its edit sync's 150 ms debounce made 0 ms (a burst of edits
    in one task is still one rerun); None when it is not the script this expects."""
    found = list(_GRID_SYNC.finditer(script))
    if len(found) != 1 or f"flushEditState:{found[0][2]}," not in script:
        return None
    match = found[0]
    return f"{script[: match.start()]}{match[1]}0){script[match.end() :]}"


# React's `lazy(load)` as Streamlit's bundle has it: `NS.lazy=function(load){return{...}}`.
_LAZY = re.compile(
    r"(\w+)\.lazy=function\((\w+)\)\{return(\{\$\$typeof:\w+,_payload:\{_status:-1,_result:\2\},_init:(\w+)\})\}"
)


def lazy_started(script: str, files: Iterable[str]) -> str | None:
    """React's `script` with its `lazy` starting at once to load each component whose loader
    imports one of `files` (a first render then finds it loaded, and draws no placeholder);
    None when it is not the script this expects."""
    found = list(_LAZY.finditer(script))
    if len(found) != 1:
        return None
    match = found[0]
    load, init = match[2], match[4]
    wanted = json.dumps(sorted(files))
    started = (
        f"{match[1]}.lazy=function({load}){{var $lazy={match[3]};"
        f"if({wanted}.some(function($file){{return String({load}).indexOf($file)>=0}}))"
        f"try{{{init}($lazy._payload)}}catch($loading){{}}return $lazy}}"
    )
    return f"{script[: match.start()]}{started}{script[match.end() :]}"


def _own_files(static: Path) -> dict[str, bytes]:
    """The overlay's own files by path in the folder, with their contents."""
    manifest = _manifest(static)
    index = (static / "index.html").read_text(encoding="utf-8")
    own = {"index.html": with_preloads(index, preloads(static)).encode()}
    grid = element_keys(manifest, ["DataFrame"])
    for key in grid:
        sooner = grid_sync_sooner((static / manifest[key]["file"]).read_text(encoding="utf-8"))
        if sooner is not None:
            own[manifest[key]["file"]] = sooner.encode()
    loaders = [f"./{Path(manifest[key]['file']).name}" for key in element_keys(manifest)]
    scripts = [manifest[key]["file"] for key in manifest["index.html"].get("imports", [])]
    started = {f: t for f in scripts if (t := lazy_started((static / f).read_text(encoding="utf-8"), loaders))}
    if len(started) == 1:  # React's chunk, and no other defining a `lazy` like it
        own |= {f: t.encode() for f, t in started.items()}
    return own


def _overlay(source: Path, into: Path, own: Mapping[str, bytes]) -> None:
    """`into` made `source`: a link to each entry but the files in `own`, written anew, and the
    folders that hold them, made anew."""
    for entry in source.iterdir():
        name = entry.name
        inside = {path[len(name) + 1 :]: body for path, body in own.items() if path.startswith(name + "/")}
        if name in own:
            (into / name).write_bytes(own[name])
        elif inside:
            (into / name).mkdir()
            _overlay(entry, into / name, inside)
        else:
            (into / name).symlink_to(entry)


def static_overlay(static: Path, into: Path) -> Path:
    """`into` made Streamlit's static folder: a link to each of its entries, an index.html that
    also preloads the plan page's scripts, the grid's script that sends an edit at once, and
    React's that starts loading the plan page's elements at once."""
    _overlay(static, into, _own_files(static))
    return into


def preload_plan_page() -> None:
    """Streamlit's server, once started, serves its page from an overlay that preloads the plan
    page's scripts, starts loading its elements at once and whose grid sends an edit at once (see
    the module docstring); the overlay goes when the process ends."""
    from streamlit import file_util

    static = Path(file_util.get_static_dir())
    into = Path(tempfile.mkdtemp(prefix="planner-static-"))
    atexit.register(shutil.rmtree, into, True)
    try:
        static_overlay(static, into)
    except (OSError, ValueError, KeyError, TypeError):
        return  # the manifest or folder is not what this expects: Streamlit's own page
    file_util.get_static_dir = lambda: str(into)


def main(argv: list[str] | None = None) -> None:
    """`streamlit run app.py` with `argv` as its options, TCP_NODELAY on from the first connection,
    the plan page's scripts preloaded and its elements loaded at once, the grid's edits sent at
    once, the first visit's files answered from memory and Liberation Sans drawn from memory in
    PNG and SVG files (planner/formats/fonts.py)."""
    tcp_nodelay()
    use_fonts_in_memory()
    preload_plan_page()
    page_files.serve_from_memory()
    from streamlit.web import cli

    cli.main.main(args=["run", str(APP), *(sys.argv[1:] if argv is None else argv)], prog_name="streamlit")


if __name__ == "__main__":
    main()
