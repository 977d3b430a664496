"""The launcher's socket fix: a server listening as Streamlit's does (a socket made with protocol 0)
answers with Nagle's algorithm off once `tcp_nodelay()` is in place, and with it on before."""

from __future__ import annotations

import asyncio
import asyncio.base_events
import socket
import threading

import pytest

from planner.ui import serve


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

    # a thread of its own: the browser tests' driver may hold an event loop in this one
    worker = threading.Thread(target=asyncio.run, args=(run(),))
    worker.start()
    worker.join(timeout=30)
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
