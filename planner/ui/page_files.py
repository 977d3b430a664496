"""The page's own files (Streamlit's scripts, style sheets and fonts) answered from memory.

A first visit fetches about 140 files, 4.9 MB. Streamlit's static handler (Starlette's
StaticFiles) looks each one up on disk and streams it through worker threads: 1.7 ms of the
server's CPU per file here, 0.22-0.25 s per first visit, spent while the browser on the same two
cores is compiling those very scripts. Read once at start and answered in one write, the same
files cost 0.04 s (a first load at 300 tasks took 0.1 s less, loads in alternation, 14 each).

Every answer is the one Streamlit's handler gives, headers included: the headers are made by the
handler's own response class and cache rule, and a test compares both answers file by file. A
request the memory does not hold as it is (another file, a range, a conditional request, another
method) goes to Streamlit's handler.
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# headers as ASGI sends them, and the body
Answer = tuple[tuple[tuple[bytes, bytes], ...], bytes]

# Anything in the request that asks for more than the whole file as it is.
_HANDLER_DECIDES = frozenset({b"range", b"if-range", b"if-none-match", b"if-modified-since"})


def first_visit_files(static: Path) -> list[str]:
    """What a first visit asks for, relative to the static folder: the files its page names
    (scripts, the style sheet, the preloaded font), and every style sheet and font."""
    index = (static / "index.html").read_text(encoding="utf-8")
    named = re.findall(r'(?:href|src)="\./(static/[^"]+)"', index)
    more = [
        path.relative_to(static).as_posix()
        for folder, pattern in (("static/css", "*.css"), ("static/media", "*.woff2"))
        for path in sorted((static / folder).glob(pattern))
    ]
    return list(dict.fromkeys([*named, *more]))


def answers(static: Path, names: Iterable[str], cache_rule: Callable[[Any, str], None]) -> Mapping[str, Answer]:
    """Each file's answer by its URL path ("/static/js/..."), headers made as Streamlit's handler
    makes them: Starlette's FileResponse, then the handler's cache rule."""
    from starlette.responses import FileResponse

    out: dict[str, Answer] = {}
    for name in names:
        path = static / name
        response = FileResponse(path, stat_result=os.stat(path))
        cache_rule(response, name)
        out["/" + name] = (tuple(response.raw_headers), path.read_bytes())
    return MappingProxyType(out)


class PageFiles:
    """An ASGI app: `files` answered from memory, anything else by `handler`."""

    def __init__(self, files: Mapping[str, Answer], handler: ASGIApp) -> None:
        self.files = files
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = self._answer(scope)
        if answer is None:
            await self.handler(scope, receive, send)
            return
        headers, body = answer
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})

    def _answer(self, scope: Scope) -> Answer | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        if any(name in _HANDLER_DECIDES for name, _ in scope["headers"]):
            return None
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root + "/"):
            path = path[len(root) :]
        return self.files.get(path)


def wrap(handler: Any, directory: str) -> Any:
    """`handler` (Streamlit's static files at `directory`) with the first visit's files answered
    from memory; `handler` itself when it is not the handler this expects."""
    cache_rule = getattr(handler, "_apply_cache_headers", None)
    if cache_rule is None:
        return handler
    try:
        files = answers(Path(directory), first_visit_files(Path(directory)), cache_rule)
    except OSError:
        return handler
    return PageFiles(files, handler)


def serve_from_memory() -> None:
    """Streamlit's server, once started, answers the first visit's files from memory."""
    from streamlit.web.server.starlette import starlette_static_routes as routes

    make = routes.create_streamlit_static_handler

    def handler(directory: str, base_url: str | None) -> Any:
        return wrap(make(directory=directory, base_url=base_url), directory)

    routes.create_streamlit_static_handler = handler
