"""The launcher: its socket fix (a server listening as Streamlit's does, on a socket made with
protocol 0, answers with Nagle's algorithm off once `tcp_nodelay()` is in place, and with it on
before) and the page it serves, which preloads the plan page's scripts."""

from __future__ import annotations

import asyncio
import asyncio.base_events
import json
import socket
from pathlib import Path

import pytest

from planner.ui import serve
from tests.conftest import run_in_own_loop


def _accepted_nodelay() -> int:
    """TCP_NODELAY of the server side of one connection to an asyncio server on a socket made the
    way Streamlit makes its own (`socket.socket(family=...)`, protocol 0)."""
    seen: list[int] = []

    async def run() -> None:
        listener = socket.socket(family=socket.AF_INET)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        while not seen:
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    run_in_own_loop(run, timeout=30)
    return seen[0]


def test_streamlits_kind_of_socket_gets_nodelay_only_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", serve.ASYNCIO_SET_NODELAY)
    assert _accepted_nodelay() == 0  # the delay the fix removes: asyncio leaves Nagle on
    serve.tcp_nodelay()
    assert _accepted_nodelay() != 0


def test_fix_leaves_other_sockets_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", serve.ASYNCIO_SET_NODELAY)
    serve.tcp_nodelay()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        asyncio.base_events._set_nodelay(udp)  # type: ignore[attr-defined]  # no TCP option on UDP: no error


def _streamlit_static() -> Path:
    from streamlit import file_util

    return Path(file_util.get_static_dir())


def test_plan_page_scripts_are_found_in_streamlits_manifest() -> None:
    """Each element the plan page draws is in the installed Streamlit's manifest (a rename in an
    upgrade fails here), and its script and what it imports are preloaded, none twice."""
    static = _streamlit_static()
    manifest = json.loads((static / "manifest.json").read_text(encoding="utf-8"))
    lazy = {manifest[key]["name"]: manifest[key]["file"] for key in manifest["index.html"]["dynamicImports"]}
    hrefs = serve.preloads(static)
    assert set(serve.PLAN_PAGE_ELEMENTS) <= set(lazy)
    assert {f"./{lazy[name]}" for name in serve.PLAN_PAGE_ELEMENTS} <= set(hrefs)
    assert len(hrefs) > len(serve.PLAN_PAGE_ELEMENTS)  # the elements' own imports too (vega, the grid's)
    index = (static / "index.html").read_text(encoding="utf-8")
    assert len(set(hrefs)) == len(hrefs) and not any(f'"{href}"' in index for href in hrefs)
    assert all((static / href).is_file() for href in hrefs)


def test_overlay_is_streamlits_folder_with_a_preloading_page(tmp_path: Path) -> None:
    """The overlay's page is Streamlit's with one preload line per script added to its head;
    every other entry is Streamlit's own file."""
    static = _streamlit_static()
    overlay = serve.static_overlay(static, tmp_path)
    index = (overlay / "index.html").read_text(encoding="utf-8")
    hrefs = serve.preloads(static)
    links = [f'    <link rel="modulepreload" crossorigin href="{href}">\n' for href in hrefs]
    head = index[: index.index("</head>")]
    assert all(link in head for link in links)
    assert "".join(line for line in index.splitlines(True) if line not in links) == (static / "index.html").read_text(
        encoding="utf-8"
    )
    script = next(href for href in hrefs if "ArrowVegaLiteChart" in href)
    assert (overlay / script).read_bytes() == (static / script).read_bytes()
    assert sorted(p.name for p in overlay.iterdir()) == sorted(p.name for p in static.iterdir())
    folder = static / "static" / "js"
    assert sorted(p.name for p in (overlay / "static" / "js").iterdir()) == sorted(p.name for p in folder.iterdir())


def test_overlay_grid_sends_an_edit_without_waiting(tmp_path: Path) -> None:
    """The installed Streamlit's grid script is the one expected (an upgrade that changes it fails
    here): in the overlay it differs from Streamlit's in the edit sync's wait alone, 150 ms -> 0."""
    static = _streamlit_static()
    overlay = serve.static_overlay(static, tmp_path)
    manifest = json.loads((static / "manifest.json").read_text(encoding="utf-8"))
    grid = manifest[serve.lazy_elements(manifest)["DataFrame"]]["file"]
    theirs, ours = (static / grid).read_bytes(), (overlay / grid).read_bytes()
    assert not (overlay / grid).is_symlink()
    start = next(i for i, (a, b) in enumerate(zip(theirs, ours, strict=False)) if a != b)
    assert theirs[start - 1 : start + 4] == b",150)" and ours[start - 1 : start + 2] == b",0)"
    assert theirs[start + 4 :] == ours[start + 2 :] and theirs[:start] == ours[:start]
    assert serve.grid_sync_sooner(ours.decode()) is None  # nothing left to change


def test_a_grid_script_that_is_not_the_expected_one_is_kept() -> None:
    """No edit sync, or two candidates, or a flush handed out under another name: unchanged."""
    sync = "{debouncedCallback:m,flush:h,cancel:g}=rn(p,150)"
    assert serve.grid_sync_sooner(f"a;{sync};return{{flushEditState:h,x:1}}") == (
        "a;{debouncedCallback:m,flush:h,cancel:g}=rn(p,0);return{flushEditState:h,x:1}"
    )
    assert serve.grid_sync_sooner("a;return{flushEditState:h,x:1}") is None
    assert serve.grid_sync_sooner(f"{sync};{sync};return{{flushEditState:h,x:1}}") is None
    assert serve.grid_sync_sooner(f"{sync};return{{flushEditState:q,x:1}}") is None
    assert serve.grid_sync_sooner(sync.replace("150", "300") + ";return{flushEditState:h,x:1}") is None


def test_overlay_react_starts_loading_the_plan_pages_elements(tmp_path: Path) -> None:
    """The installed Streamlit's React is the one expected (an upgrade that changes its `lazy`
    fails here): in the overlay it differs from Streamlit's in `lazy` alone, which names the
    plan page's elements' scripts and no other."""
    static = _streamlit_static()
    overlay = serve.static_overlay(static, tmp_path)
    manifest = json.loads((static / "manifest.json").read_text(encoding="utf-8"))
    changed = [
        f"static/js/{p.name}"
        for p in (overlay / "static" / "js").iterdir()
        if not p.is_symlink() and "DataFrame" not in p.name
    ]
    assert len(changed) == 1
    theirs, ours = (static / changed[0]).read_text(encoding="utf-8"), (overlay / changed[0]).read_text(encoding="utf-8")
    start = next(i for i, (a, b) in enumerate(zip(theirs, ours, strict=False)) if a != b)
    end = theirs.index("}}", start) + 2
    assert theirs[:start] == ours[:start] and theirs[end:] == ours[len(ours) - len(theirs) + end :]
    assert ".lazy=function(" in theirs[start - 40 : start]
    added = ours[start : len(ours) - len(theirs) + end]
    lazy = serve.lazy_elements(manifest)
    for name, key in lazy.items():
        assert (f"./{Path(manifest[key]['file']).name}" in added) == (name in serve.PLAN_PAGE_ELEMENTS), name
    assert serve.lazy_started(ours, ["./x.js"]) is None  # nothing left to change


def test_a_react_that_is_not_the_expected_one_is_kept() -> None:
    """No `lazy`, or two, or another shape: unchanged; the expected one starts the named loaders."""
    lazy = "e.lazy=function(e){return{$$typeof:d,_payload:{_status:-1,_result:e},_init:N}}"
    started = serve.lazy_started(f"a;{lazy},e.memo=1", ["./M.js"])
    assert started == (
        "a;e.lazy=function(e){var $lazy={$$typeof:d,_payload:{_status:-1,_result:e},_init:N};"
        'if(["./M.js"].some(function($file){return String(e).indexOf($file)>=0}))'
        "try{N($lazy._payload)}catch($loading){}return $lazy},e.memo=1"
    )
    assert serve.lazy_started("a;e.memo=1", ["./M.js"]) is None
    assert serve.lazy_started(f"{lazy};{lazy}", ["./M.js"]) is None
    assert serve.lazy_started(lazy.replace("_result:e", "_result:t"), ["./M.js"]) is None


def test_an_unexpected_static_folder_is_served_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No manifest (another Streamlit build): the server keeps Streamlit's own folder."""
    from streamlit import file_util

    (tmp_path / "index.html").write_text("<html><head></head></html>", encoding="utf-8")
    monkeypatch.setattr(file_util, "get_static_dir", lambda: str(tmp_path))
    serve.preload_plan_page()
    assert file_util.get_static_dir() == str(tmp_path)
