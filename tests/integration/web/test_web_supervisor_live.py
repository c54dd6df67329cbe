"""The dashboard websocket: snapshots pushed to every client; a client that never reads
does not hold back the others."""

from __future__ import annotations

import asyncio
import json
import socket
import time

from web_support import API_KEY, T0, SignIn, World

from callcenter.web.live import QueueFigures, QueueView, Snapshot, WaitingCaller


def scripted(
    n: int, *, callers: int = 1, waited: float = 30.0, sl15: float = 90.0, ami: bool = True
) -> Snapshot:
    waiting = tuple(
        WaitingCaller(f"c{i}", "*******1234", T0 - waited, i + 1, 20.0, 0, "ЖКХ")
        for i in range(callers)
    )
    figures = QueueFigures(sl_today_pct=85.0, sl_15m_pct=sl15, answered=10, offered=12)
    q = QueueView("general", 40.0, "Общая", 15.0, waiting, figures)
    return Snapshot(taken_at=T0 + n, mode="day", queues=(q,), ami_connected=ami)


async def test_websocket_receives_latest_then_every_new_snapshot(
    world: World, sign_in: SignIn
) -> None:
    world.hub.publish(scripted(0))
    await sign_in(world.client, "supervisor")
    async with world.client.ws_connect("/api/supervisor/ws") as ws:
        first = json.loads(await ws.receive_str(timeout=5))
        assert first["taken_at"] == T0
        world.hub.publish(scripted(1, sl15=50.0, ami=False))
        second = json.loads(await ws.receive_str(timeout=5))
        assert second["taken_at"] == T0 + 1
        assert {a["id"] for a in second["alerts"]} == {
            "ami_down",
            "sl_low:general",
            "near_limit:c0",
        }
    snap = await (await world.client.get("/api/supervisor/snapshot")).json()
    assert snap["taken_at"] == T0 + 1
    metrics = await (await world.client.get("/metrics")).text()
    assert "callcenter_ami_connected 0.0" in metrics
    await asyncio.sleep(0.05)
    assert world.hub.subscriber_count == 0  # the closed client was unsubscribed


async def _stalled_client(port: int) -> socket.socket:
    """A websocket client that completes the handshake and then never reads a byte."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    request = (
        "GET /api/supervisor/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        f"Sec-WebSocket-Version: 13\r\nX-API-Key: {API_KEY}\r\n\r\n"
    )
    await asyncio.get_running_loop().sock_sendall(sock, request.encode())
    return sock


async def subscribers(world: World, count: int) -> None:
    for _ in range(500):
        if world.hub.subscriber_count >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} websocket clients never subscribed")


async def test_a_client_that_never_reads_does_not_slow_the_others(world: World) -> None:
    port = world.client.port
    assert port is not None
    stalled = await _stalled_client(port)
    try:
        await subscribers(world, 1)
        headers = {"X-API-Key": API_KEY}
        async with world.client.ws_connect("/api/supervisor/ws", headers=headers) as fast:
            await subscribers(world, 2)
            started = time.perf_counter()
            latencies = []
            for n in range(40):  # ~270 kB each: far more than the stalled socket can buffer
                sent = time.perf_counter()
                world.hub.publish(scripted(n, callers=2000, waited=5))
                got = json.loads(await fast.receive_str(timeout=5))
                latencies.append(time.perf_counter() - sent)
                assert got["taken_at"] == T0 + n
            elapsed = time.perf_counter() - started
        slow = max(world.hub.subscriptions(), key=lambda s: s.dropped)
        assert slow.dropped > 0  # the stalled client lost intermediate snapshots ...
        assert slow.pending() <= 1  # ... and never holds more than the newest one
        assert max(latencies) < 2.0  # generous: CI machines are shared
        print(f"40 x 270 kB snapshots in {elapsed:.2f} s, worst latency {max(latencies):.3f} s")
    finally:
        stalled.close()


async def test_shutdown_closes_open_dashboards(world: World, sign_in: SignIn) -> None:
    await sign_in(world.client, "supervisor")
    ws = await world.client.ws_connect("/api/supervisor/ws")
    await subscribers(world, 1)
    app = world.client.app
    assert app is not None
    await app.shutdown()
    message = await ws.receive(timeout=5)
    assert message.type.name in ("CLOSE", "CLOSED")
    assert ws.close_code == 1001  # going away
    await ws.close()
