"""AMI events handled end to end, and engine memory per concurrent call.

1. Pipeline: a child process plays Asterisk's side of AMI over loopback TCP (banner, Login, the
   resync lists) and then writes the recorded adapter transcripts (the stream of bench_ami.py,
   Cyrillic caller names) as fast as the socket takes them. Our AMI client reads, parses and
   translates them, the PBX bridge turns facts into engine messages and the engine updates its
   live picture. We time from the first event byte to the last fact applied, and, in the same
   run, how fast panoramisk's own parser alone reads the same bytes (the aim: the whole pipeline
   at least half of that).
2. Memory: `tracemalloc` over the engine and the channel book while N callers wait at once.

    .venv/bin/python benchmarks/bench_engine_pipeline.py [--events 20000] [--calls 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from callcenter.clock import SystemClock
from callcenter.pbx.ami import AmiClient
from callcenter.pbx.ami_events import translate
from callcenter.pbx.ami_protocol import AmiProtocol
from callcenter.runtime.channels import ChannelBook
from callcenter.runtime.engine_runner import EngineRunner
from callcenter.runtime.pbx_bridge import PbxBridge
from queue_engine import messages as m
from queue_engine.config import EngineConfig, QueueConfig
from queue_engine.engine import Engine
from queue_engine.model.operators import OperatorState

# A sibling script, not a package: its stream and parser runs are reused here.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ami

# -- Asterisk's side, in a child process ------------------------------------------------------


def _answer(action: dict[str, str]) -> bytes:
    """Responses to what our client sends at login: Login, the two resync lists, Ping."""
    aid = action.get("ActionID", "")
    name = action.get("Action", "").lower()
    lines = ["Response: Success", f"ActionID: {aid}"]
    if name == "login":
        lines.append("Message: Authentication accepted")
    elif name in ("queuestatus", "coreshowchannels"):
        done = "QueueStatusComplete" if name == "queuestatus" else "CoreShowChannelsComplete"
        lines += ["EventList: start", "Message: list will follow", ""]
        lines += [f"Event: {done}", f"ActionID: {aid}", "EventList: Complete", "ListItems: 0"]
    elif name == "ping":
        lines.append("Ping: Pong")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _serve(sock: socket.socket, stream: bytes) -> None:
    conn, _ = sock.accept()
    conn.sendall(bench_ami.BANNER)
    buffer, lists_answered = b"", 0
    while lists_answered < 2:
        data = conn.recv(65536)
        if not data:
            return
        buffer += data
        while b"\r\n\r\n" in buffer:
            raw, buffer = buffer.split(b"\r\n\r\n", 1)
            action = dict(
                line.split(": ", 1) for line in raw.decode().split("\r\n") if ": " in line
            )
            conn.sendall(_answer(action))
            name = action.get("Action", "").lower()
            lists_answered += name in ("queuestatus", "coreshowchannels")
    conn.sendall(stream)
    conn.recv(1)  # hold the connection until the client has read everything and closes
    conn.close()


# -- our side -----------------------------------------------------------------------------------


def expected_facts(events: bytes) -> int:
    """How many facts the stream yields, by the same parser and translator, offline."""
    found: list[object] = []

    class Sink:
        def on_event(self, message: Any) -> None:
            fact = translate(message)
            if fact is not None:
                found.append(fact)

    protocol = AmiProtocol(Sink())
    protocol.connection_made(None)
    protocol.data_received(bench_ami.BANNER + events)
    return len(found)


async def pipeline(events: int) -> dict[str, Any]:
    stream, count, _ = bench_ami.build_stream(events)
    body = stream[len(bench_ami.BANNER) :]
    facts_expected = expected_facts(body)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    server = multiprocessing.Process(target=_serve, args=(listener, body), daemon=True)
    server.start()

    queues = (QueueConfig("citizens"), QueueConfig("support"))  # those of the transcripts
    engine = Engine(config=EngineConfig(queues=queues))
    runner = EngineRunner(engine=engine, clock=SystemClock())
    bridge = PbxBridge(runner=runner, channels=ChannelBook())
    done = asyncio.Event()
    seen = {"facts": 0, "first": 0.0, "last": 0.0}

    def sink(fact: Any) -> None:
        seen["facts"] += 1
        bridge(fact)
        if seen["facts"] == 3:  # AmiConnected, PbxResynced, then the first event's fact
            seen["first"] = time.perf_counter()
        if seen["facts"] == facts_expected + 2:
            seen["last"] = time.perf_counter()
            done.set()

    client = AmiClient(host="127.0.0.1", port=port, username="bench", secret="x", sink=sink)
    await client.start()
    try:
        await asyncio.wait_for(done.wait(), 120)
    finally:
        await client.stop()
        server.join(5)
        listener.close()
    elapsed = seen["last"] - seen["first"]
    chunks = [stream[i : i + 4096] for i in range(0, len(stream), 4096)]
    pano_t, pano = bench_ami.best([bench_ami.run_panoramisk(chunks, set()) for _ in range(5)])
    ours = count / elapsed
    pano_rate = pano.count / pano_t
    return {
        "events": count,
        "facts": facts_expected,
        "end_to_end_events_per_s": round(ours),
        "panoramisk_parser_alone_events_per_s": round(pano_rate),
        "end_to_end_vs_panoramisk_parser": round(ours / pano_rate, 2),
    }


def memory_per_call(calls: int) -> dict[str, Any]:
    """Bytes the engine and the channel book hold per caller waiting at the same time."""
    config = EngineConfig(queues=(QueueConfig("citizens"),))
    engine = Engine(config=config)
    channels = ChannelBook()
    now = 1_800_000_000.0
    for i in range(50):  # every operator busy: the callers stay in the queue
        engine.handle(m.OperatorStateChanged(f"PJSIP/{100 + i}", OperatorState.TALKING), now)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for i in range(calls):
        call_id = f"{1_800_000_000 + i}.{i}"
        number = f"+7916{i:07d}"
        channels.remember(call_id, f"PJSIP/trunk-{i:08x}", number)
        engine.handle(m.CallArrived(call_id, number, "passport"), now)
        engine.handle(m.CallJoinedQueue(call_id, "citizens"), now)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return {
        "concurrent_calls": calls,
        "bytes_per_call": round(grown / calls),
        "mib_total": round(grown / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    result = {
        "benchmark": "engine_pipeline",
        "ami_pipeline": asyncio.run(pipeline(args.events)),
        "memory": memory_per_call(args.calls),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
