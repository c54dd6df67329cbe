"""Prometheus metrics: own registry, names prefixed callcenter_, gauges following snapshots."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from web_snapshots import T0, callback, caller, operator, partner, queue, snapshot

from callcenter.web.metrics import Metrics


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.render().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_every_metric_is_prefixed_and_not_in_the_global_registry() -> None:
    metrics = Metrics()
    names = {name for name, _ in samples(metrics)}
    assert names
    assert all(n.startswith("callcenter_") for n in names)
    assert REGISTRY.get_sample_value("callcenter_ami_connected") is None


def test_finished_calls_feed_counter_and_wait_histogram() -> None:
    m = Metrics()
    m.observe_call_finished("general", "answered", 12.0)
    m.observe_call_finished("general", "answered", 45.0)
    m.observe_call_finished("general", "ivr", 0.0)
    m.observe_overflow("north", "out")
    s = samples(m)
    assert s[("callcenter_calls_total", (("outcome", "answered"), ("queue", "general")))] == 2
    assert s[("callcenter_calls_total", (("outcome", "ivr"), ("queue", "general")))] == 1
    assert s[("callcenter_queue_wait_seconds_bucket", (("le", "40.0"), ("queue", "general")))] == 1
    assert s[("callcenter_queue_wait_seconds_count", (("queue", "general"),))] == 2
    assert s[("callcenter_overflow_total", (("direction", "out"), ("partner", "north")))] == 1
    with pytest.raises(ValueError, match="unknown outcome"):
        m.observe_call_finished("general", "lost", 1.0)


def test_gauges_follow_the_snapshot_and_forget_vanished_series() -> None:
    m = Metrics()
    snap = snapshot(
        queues=(queue(waiting=(caller("c1", 33), caller("c2", 5, position=2))),),
        operators=(operator("a", "available"), operator("b", "paused"), operator("c", "talking")),
        callbacks=(callback("b1", T0 + 60), callback("b2", T0 - 5), callback("b3", T0 + 500)),
        partners=(partner("north", T0 - 20),),
        ami_connected=False,
        mode="emergency",
    )
    m.set_from_snapshot(snap)
    s = samples(m)
    q = (("queue", "general"),)
    assert s[("callcenter_queue_waiting_calls", q)] == 2
    assert s[("callcenter_queue_longest_wait_seconds", q)] == 33
    assert s[("callcenter_queue_limit_seconds", q)] == 40
    assert s[("callcenter_service_level_ratio", (*q, ("window", "15m")))] == pytest.approx(0.9)
    assert s[("callcenter_operators", (*q, ("state", "paused")))] == 1
    assert s[("callcenter_operators", (*q, ("state", "wrapup")))] == 0
    assert s[("callcenter_callbacks_pending", ())] == 3
    assert s[("callcenter_callbacks_late", ())] == 1
    assert s[("callcenter_callbacks_at_risk", ())] == 1
    assert s[("callcenter_partner_last_heard_age_seconds", (("partner", "north"),))] == 20
    assert s[("callcenter_partner_calls_today", (("direction", "out"), ("partner", "north")))] == 3
    assert s[("callcenter_ami_connected", ())] == 0
    assert s[("callcenter_mode", (("mode", "emergency"),))] == 1
    m.set_from_snapshot(snapshot())
    assert ("callcenter_queue_waiting_calls", q) not in samples(m)


def test_handed_over_calls_are_counted_by_partner_direction_and_outcome() -> None:
    m = Metrics()
    m.observe_overflow_outcome("north", "out", "answered", 12.0)
    m.observe_overflow_outcome("north", "out", "abandoned", 70.0)
    m.observe_overflow_outcome("south", "in", "answered", 3.0)
    s = samples(m)
    out = (("direction", "out"), ("partner", "north"))
    name = "callcenter_overflow_outcomes_total"
    assert s[(name, (("direction", "out"), ("outcome", "answered"), ("partner", "north")))] == 1
    assert s[(name, (("direction", "out"), ("outcome", "abandoned"), ("partner", "north")))] == 1
    assert s[(name, (("direction", "in"), ("outcome", "answered"), ("partner", "south")))] == 1
    assert s[("callcenter_overflow_wait_seconds_count", out)] == 2
    assert s[("callcenter_overflow_wait_seconds_sum", out)] == 82.0
    assert s[("callcenter_overflow_wait_seconds_bucket", (out[0], ("le", "40.0"), out[1]))] == 1
    with pytest.raises(ValueError, match="direction"):
        m.observe_overflow_outcome("north", "sideways", "answered", 1.0)
