"""The page's files answered from memory: every answer is the one Streamlit's own handler gives,
and whatever memory does not hold as it is goes to that handler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from planner.ui import page_files
from tests.conftest import run_in_own_loop


def _static() -> Path:
    from streamlit import file_util

    return Path(file_util.get_static_dir())


def _streamlits_handler(static: Path) -> Any:
    from streamlit.web.server.starlette.starlette_static_routes import create_streamlit_static_handler

    return create_streamlit_static_handler(directory=str(static), base_url=None)


class _Counted:
    """An ASGI app that counts the requests it is handed before passing them on."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await self.app(scope, receive, send)


def _get_all(app: Any, requests: list[tuple[str, str, dict[str, str]]], root_path: str = "") -> list[httpx.Response]:
    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, root_path=root_path)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return [
                await client.request(method, root_path + path, headers=headers) for method, path, headers in requests
            ]

    return run_in_own_loop(go)


def _same(a: httpx.Response, b: httpx.Response) -> None:
    assert (a.status_code, a.content) == (b.status_code, b.content)
    assert a.headers.multi_items() == b.headers.multi_items()


def test_a_first_visit_asks_for_files_memory_holds() -> None:
    """The page's scripts, its style sheet and fonts are held: the ones a browser fetches first."""
    static = _static()
    names = page_files.first_visit_files(static)
    assert any(n.startswith("static/css/DataFrame.") for n in names)
    assert any(n.startswith("static/js/index.") for n in names)
    assert any(n.startswith("static/media/SourceSansVF-Upright") for n in names)
    assert any(n.startswith("static/media/MaterialSymbols") for n in names)
    assert len(names) == len(set(names)) and all((static / n).is_file() for n in names)


def test_every_file_is_answered_as_streamlit_answers_it() -> None:
    """Status, headers (type, length, dates, tag, cache rule) and body, GET and HEAD, file by file;
    and none of them reaches Streamlit's handler."""
    static = _static()
    plain = _streamlits_handler(static)
    counted = _Counted(_streamlits_handler(static))
    ours = page_files.wrap(_streamlits_handler(static), str(static))
    ours.handler = counted
    names = page_files.first_visit_files(static)
    requests = [(method, f"/{name}", {}) for name in names for method in ("GET", "HEAD")]
    expected = _get_all(plain, requests)
    got = _get_all(ours, requests)
    for a, b in zip(expected, got, strict=True):
        _same(a, b)
    assert counted.calls == 0
    assert all(r.status_code == 200 and r.headers["cache-control"].startswith("public, immutable") for r in got[::2])


def test_what_memory_does_not_hold_goes_to_streamlit() -> None:
    """A range, a conditional request, another file, a missing one and the page itself are
    answered by Streamlit's handler, exactly as without the memory."""
    static = _static()
    held = page_files.first_visit_files(static)
    script = next(n for n in held if n.startswith("static/js/index."))
    other = next(
        p.relative_to(static).as_posix()
        for p in sorted((static / "static/js").iterdir())
        if p.relative_to(static).as_posix() not in held
    )
    etag = _get_all(_streamlits_handler(static), [("GET", f"/{script}", {})])[0].headers["etag"]
    requests = [
        ("GET", f"/{script}", {"range": "bytes=0-99"}),
        ("GET", f"/{script}", {"if-none-match": etag}),
        ("GET", f"/{other}", {}),
        ("GET", "/static/js/no-such-file.js", {}),
        ("GET", "/", {}),
        ("GET", "/index.html", {}),
    ]
    counted = _Counted(_streamlits_handler(static))
    ours = page_files.wrap(_streamlits_handler(static), str(static))
    ours.handler = counted
    for a, b in zip(_get_all(_streamlits_handler(static), requests), _get_all(ours, requests), strict=True):
        _same(a, b)
    assert counted.calls == len(requests)
    assert [r.status_code for r in _get_all(ours, requests[:2])] == [206, 304]


def test_under_a_base_url_the_same_files_are_answered(tmp_path: Path) -> None:
    """Mounted under a path prefix (`server.baseUrlPath`), the files are found below it."""
    static = _static()
    ours = page_files.wrap(_streamlits_handler(static), str(static))
    script = page_files.first_visit_files(static)[0]
    got = _get_all(ours, [("GET", f"/{script}", {})], root_path="/planner")[0]
    assert got.status_code == 200 and got.content == (static / script).read_bytes()


def test_an_unexpected_handler_is_kept(tmp_path: Path) -> None:
    """A handler without Streamlit's cache rule, or a folder without the page, serves as it is."""
    handler = object()
    assert page_files.wrap(handler, str(_static())) is handler
    real = _streamlits_handler(_static())
    assert page_files.wrap(real, str(tmp_path)) is real


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_launcher_serves_from_memory(method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """After `serve_from_memory()`, the handler Streamlit's server builds is the memory's."""
    from streamlit.web.server.starlette import starlette_static_routes as routes

    monkeypatch.setattr(routes, "create_streamlit_static_handler", routes.create_streamlit_static_handler)
    page_files.serve_from_memory()
    (mount,) = routes.create_streamlit_static_assets_routes(base_url=None)
    app = mount.app  # type: ignore[attr-defined]
    assert isinstance(app, page_files.PageFiles)
    script = page_files.first_visit_files(_static())[0]
    got = _get_all(app, [(method, f"/{script}", {})])[0]
    assert got.status_code == 200 and got.headers["content-length"] == str((_static() / script).stat().st_size)
