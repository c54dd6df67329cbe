"""Dashboard alerts computed from a live snapshot: a pure function plus a first-seen tracker.

`evaluate_alerts(snapshot, now, thresholds)` returns the alerts that hold at `now`, one per kind
and subject, with a stable `id` (e.g. "near_limit:<call_id>") so that the dashboard and the
`AlertTracker` can follow an alert across snapshots. Kinds (the same five as the Prometheus rules
in dashboards/prometheus/alerts.yml):

- `sl_low`: a queue's 15-minute service level is below the target;
- `near_limit`: a caller has waited close to the queue limit and no operator of that queue is free;
- `callback_at_risk`: a pending callback is close to (or past) its deadline;
- `partner_silent`: a partner center has not answered for a while;
- `ami_down`: the AMI link to Asterisk is down.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from callcenter.web.live import Alert, QueueView, Snapshot

FREE_STATES = ("available",)
OPEN_CALLBACKS = ("pending", "dialing")


@dataclass(frozen=True)
class AlertThresholds:
    sl_target_pct: float = 80.0
    near_limit_s: float = 10.0  # alert when this close to the queue limit
    callback_risk_s: float = 120.0  # alert when a deadline is this close
    partner_silent_s: float = 60.0


def evaluate_alerts(snapshot: Snapshot, now: float, thresholds: AlertThresholds) -> list[Alert]:
    alerts: list[Alert] = []
    if not snapshot.ami_connected:
        alerts.append(Alert("ami_down", "ami_down", "critical", "Нет связи с Asterisk (AMI)", now))
    for queue in snapshot.queues:
        alerts.extend(_service_level(queue, now, thresholds))
        alerts.extend(_near_limit(queue, snapshot, now, thresholds))
    alerts.extend(_callbacks(snapshot, now, thresholds))
    alerts.extend(_partners(snapshot, now, thresholds))
    return alerts


def _service_level(queue: QueueView, now: float, t: AlertThresholds) -> list[Alert]:
    sl = queue.figures.sl_15m_pct
    if sl is None or sl >= t.sl_target_pct:
        return []
    text = (
        f"Очередь «{queue.title or queue.name}»: уровень обслуживания за 15 минут "
        f"{sl:.0f}% (цель {t.sl_target_pct:.0f}%)"
    )
    return [Alert(f"sl_low:{queue.name}", "sl_low", "warning", text, now)]


def _free_operators(snapshot: Snapshot, queue: str) -> int:
    return sum(1 for o in snapshot.operators if queue in o.queues and o.state in FREE_STATES)


def _near_limit(queue: QueueView, snap: Snapshot, now: float, t: AlertThresholds) -> list[Alert]:
    if not queue.waiting or _free_operators(snap, queue.name) > 0:
        return []
    alerts = []
    for caller in queue.waiting:
        waited = now - caller.since
        if waited < queue.limit_s - t.near_limit_s:
            continue
        severity = "critical" if waited >= queue.limit_s else "warning"
        text = (
            f"Очередь «{queue.title or queue.name}»: абонент {caller.number_masked} ждёт "
            f"{waited:.0f} с из {queue.limit_s:.0f}, свободных операторов нет"
        )
        alerts.append(Alert(f"near_limit:{caller.call_id}", "near_limit", severity, text, now))
    return alerts


def _callbacks(snapshot: Snapshot, now: float, t: AlertThresholds) -> list[Alert]:
    alerts = []
    for cb in snapshot.callbacks:
        left = cb.deadline - now
        if cb.status not in OPEN_CALLBACKS or left > t.callback_risk_s:
            continue
        if left < 0:
            severity, text = "critical", f"Обратный звонок {cb.number_masked} просрочен"
        else:
            severity = "warning"
            text = f"Обратный звонок {cb.number_masked}: до срока {left:.0f} с"
        alerts.append(Alert(f"callback_at_risk:{cb.id}", "callback_at_risk", severity, text, now))
    return alerts


def _partners(snapshot: Snapshot, now: float, t: AlertThresholds) -> list[Alert]:
    alerts = []
    for p in snapshot.partners:
        if p.last_heard is not None and now - p.last_heard <= t.partner_silent_s:
            continue
        silent = "нет данных" if p.last_heard is None else f"{now - p.last_heard:.0f} с"
        text = f"Партнёрский центр «{p.name}» не отвечает ({silent})"
        alerts.append(Alert(f"partner_silent:{p.id}", "partner_silent", "warning", text, now))
    return alerts


class AlertTracker:
    """Adds evaluated alerts to each snapshot, keeping the time each alert was first seen.

    Use as the `LiveHub` transform: `LiveHub(transform=AlertTracker(thresholds))`. Alerts the
    engine put in the snapshot itself are kept.
    """

    def __init__(
        self,
        thresholds: AlertThresholds,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._thresholds = thresholds
        self._clock = clock
        self._first_seen: dict[str, float] = {}

    def __call__(self, snapshot: Snapshot) -> Snapshot:
        now = self._clock() if self._clock is not None else snapshot.taken_at
        found = evaluate_alerts(snapshot, now, self._thresholds)
        self._first_seen = {a.id: self._first_seen.get(a.id, a.since) for a in found}
        tracked = tuple(dataclasses.replace(a, since=self._first_seen[a.id]) for a in found)
        return dataclasses.replace(snapshot, alerts=snapshot.alerts + tracked)
