"""Simulator throughput: a 100,000-call day with 300 operators through the engine policy.

Prints one JSON object: simulated calls per wall-second (the aim is at least 20,000 on one
core), the same per second of this process's CPU time (what the figure would be on an idle core
when other jobs share the machine), and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time

from queue_engine.simulation.api import simulate
from queue_engine.simulation.trace import Shift
from queue_engine.simulation.tracegen import generate_day


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--operators", type=int, default=300)
    parser.add_argument("--policy", default="engine")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    day = generate_day(seed=args.seed, calls=args.calls)
    generated_s = time.perf_counter() - started
    cpu_started = time.process_time()
    report, _ = simulate(
        policy=args.policy,
        arrivals=day,
        shifts=[Shift(0.0, math.inf, args.operators)],
        seed=args.seed,
    )
    cpu_s = time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "benchmark": "simulator",
        "policy": args.policy,
        "calls": report["calls"],
        "operators": args.operators,
        "wall_s": report["wall_s"],
        "calls_per_s": report["sim_calls_per_s"],
        "cpu_s": round(cpu_s, 3),
        "calls_per_cpu_s": round(report["calls"] / cpu_s) if cpu_s > 0 else None,
        "target_calls_per_s": 20_000,
        "trace_generation_s": round(generated_s, 3),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "sl_pct": report["sl_pct"],
        "breaches": report["breaches"],
        "python": sys.version.split()[0],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
