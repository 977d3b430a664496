"""The app server's sockets send each message at once (planner/ui/nodelay.py)."""

from __future__ import annotations

import socket
import sys

import pytest

from planner.ui.nodelay import CHECKED_ON, tcp_nodelay

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")


def _nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_open_connections_and_later_ones_send_at_once():
    """Tests that a run turns Nagle off on the listening socket and an open connection, that a
    connection accepted afterwards has it off too, and that every socket stays usable."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        before = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        assert _nodelay(server) == 0 and _nodelay(accepted) == 0
        assert tcp_nodelay(CHECKED_ON) >= 3
        assert _nodelay(server) == 1 and _nodelay(accepted) == 1
        after = socket.create_connection(server.getsockname())
        later, _ = server.accept()
        assert _nodelay(later) == 1
        before.sendall(b"still open")
        assert accepted.recv(64) == b"still open"
        for sock in (before, accepted, after, later):
            sock.close()


def test_another_streamlit_version_is_left_alone():
    """Tests that on a Streamlit version the setting was not checked on, no socket changes."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        assert tcp_nodelay("0.0.0") == 0
        assert _nodelay(server) == 0
