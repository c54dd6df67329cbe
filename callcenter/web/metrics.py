"""Prometheus metrics of the engine, on a registry of our own (never the global one).

The runtime calls `observe_call_finished(queue, outcome, wait_s)` once per finished call and
`observe_overflow(partner, direction)` per overflow hand-over; `set_from_snapshot(snapshot)` is
registered as a `LiveHub` listener so gauges follow the live picture. `metrics_handler` serves
`GET /metrics`. Dashboards (dashboards/grafana) and alert rules (dashboards/prometheus/alerts.yml)
use exactly these names:

- callcenter_queue_wait_seconds{queue}             histogram, wait of each finished call
- callcenter_calls_total{queue,outcome}            counter, outcome in `OUTCOMES`
- callcenter_overflow_total{partner,direction}     counter, direction "out" | "in"
- callcenter_overflow_outcomes_total{partner,direction,outcome}  counter: what became of a call
  handed over ("out": as the partner reported back; "in": here), outcome answered | abandoned |
  callback
- callcenter_overflow_wait_seconds{partner,direction}  histogram, the wait at the center that
  answered (or lost) the handed-over call
- callcenter_queue_waiting_calls{queue}            gauge
- callcenter_queue_longest_wait_seconds{queue}     gauge
- callcenter_queue_limit_seconds{queue}            gauge
- callcenter_queue_predicted_wait_seconds{queue}   gauge
- callcenter_operators{queue,state}                gauge
- callcenter_service_level_ratio{queue,window}     gauge 0..1, window "today" | "15m"
- callcenter_asa_seconds{queue}                    gauge
- callcenter_callbacks_pending / _late / _at_risk  gauges (at risk: deadline within 120 s)
- callcenter_partner_predicted_wait_seconds{partner}, callcenter_partner_accepting{partner},
  callcenter_partner_last_heard_age_seconds{partner},
  callcenter_partner_calls_today{partner,direction}  gauges
- callcenter_ami_connected                         gauge 1 | 0
- callcenter_mode{mode}                            gauge, 1 for the current mode
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import Counter as PromCounter

from callcenter.web.live import MODES, Snapshot

OUTCOMES = ("answered", "abandoned", "overflowed", "callback", "ivr", "failed")
WAIT_BUCKETS = (5.0, 10.0, 20.0, 30.0, 40.0, 60.0, 90.0, 120.0, 300.0)
AT_RISK_S = 120.0


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.wait = Histogram(
            "callcenter_queue_wait_seconds", "Wait in queue", ["queue"], buckets=WAIT_BUCKETS,
            registry=r,
        )  # fmt: skip
        self.calls = PromCounter(
            "callcenter_calls", "Finished calls", ["queue", "outcome"], registry=r
        )
        self.overflow = PromCounter(
            "callcenter_overflow", "Overflow hand-overs", ["partner", "direction"], registry=r
        )
        self.overflow_outcomes = PromCounter(
            "callcenter_overflow_outcomes", "What became of handed-over calls",
            ["partner", "direction", "outcome"], registry=r,
        )  # fmt: skip
        self.overflow_wait = Histogram(
            "callcenter_overflow_wait_seconds", "Wait of handed-over calls where they were served",
            ["partner", "direction"], buckets=WAIT_BUCKETS, registry=r,
        )  # fmt: skip
        self._labelled: list[Gauge] = []
        g = self._gauge
        self.waiting = g("callcenter_queue_waiting_calls", "Callers waiting", ["queue"])
        self.longest = g("callcenter_queue_longest_wait_seconds", "Longest wait now", ["queue"])
        self.limit = g("callcenter_queue_limit_seconds", "Wait limit", ["queue"])
        self.predicted = g("callcenter_queue_predicted_wait_seconds", "Predicted wait", ["queue"])
        self.operators = g("callcenter_operators", "Operators by state", ["queue", "state"])
        self.sl = g("callcenter_service_level_ratio", "Answered within limit", ["queue", "window"])
        self.asa = g("callcenter_asa_seconds", "Average speed of answer today", ["queue"])
        self.cb_pending = g("callcenter_callbacks_pending", "Callbacks not yet done", [])
        self.cb_late = g("callcenter_callbacks_late", "Open callbacks past deadline", [])
        self.cb_risk = g("callcenter_callbacks_at_risk", "Open callbacks near deadline", [])
        self.p_wait = g("callcenter_partner_predicted_wait_seconds", "Partner wait", ["partner"])
        self.p_accepting = g("callcenter_partner_accepting", "Partner accepts", ["partner"])
        self.p_age = g("callcenter_partner_last_heard_age_seconds", "Partner silence", ["partner"])
        self.p_today = g(
            "callcenter_partner_calls_today", "Overflow today", ["partner", "direction"]
        )
        self.ami = g("callcenter_ami_connected", "AMI link up", [])
        self.mode = g("callcenter_mode", "Current mode", ["mode"])

    def _gauge(self, name: str, doc: str, labels: list[str]) -> Gauge:
        gauge = Gauge(name, doc, labels, registry=self.registry)
        if labels:
            self._labelled.append(gauge)
        return gauge

    def observe_call_finished(self, queue: str, outcome: str, wait_s: float) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        self.calls.labels(queue=queue, outcome=outcome).inc()
        if outcome != "ivr":
            self.wait.labels(queue=queue).observe(max(wait_s, 0.0))

    def observe_overflow(self, partner: str, direction: str) -> None:
        if direction not in ("out", "in"):
            raise ValueError(f"unknown direction {direction!r}")
        self.overflow.labels(partner=partner, direction=direction).inc()

    def observe_overflow_outcome(
        self, partner: str, direction: str, outcome: str, wait_s: float
    ) -> None:
        if direction not in ("out", "in"):
            raise ValueError(f"unknown direction {direction!r}")
        self.overflow_outcomes.labels(partner=partner, direction=direction, outcome=outcome).inc()
        self.overflow_wait.labels(partner=partner, direction=direction).observe(max(wait_s, 0.0))

    def set_from_snapshot(self, snapshot: Snapshot) -> None:
        for gauge in self._labelled:  # series of vanished queues/partners must go
            gauge.clear()
        now = snapshot.taken_at
        self._queues(snapshot, now)
        self._callbacks(snapshot, now)
        self._partners(snapshot, now)
        self.ami.set(1 if snapshot.ami_connected else 0)
        for mode in MODES:
            self.mode.labels(mode=mode).set(1 if mode == snapshot.mode else 0)

    def _queues(self, snapshot: Snapshot, now: float) -> None:
        for q in snapshot.queues:
            self.waiting.labels(q.name).set(len(q.waiting))
            self.longest.labels(q.name).set(max((now - c.since for c in q.waiting), default=0.0))
            self.limit.labels(q.name).set(q.limit_s)
            _set_opt(self.predicted.labels(q.name).set, q.predicted_wait_s)
            f = q.figures
            _set_opt(self.sl.labels(q.name, "today").set, _ratio(f.sl_today_pct))
            _set_opt(self.sl.labels(q.name, "15m").set, _ratio(f.sl_15m_pct))
            _set_opt(self.asa.labels(q.name).set, f.asa_s)
            states = Counter(o.state for o in snapshot.operators if q.name in o.queues)
            for state in ("available", "ringing", "talking", "wrapup", "paused", "offline"):
                self.operators.labels(q.name, state).set(states.get(state, 0))

    def _callbacks(self, snapshot: Snapshot, now: float) -> None:
        open_ = [c for c in snapshot.callbacks if c.status in ("pending", "dialing")]
        self.cb_pending.set(len(open_))
        self.cb_late.set(sum(1 for c in open_ if c.deadline < now))
        self.cb_risk.set(sum(1 for c in open_ if now <= c.deadline <= now + AT_RISK_S))

    def _partners(self, snapshot: Snapshot, now: float) -> None:
        for p in snapshot.partners:
            _set_opt(self.p_wait.labels(p.id).set, p.predicted_wait_s)
            self.p_accepting.labels(p.id).set(1 if p.accepting else 0)
            age = None if p.last_heard is None else now - p.last_heard
            self.p_age.labels(p.id).set(age if age is not None else float("inf"))
            self.p_today.labels(p.id, "out").set(p.sent)
            self.p_today.labels(p.id, "in").set(p.received)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _ratio(pct: float | None) -> float | None:
    return None if pct is None else pct / 100.0


def _set_opt(setter: Callable[[float], None], value: float | None) -> None:
    if value is not None:
        setter(value)


def metrics_handler(metrics: Metrics) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        response = web.Response(body=metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    return handler
