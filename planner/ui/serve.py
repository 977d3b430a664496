"""Starting the app: `python -m planner.ui.serve [options of streamlit run]` (what `make run` does).

Streamlit's server (uvicorn on asyncio) listens on a socket it makes itself with protocol 0, and
asyncio only turns Nagle's algorithm off (TCP_NODELAY) on sockets whose protocol reads as TCP. So
every connection keeps Nagle on: a response written as headers, then body waits for the browser's
delayed acknowledgement, 40 ms, before the body leaves. A first page load fetches about 150
script files six at a time, and took 2.0 s here instead of 1.55 s. `tcp_nodelay()` makes asyncio
set TCP_NODELAY on every TCP stream socket, whatever its protocol field says; the launcher calls
it before the server starts, and `app.py` calls it too, so `streamlit run app.py` gets it from the
first rerun on.
"""

from __future__ import annotations

import asyncio.base_events
import socket
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"
ASYNCIO_SET_NODELAY = asyncio.base_events._set_nodelay  # type: ignore[attr-defined]  # asyncio's own


def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def tcp_nodelay() -> None:
    """Every asyncio TCP connection made from now on sends small writes at once."""
    asyncio.base_events._set_nodelay = _set_nodelay  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> None:
    """`streamlit run app.py` with `argv` as its options, TCP_NODELAY on from the first connection."""
    tcp_nodelay()
    from streamlit.web import cli

    cli.main.main(args=["run", str(APP), *(sys.argv[1:] if argv is None else argv)], prog_name="streamlit")


if __name__ == "__main__":
    main()
