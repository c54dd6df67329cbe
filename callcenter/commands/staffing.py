"""`callcenter staffing`: Erlang C (no patience) or Erlang A (with --patience) figures."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from queue_engine.staffing import StaffingResult, agents_needed, evaluate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rate", type=float, required=True, help="calls per hour")
    parser.add_argument("--aht", type=float, required=True, help="average handle time, seconds")
    parser.add_argument("--target", type=float, required=True, help="answer target, seconds")
    parser.add_argument("--agents", type=int, help="operators (omit to compute the number needed)")
    parser.add_argument("--patience", type=float, help="mean patience, seconds (Erlang A)")
    parser.add_argument("--level", type=float, default=0.8, help="service level goal (0..1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _figures(result: StaffingResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "agents": result.agents,
        "p_wait": round(result.p_wait, 4),
        "asa_s": round(result.asa_s, 2) if math.isfinite(result.asa_s) else None,
        "service_level": round(result.service_level, 4),
        "occupancy": round(result.occupancy, 4),
    }
    if result.abandon is not None:
        out["abandon_pct"] = round(100.0 * result.abandon, 2)
    return out


def run(args: argparse.Namespace) -> int:
    if args.rate <= 0 or args.aht <= 0 or args.target < 0 or not 0 < args.level < 1:
        print("staffing: rate and aht must be positive, level between 0 and 1")
        return 2
    rate = args.rate / 3600.0
    common: dict[str, Any] = {"rate_per_s": rate, "aht_s": args.aht, "target_s": args.target}
    if args.agents is not None:
        out = _figures(evaluate(agents=args.agents, patience_s=args.patience, **common))
    else:
        needed = agents_needed(level=args.level, patience_s=args.patience, **common)
        out = _figures(needed)
        out["agents_needed"] = needed.agents
    out["model"] = "erlang_a" if args.patience else "erlang_c"
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key:>15}  {value}")
    return 0
