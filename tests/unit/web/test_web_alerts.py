"""Alert evaluation: a table of snapshot + time -> the alerts expected."""

from __future__ import annotations

import pytest
from web_snapshots import T0, callback, caller, operator, partner, queue, snapshot

from callcenter.web.alerts import AlertThresholds, AlertTracker, evaluate_alerts
from callcenter.web.live import Snapshot

TH = AlertThresholds(sl_target_pct=80, near_limit_s=10, callback_risk_s=120, partner_silent_s=60)

CASES = [
    ("all quiet", snapshot(queues=(queue(),), operators=(operator("op1", "available"),)), []),
    ("ami down", snapshot(ami_connected=False), [("ami_down", "critical")]),
    ("sl below target", snapshot(queues=(queue(sl15=79.9),)), [("sl_low:general", "warning")]),
    ("sl exactly on target", snapshot(queues=(queue(sl15=80.0),)), []),
    ("sl unknown (nothing offered)", snapshot(queues=(queue(sl15=None),)), []),
    (
        "caller near limit, nobody free",
        snapshot(
            queues=(queue(waiting=(caller("c1", 31),)),), operators=(operator("a", "talking"),)
        ),
        [("near_limit:c1", "warning")],
    ),
    (
        "caller past limit, nobody free",
        snapshot(queues=(queue(waiting=(caller("c1", 41),)),)),
        [("near_limit:c1", "critical")],
    ),
    (
        "caller near limit but an operator is free",
        snapshot(
            queues=(queue(waiting=(caller("c1", 35),)),), operators=(operator("a", "available"),)
        ),
        [],
    ),
    (
        "free operator of another queue does not count",
        snapshot(
            queues=(queue(waiting=(caller("c1", 35),)),),
            operators=(operator("a", "available", ("other",)),),
        ),
        [("near_limit:c1", "warning")],
    ),
    ("caller early in the wait", snapshot(queues=(queue(waiting=(caller("c1", 29),)),)), []),
    ("callback far from deadline", snapshot(callbacks=(callback("b1", T0 + 121),)), []),
    (
        "callback near deadline",
        snapshot(callbacks=(callback("b1", T0 + 120),)),
        [("callback_at_risk:b1", "warning")],
    ),
    (
        "callback late",
        snapshot(callbacks=(callback("b1", T0 - 1),)),
        [("callback_at_risk:b1", "critical")],
    ),
    ("done callback past deadline", snapshot(callbacks=(callback("b1", T0 - 1, "done"),)), []),
    ("partner heard recently", snapshot(partners=(partner("p1", T0 - 60),)), []),
    (
        "partner silent",
        snapshot(partners=(partner("p1", T0 - 61),)),
        [("partner_silent:p1", "warning")],
    ),
    (
        "partner never heard",
        snapshot(partners=(partner("p1", None),)),
        [("partner_silent:p1", "warning")],
    ),
]


@pytest.mark.parametrize(("snap", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_evaluate_alerts_table(snap: Snapshot, expected: list[tuple[str, str]]) -> None:
    alerts = evaluate_alerts(snap, T0, TH)
    assert [(a.id, a.severity) for a in alerts] == expected
    assert all(a.text and a.since == T0 for a in alerts)


def test_alert_texts_are_russian_and_name_the_subject() -> None:
    snap = snapshot(queues=(queue(sl15=50.0),), partners=(partner("p1", None),))
    texts = [a.text for a in evaluate_alerts(snap, T0, TH)]
    assert texts == [
        "Очередь «Общая»: уровень обслуживания за 15 минут 50% (цель 80%)",
        "Партнёрский центр «Центр p1» не отвечает (нет данных)",
    ]


def test_tracker_keeps_first_seen_time_and_forgets_resolved_alerts() -> None:
    clock = [T0]
    tracker = AlertTracker(TH, clock=lambda: clock[0])
    down = snapshot(ami_connected=False)
    assert tracker(down).alerts[0].since == T0
    clock[0] = T0 + 5
    assert tracker(down).alerts[0].since == T0
    assert tracker(snapshot()).alerts == ()
    clock[0] = T0 + 9
    assert tracker(down).alerts[0].since == T0 + 9
