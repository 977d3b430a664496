"""Nagle's algorithm off on the app server's TCP sockets, with the standard socket API.

Streamlit's server listens on a socket made with protocol 0, and asyncio turns Nagle's algorithm
off only on sockets whose protocol reads as TCP, so every connection keeps it on: a message
written after others waits for the browser's delayed acknowledgement (40 ms on Linux) before it
leaves. A grid edit's new Gantt, written after the page's other elements, reached the browser
40-100 ms after the server sent it (docs/upstream.md has the reproduction and the report).

Each run sets TCP_NODELAY on the process's TCP sockets: the connections already open, and the
listening socket, whose setting Linux passes on to every connection it accepts later. Only on
the Streamlit version this was checked on, and only where /proc lists a process's files (Linux):
elsewhere nothing changes but the wait.
"""

from __future__ import annotations

import os
import socket
import stat

import streamlit

CHECKED_ON = "1.67.0"
_FDS = "/proc/self/fd"


def tcp_nodelay(version: str = streamlit.__version__) -> int:
    """Sets TCP_NODELAY on every TCP socket this process has open, when `version` (Streamlit's)
    is the one checked; returns how many."""
    if version != CHECKED_ON or not os.path.isdir(_FDS):
        return 0
    done = 0
    for name in os.listdir(_FDS):
        try:
            if not stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                continue
            # a duplicate of the descriptor: closing it leaves the server's socket open
            with socket.socket(fileno=os.dup(int(name))) as sock:
                if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    done += 1
        except OSError:  # closed meanwhile, or not a socket this process may set
            continue
    return done
