"""AMI events parsed per second: our protocol versus panoramisk's own, on the same byte stream.

The stream is the recorded adapter transcripts (tests/fixtures/ami/adapter_*.txt, Cyrillic
caller names) repeated, cut into fixed-size chunks as TCP reads would deliver them. Both parsers
run in this process, interleaved, best of `--repeat` runs each. We also count how many
Cyrillic caller names survive: panoramisk loses the letters split between two chunks.

    .venv/bin/python benchmarks/bench_ami.py [--events 10000] [--chunk 4096] [--repeat 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from panoramisk.ami_protocol import AMIProtocol

from callcenter.pbx.ami_events import translate
from callcenter.pbx.ami_protocol import AmiProtocol

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ami"
SOURCES = ("adapter_answered_call.txt", "adapter_abandon.txt", "adapter_members_misc.txt")
BANNER = b"Asterisk Call Manager/9.0.0\r\n"


def build_stream(events: int) -> tuple[bytes, int, set[str]]:
    """(stream, number of events in it, the caller names it contains)."""
    frames: list[str] = []
    for name in SOURCES:
        text = (FIXTURES / name).read_text(encoding="utf-8")
        frames.extend(f for f in text.split("\n\n") if f.startswith("Event: "))
    names = {
        line.split(": ", 1)[1]
        for frame in frames
        for line in frame.splitlines()
        if line.startswith("CallerIDName: ") and not line.endswith("<unknown>")
    }
    picked = [frames[i % len(frames)] for i in range(events)]
    body = "".join(f + "\n\n" for f in picked).replace("\n", "\r\n")
    return BANNER + body.encode(), events, names


class Counter:
    """Stands in for the client and for panoramisk's Manager: counts what it is handed, and
    checks caller names on the fly (keeping 20,000 messages alive would time the GC instead)."""

    def __init__(self, names: set[str], translate_too: bool = False) -> None:
        self.count = 0
        self.names_intact = 0
        self.names_seen = 0
        self._names = names
        self._translate_too = translate_too

    def on_event(self, message: Any) -> None:
        self.count += 1
        name = message.get("CallerIDName")
        if name and name != "<unknown>":
            self.names_seen += 1
            self.names_intact += name in self._names
        if self._translate_too:
            translate(message)

    dispatch = on_event


def run_ours(chunks: list[bytes], names: set[str], with_facts: bool) -> tuple[float, Counter]:
    counter = Counter(names, with_facts)
    protocol = AmiProtocol(counter)
    protocol.connection_made(None)
    started = time.perf_counter()
    for chunk in chunks:
        protocol.data_received(chunk)
    return time.perf_counter() - started, counter


def run_panoramisk(chunks: list[bytes], names: set[str]) -> tuple[float, Counter]:
    counter = Counter(names)
    protocol = AMIProtocol()
    protocol.connection_made(None)
    protocol.factory = counter
    protocol.encoding = "utf-8"
    started = time.perf_counter()
    for chunk in chunks:
        protocol.data_received(chunk)
    return time.perf_counter() - started, counter


def best(runs: list[tuple[float, Counter]]) -> tuple[float, Counter]:
    return min(runs, key=lambda r: r[0])


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    stream, events, names = build_stream(args.events)
    chunks = [stream[i : i + args.chunk] for i in range(0, len(stream), args.chunk)]
    ours_runs, facts_runs, pano_runs = [], [], []
    for _ in range(args.repeat):  # interleaved, so a busy moment hits all three alike
        ours_runs.append(run_ours(chunks, names, False))
        pano_runs.append(run_panoramisk(chunks, names))
        facts_runs.append(run_ours(chunks, names, True))
    ours_t, ours = best(ours_runs)
    facts_t, _ = best(facts_runs)
    pano_t, pano = best(pano_runs)
    return {
        "benchmark": "ami_parse",
        "events": events,
        "bytes": len(stream),
        "chunk_bytes": args.chunk,
        "repeat": args.repeat,
        "ours_events_per_s": round(ours.count / ours_t),
        "ours_with_translation_events_per_s": round(events / facts_t),
        "panoramisk_events_per_s": round(pano.count / pano_t),
        "ours_vs_panoramisk": round((ours.count / ours_t) / (pano.count / pano_t), 2),
        "ours_events_parsed": ours.count,
        "panoramisk_events_parsed": pano.count,
        "caller_names_intact": {
            "ours": f"{ours.names_intact}/{ours.names_seen}",
            "panoramisk": f"{pano.names_intact}/{pano.names_seen}",
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=7)
    print(json.dumps(asyncio.run(measure(parser.parse_args())), ensure_ascii=False))


if __name__ == "__main__":
    main()
