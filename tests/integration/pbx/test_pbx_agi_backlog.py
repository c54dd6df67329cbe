"""A burst of AGI connections (a guard tick redirects many callers at once) is held by the kernel
until the server accepts them, instead of waiting for a SYN retransmit past res_agi's 2 s."""

from __future__ import annotations

import select
import socket
import time

from callcenter.pbx.agi_server import AgiRoutes, AgiServer

BURST = 400  # more than asyncio's default listen backlog of 100


async def test_a_burst_of_connections_completes_while_the_server_is_busy() -> None:
    server = AgiServer(routes=AgiRoutes(), port=0)
    await server.start()
    sockets: list[socket.socket] = []
    try:
        # The event loop is blocked here (busy, as at a peak): only the kernel can complete
        # the handshakes, and only as many as the listen backlog holds.
        for _ in range(BURST):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", server.port))
            sockets.append(s)
        pending = set(sockets)
        deadline = time.monotonic() + 0.5
        while pending and time.monotonic() < deadline:
            _, writable, _ = select.select([], list(pending), [], 0.05)
            pending -= {s for s in writable if not s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)}
        assert not pending, f"{len(pending)} of {BURST} connections not established within 0.5 s"
    finally:
        for s in sockets:
            s.close()
        await server.stop()
