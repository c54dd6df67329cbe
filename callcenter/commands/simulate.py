"""`callcenter simulate`: replay a day of calls in virtual time through a policy.

The trace is CSV ``arrival,service,patience[,topic]``; ``--operators`` is a count or a CSV of
``from,to,operators`` shifts; ``--generate SEED`` uses the regional-center day instead of a file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, TextIO

from queue_engine.errors import QueueEngineError
from queue_engine.simulation.api import POLICIES, peak_staffing, simulate
from queue_engine.simulation.trace import (
    Arrival,
    PartnerSpec,
    Shift,
    parse_partners,
    parse_shifts,
    parse_trace,
)
from queue_engine.simulation.tracegen import generate_day

# A plain operator count: the same operators from the start to the end of the run.
_ALL_DAY = (0.0, math.inf)
_HUMAN_KEYS = (
    "calls",
    "answered",
    "answered_within_limit",
    "sl_pct",
    "sl_offered_pct",
    "asa_s",
    "max_queue_wait_s",
    "abandoned",
    "overflowed",
    "callbacks_requested",
    "callbacks_on_time",
    "callbacks_late",
    "callbacks_on_time_pct",
    "ivr_served",
    "failed",
    "breaches",
    "ewt_mae_s",
    "ewt_mae_ql_s",
    "ewt_mae_les_s",
    "wall_s",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--trace", help="CSV file: arrival,service,patience[,topic]")
    source.add_argument("--generate", type=int, metavar="SEED", help="use a generated day")
    parser.add_argument("--calls", type=int, default=20_000, help="calls in a generated day")
    parser.add_argument(
        "--operators", required=True, help="a number, or a CSV file of from,to,operators"
    )
    parser.add_argument("--policy", choices=POLICIES, default="engine")
    parser.add_argument("--partners", help="CSV file: name,slots[,max_hops]")
    parser.add_argument("--seed", type=int, default=0, help="seed for caller behaviour")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _read(path: str) -> list[str]:
    return Path(path).read_text(encoding="utf-8").splitlines()


def _shifts(spec: str) -> list[Shift]:
    if spec.isdigit():
        return [Shift(_ALL_DAY[0], _ALL_DAY[1], int(spec))]
    return parse_shifts(_read(spec))


def _arrivals(args: argparse.Namespace) -> list[Arrival]:
    if args.generate is not None:
        return generate_day(seed=args.generate, calls=args.calls)
    return parse_trace(_read(args.trace))


def _progress(stream: TextIO) -> Any:
    def show(seconds: float) -> None:
        hours, rest = divmod(int(seconds), 3600)
        stream.write(f"\rsimulated {hours:02d}:{rest // 60:02d}")
        stream.flush()

    return show


def run(args: argparse.Namespace) -> int:
    try:
        arrivals = _arrivals(args)
        shifts = _shifts(args.operators)
        partners: list[PartnerSpec] = parse_partners(_read(args.partners)) if args.partners else []
    except (OSError, QueueEngineError) as exc:
        print(f"simulate: {exc}", file=sys.stderr)
        return 2
    progress = _progress(sys.stderr) if sys.stderr.isatty() else None
    report, _ = simulate(
        policy=args.policy,
        arrivals=arrivals,
        shifts=shifts,
        partners=partners,
        seed=args.seed,
        progress=progress,
    )
    if progress is not None:
        sys.stderr.write("\n")
    report["staffing"] = peak_staffing(arrivals, shifts, limit_s=40.0)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for key in _HUMAN_KEYS:
            print(f"{key:>24}  {report[key]}")
        print(f"{'staffing':>24}  {report['staffing']}")
    return 0
