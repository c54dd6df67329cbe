"""A reproducible day of a regional center: ~20,000 calls, peak 10–12 h, written as trace CSV.

Run ``python -m queue_engine.simulation.tracegen --seed 1 > day.csv``. Arrivals follow an hourly
profile (Poisson within each hour, the count per hour fixed by the profile); handle times are
lognormal (mean ``mean_service_s``, coefficient of variation ~1); patience is exponential, and a
share of callers waits forever.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Sequence

from queue_engine.simulation.trace import Arrival

# Relative call volume per local hour 0..23 of a regional public-service center.
REGIONAL_PROFILE: tuple[float, ...] = (
    0.5, 0.3, 0.2, 0.2, 0.2, 0.4, 1.0, 2.5, 5.0, 7.5, 9.0, 9.0,
    7.5, 7.0, 7.0, 6.5, 6.0, 5.0, 4.0, 3.0, 2.5, 2.0, 1.2, 0.8,
)  # fmt: skip
TOPICS: tuple[str, ...] = ("benefits", "housing", "transport", "health", "documents", "other")


def generate_day(
    *,
    seed: int,
    calls: int = 20_000,
    mean_service_s: float = 110.0,
    mean_patience_s: float = 150.0,
    forever_share: float = 0.1,
    profile: Sequence[float] = REGIONAL_PROFILE,
) -> list[Arrival]:
    rng = random.Random(seed)
    total = sum(profile)
    sigma = math.sqrt(math.log(2.0))  # CV = 1
    mu = math.log(mean_service_s) - sigma * sigma / 2
    arrivals = []
    hours = rng.choices(range(len(profile)), weights=[w / total for w in profile], k=calls)
    for hour in hours:
        t = (hour + rng.random()) * 3600.0
        service = max(10.0, rng.lognormvariate(mu, sigma))
        patience = None if rng.random() < forever_share else rng.expovariate(1 / mean_patience_s)
        arrivals.append(
            Arrival(round(t, 3), round(service, 1), _round(patience), rng.choice(TOPICS))
        )
    arrivals.sort(key=lambda a: a.arrival)
    return arrivals


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def to_csv(arrivals: Sequence[Arrival]) -> str:
    rows = ["arrival,service,patience,topic"]
    for a in arrivals:
        patience = "" if a.patience is None else f"{a.patience}"
        rows.append(f"{a.arrival},{a.service},{patience},{a.topic}")
    return "\n".join(rows) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--mean-service", type=float, default=110.0)
    args = parser.parse_args(argv)
    day = generate_day(seed=args.seed, calls=args.calls, mean_service_s=args.mean_service)
    sys.stdout.write(to_csv(day))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
