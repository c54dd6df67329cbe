"""FastAGI decision latency: an `entry` route that sets three variables, at 50 and 200 new
sessions per second.

The server (our `AgiServer`) runs in a child process; this process plays Asterisk: it opens a
TCP connection per call at a fixed arrival rate, writes the `agi_*` environment, answers each
command with `200 result=1` and waits for the server to close. Latency is measured from the
connect to the close (what the dialplan waits for), reported as p50/p99/max in milliseconds.

    .venv/bin/python benchmarks/bench_agi.py [--rates 50,200] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from typing import Any

ENV = (
    "agi_network: yes\nagi_network_script: entry?mode=day\n"
    "agi_request: agi://127.0.0.1/entry?mode=day\nagi_channel: PJSIP/trunk-{n:08d}\n"
    "agi_language: ru\nagi_type: PJSIP\nagi_uniqueid: 1700000000.{n}\nagi_version: 20.5.0\n"
    "agi_callerid: 7900{n:07d}\nagi_calleridname: Пётр Ильич\nagi_callingpres: 0\n"
    "agi_callingani2: 0\nagi_callington: 0\nagi_callingtns: 0\nagi_dnid: 1234\n"
    "agi_rdnis: unknown\nagi_context: from-trunk\nagi_extension: 1234\nagi_priority: 2\n"
    "agi_enhanced: 0.0\nagi_accountcode: \nagi_threadid: 1399123{n}\nagi_arg_1: day\n\n"
)


async def serve() -> None:
    """Child process: the engine side."""
    from callcenter.pbx.agi import AgiChannel
    from callcenter.pbx.agi_server import AgiRoutes, AgiServer

    async def entry(ch: AgiChannel) -> None:
        await ch.set_variable("CC_QUEUE", "support")
        await ch.set_variable("CC_PRIORITY", "5")
        await ch.set_variable("CC_TIMEOUT", "40")

    routes = AgiRoutes()
    routes.add("entry", entry)
    server = AgiServer(routes=routes, port=0)
    await server.start()
    print(server.port, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await server.stop()


async def one_call(port: int, n: int) -> float | None:
    """Seconds from connect to the server closing; None if the session went wrong."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(ENV.format(n=n).encode())
    commands = 0
    try:
        while line := await reader.readline():
            commands += line.startswith(b"SET VARIABLE")
            writer.write(b"200 result=1\n")
    finally:
        writer.close()
    elapsed = time.perf_counter() - started
    return elapsed if commands == 3 else None


async def run_rate(port: int, rate: int, seconds: float, first: int) -> dict[str, Any]:
    total = int(rate * seconds)
    start = time.perf_counter()
    tasks = []
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one_call(port, first + i)))
    results = await asyncio.gather(*tasks, return_exceptions=True)
    latencies = sorted(r * 1000 for r in results if isinstance(r, float))
    return {
        "rate_per_s": rate,
        "sessions": total,
        "ok": len(latencies),
        "errors": total - len(latencies),
        "achieved_rate_per_s": round(total / (time.perf_counter() - start), 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 2),
        "max_ms": round(latencies[-1], 2),
    }


async def drive(args: argparse.Namespace) -> dict[str, Any]:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    if child.stdout is None or child.stdin is None:
        raise RuntimeError("the server process has no pipes")
    port = int((await child.stdout.readline()).decode())
    runs = []
    first = 1
    for rate in (int(r) for r in args.rates.split(",")):
        runs.append(await run_rate(port, rate, args.seconds, first))
        first += int(rate * args.seconds)
    child.stdin.close()
    await child.wait()
    return {
        "benchmark": "agi_entry_route",
        "route": "entry (3 x SET VARIABLE)",
        "measured": "connect to server close, ms; server in a child process",
        "seconds_per_rate": args.seconds,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="50,200")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve())
        return
    print(json.dumps(asyncio.run(drive(args))))


if __name__ == "__main__":
    main()
