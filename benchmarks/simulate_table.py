"""The README's simulation results: three generated days through every policy, and with partners.

Runs what ``callcenter simulate --generate SEED --operators 60 --policy P --json`` runs (and the
engine once more with ``--partners benchmarks/partners_regional.csv``), then prints either one
JSON object with every report, or the README's markdown table and predictor comparison.

    .venv/bin/python benchmarks/simulate_table.py [--seeds 1 2 3] [--markdown | --abandoned]

``--abandoned`` prints, per seed, the callers each policy lost to abandonment and the mean over
the seeds: the one figure where the engine's lead is small enough to need more than three days.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from queue_engine.simulation.api import POLICIES, simulate
from queue_engine.simulation.trace import Shift, parse_partners
from queue_engine.simulation.tracegen import generate_day

PARTNERS_FILE = Path(__file__).with_name("partners_regional.csv")
OPERATORS = 60
CALLS = 20_000
# Figures that depend on the machine, not on the day: left out so runs compare equal.
_TIMING = ("wall_s", "sim_calls_per_s")
_LABELS = {
    "engine": "engine",
    "engine+partners": "engine + 2 partner centers",
    "asterisk-fifo": "plain app_queue (`asterisk-fifo`)",
    "asterisk-timeout": "app_queue, 40 s timeout to a callback offer (`asterisk-timeout`)",
}


def run_day(seed: int) -> dict[str, dict[str, Any]]:
    day = generate_day(seed=seed, calls=CALLS)
    shifts = [Shift(0.0, math.inf, OPERATORS)]
    partners = parse_partners(PARTNERS_FILE.read_text(encoding="utf-8").splitlines())
    rows: dict[str, dict[str, Any]] = {}
    for policy in POLICIES:
        rows[policy], _ = simulate(policy=policy, arrivals=day, shifts=shifts, seed=0)
    rows["engine+partners"], _ = simulate(
        policy="engine", arrivals=day, shifts=shifts, partners=partners, seed=0
    )
    for report in rows.values():
        for key in _TIMING:
            report.pop(key, None)
    return rows


def _cell(report: dict[str, Any], key: str, best: bool) -> str:
    value = report[key]
    text = f"{value:.2f} %" if isinstance(value, float) else str(value)
    return f"**{text}**" if best else text


def markdown(results: dict[int, dict[str, dict[str, Any]]]) -> str:
    lines = [
        "| seed | policy | service level within 40 s | of all callers | abandoned "
        "| callbacks on time / requested | callers past 40 s unoffered |",
        "|---|---|---|---|---|---|---|",
    ]
    for seed, rows in results.items():
        best_sl = max(r["sl_pct"] for r in rows.values())
        best_offered = max(r["sl_offered_pct"] for r in rows.values())
        fewest = min(r["abandoned"] for r in rows.values())
        for name in ("engine", "engine+partners", "asterisk-fifo", "asterisk-timeout"):
            r = rows[name]
            callbacks = (
                "—"
                if name == "asterisk-fifo"
                else (f"{r['callbacks_on_time']} / {r['callbacks_on_time'] + r['callbacks_late']}")
            )
            lines.append(
                f"| {seed} | {_LABELS[name]} | {_cell(r, 'sl_pct', r['sl_pct'] == best_sl)} "
                f"| {_cell(r, 'sl_offered_pct', r['sl_offered_pct'] == best_offered)} "
                f"| {_cell(r, 'abandoned', r['abandoned'] == fewest)} "
                f"| {callbacks} | {r['breaches']} |"
            )
    lines.append("")
    lines.append(mae_text(results))
    return "\n".join(lines)


def mae_text(results: dict[int, dict[str, dict[str, Any]]]) -> str:
    """Predictor accuracy over the engine runs without partners, as a range over the seeds."""
    runs = [rows["engine"] for rows in results.values()]

    def span(key: str) -> str:
        values = [r[key] for r in runs]
        return f"{min(values):.2f}–{max(values):.2f} s"

    return (
        "Predicted wait, mean absolute error over answered callers who waited at least a second "
        f"(engine policy): engine {span('ewt_mae_waited_s')}, queue-length "
        f"{span('ewt_mae_waited_ql_s')}, last-to-enter-service {span('ewt_mae_waited_les_s')}; "
        f"over all answered callers: engine {span('ewt_mae_s')}, queue-length "
        f"{span('ewt_mae_ql_s')}, last-to-enter-service {span('ewt_mae_les_s')}."
    )


def abandoned(results: dict[int, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    per_seed = {
        str(seed): {name: rows[name]["abandoned"] for name in rows}
        for seed, rows in results.items()
    }
    names = list(next(iter(per_seed.values()), {}))
    mean = {n: round(sum(s[n] for s in per_seed.values()) / len(per_seed), 1) for n in names}
    wins = sum(
        1 for s in per_seed.values() if s["engine"] < min(s["asterisk-fifo"], s["asterisk-timeout"])
    )
    return {
        "abandoned": per_seed,
        "mean": mean,
        "engine_alone_fewest": wins,
        "seeds": len(per_seed),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--markdown", action="store_true", help="print the README's table")
    parser.add_argument("--abandoned", action="store_true", help="abandonment per seed, mean")
    args = parser.parse_args(argv)
    results = {seed: run_day(seed) for seed in args.seeds}
    if args.markdown:
        print(markdown(results))
    elif args.abandoned:
        json.dump(abandoned(results), sys.stdout)
        print()
    else:
        json.dump({str(k): v for k, v in results.items()}, sys.stdout, ensure_ascii=False)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
