"""Reports built from call records: pure functions over an iterable of `CallRow`.

Interface for the lead: map each stored call to a `CallRow` (below) and give
`add_supervisor_routes` a `report_source(start, end) -> list[CallRow]` (async, epoch seconds,
start inclusive, end exclusive on `arrived_at`).

Definitions (one row per call that reached the engine):

- offered: calls that queued for an operator (every outcome except "ivr");
- answered / answered within limit: outcome "answered" / and `answered_within_limit`;
- service level % = answered within limit / offered * 100 (callbacks, overflows and abandons
  count against it: the citizen was not connected within the limit);
- ASA = mean wait of answered calls; AHT = mean talk time of answered calls;
- abandoned: outcome "abandoned"; callbacks requested: outcome "callback", on time:
  `callback_on_time` is True;
- overflow out: outcome "overflowed" (direction "out"); of those, answered at the partner and
  the mean wait there, as the partner reported back (`partner_outcome`, `partner_wait_s`);
- overflow in: `overflow_direction` "in"; of those, answered here and their ASA;
- IVR (automatic mode): outcome "ivr", the call was served by self-service without an operator;
- surveys: count and mean of `survey_rating` (1..5) and the count per rating.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

OUTCOMES = ("answered", "abandoned", "overflowed", "callback", "ivr", "failed")
GROUPINGS = ("hour", "day", "queue", "topic", "operator", "partner")
TOTAL = "Итого"
NONE_KEY = "—"


@dataclass(frozen=True)
class CallRow:
    call_id: str
    arrived_at: float
    queue: str
    topic: str
    operator_id: str | None
    mode: str  # "day" | "automatic" | "emergency"
    outcome: str  # one of OUTCOMES
    wait_s: float
    talk_s: float
    answered_within_limit: bool
    overflow_partner: str | None = None
    overflow_direction: str | None = None  # "in" | "out" | None
    callback_on_time: bool | None = None
    survey_rating: int | None = None
    survey_answers: tuple[tuple[str, str], ...] = ()  # (question, answer)
    partner_outcome: str | None = None  # reported back by the partner we overflowed to
    partner_wait_s: float | None = None


@dataclass(frozen=True)
class ReportLine:
    key: str
    offered: int
    answered: int
    answered_in_limit: int
    sl_pct: float | None
    asa_s: float | None
    aht_s: float | None
    abandoned: int
    callbacks_requested: int
    callbacks_on_time: int
    overflow_out: int
    overflow_in: int
    overflow_out_answered: int
    overflow_out_wait_s: float | None
    overflow_in_answered: int
    overflow_in_asa_s: float | None
    ivr_served: int
    surveys: int
    survey_avg: float | None
    ratings: tuple[int, int, int, int, int]  # count of 1, 2, 3, 4, 5


def group_key(grouping: str, tz: tzinfo) -> Callable[[CallRow], str]:
    if grouping == "hour":
        return lambda r: datetime.fromtimestamp(r.arrived_at, tz).strftime("%H:00")
    if grouping == "day":
        return lambda r: datetime.fromtimestamp(r.arrived_at, tz).strftime("%Y-%m-%d")
    if grouping == "queue":
        return lambda r: r.queue or NONE_KEY
    if grouping == "topic":
        return lambda r: r.topic or NONE_KEY
    if grouping == "operator":
        return lambda r: r.operator_id or NONE_KEY
    if grouping == "partner":  # the center a call went to, or came from
        return lambda r: r.overflow_partner or NONE_KEY
    raise ValueError(f"unknown grouping {grouping!r}; expected one of {', '.join(GROUPINGS)}")


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(key: str, rows: list[CallRow]) -> ReportLine:
    answered = [r for r in rows if r.outcome == "answered"]
    offered = sum(1 for r in rows if r.outcome != "ivr")
    in_limit = sum(1 for r in answered if r.answered_within_limit)
    ratings = [r.survey_rating for r in rows if r.survey_rating is not None]
    sent = [r for r in rows if r.outcome == "overflowed"]
    received_answered = [r for r in answered if r.overflow_direction == "in"]
    counts = tuple(ratings.count(n) for n in range(1, 6))
    return ReportLine(
        key=key,
        offered=offered,
        answered=len(answered),
        answered_in_limit=in_limit,
        sl_pct=100.0 * in_limit / offered if offered else None,
        asa_s=_mean([r.wait_s for r in answered]),
        aht_s=_mean([r.talk_s for r in answered]),
        abandoned=sum(1 for r in rows if r.outcome == "abandoned"),
        callbacks_requested=sum(1 for r in rows if r.outcome == "callback"),
        callbacks_on_time=sum(1 for r in rows if r.callback_on_time is True),
        overflow_out=len(sent),
        overflow_in=sum(1 for r in rows if r.overflow_direction == "in"),
        overflow_out_answered=sum(1 for r in sent if r.partner_outcome == "answered"),
        overflow_out_wait_s=_mean([r.partner_wait_s for r in sent if r.partner_wait_s is not None]),
        overflow_in_answered=len(received_answered),
        overflow_in_asa_s=_mean([r.wait_s for r in received_answered]),
        ivr_served=sum(1 for r in rows if r.outcome == "ivr"),
        surveys=len(ratings),
        survey_avg=_mean([float(x) for x in ratings]),
        ratings=(counts[0], counts[1], counts[2], counts[3], counts[4]),
    )


def build_report(rows: Iterable[CallRow], grouping: str, tz: tzinfo) -> list[ReportLine]:
    """One line per group (sorted by key), then the total line keyed `TOTAL`."""
    key = group_key(grouping, tz)
    all_rows = list(rows)
    groups: dict[str, list[CallRow]] = defaultdict(list)
    for row in all_rows:
        groups[key(row)].append(row)
    lines = [summarize(k, groups[k]) for k in sorted(groups)]
    return [*lines, summarize(TOTAL, all_rows)]


@dataclass(frozen=True)
class SurveyAnswer:
    key: str
    question: str
    answer: str
    count: int


def survey_answers(rows: Iterable[CallRow], grouping: str, tz: tzinfo) -> list[SurveyAnswer]:
    """How often each answer was given to each survey question, per group."""
    key = group_key(grouping, tz)
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in rows:
        for question, answer in row.survey_answers:
            counts[(key(row), question, answer)] += 1
    return [SurveyAnswer(k, q, a, n) for (k, q, a), n in sorted(counts.items())]
