"""The live snapshot schema and the hub's fan-out with bounded per-client queues."""

from __future__ import annotations

import dataclasses
import json

import pytest
from web_snapshots import T0, callback, caller, operator, partner, queue, snapshot

from callcenter.web.live import Alert, LiveHub, Snapshot, Subscription, mask_number


@pytest.mark.parametrize(
    ("number", "masked"),
    [("+7 (912) 345-67-89", "*******6789"), ("89123456789", "*******6789"), ("112", "***")],
)
def test_mask_number_keeps_only_the_last_four_digits(number: str, masked: str) -> None:
    assert mask_number(number) == masked


def test_snapshot_to_json_is_the_json_of_to_dict() -> None:
    snap = snapshot(
        queues=(queue(waiting=(caller("c1", 12), caller("c2", 3, position=2))),),
        operators=(operator("a", "paused"), operator("b", "talking")),
        callbacks=(callback("cb1", T0 + 300), callback("cb2", T0 + 600, "dialing")),
        partners=(partner("p1", T0 - 5), partner("p2", None)),
        alerts=(Alert("a1", "sla", "critical", "Очередь ЖКХ: ожидание выше нормы", T0),),
    )
    expected = json.dumps(snap.to_dict(), ensure_ascii=False, separators=(",", ":"))
    assert snap.to_json() == expected
    with pytest.raises(TypeError, match="not part of the snapshot schema"):
        dataclasses.replace(snap, mode=object()).to_json()  # type: ignore[arg-type]


def test_snapshot_to_json_carries_every_section_in_russian_unescaped() -> None:
    snap = snapshot(
        queues=(queue(waiting=(caller("c1", 12),)),), operators=(operator("a", "paused"),)
    )
    data = json.loads(snap.to_json())
    assert data["mode"] == "day"
    assert data["queues"][0]["waiting"][0] == {
        "call_id": "c1", "number_masked": "*******1234", "since": T0 - 12, "position": 1,
        "predicted_wait_s": 20.0, "priority": 0, "topic": "ЖКХ", "topic_title": "",
    }  # fmt: skip
    assert data["queues"][0]["figures"]["sl_15m_pct"] == 90.0
    assert data["operators"][0]["queues"] == ["general"]
    assert "ЖКХ" in snap.to_json()
    assert set(data) == {
        "taken_at", "mode", "queues", "operators", "callbacks", "partners", "alerts",
        "ami_connected", "announcement", "timezone",
    }  # fmt: skip


def test_subscription_keeps_only_the_newest_when_full() -> None:
    sub = Subscription(maxsize=1)
    for n in range(5):
        sub.offer(f"s{n}")
    assert sub.pending() == 1
    assert sub.dropped == 4


async def test_subscription_delivers_in_order_within_its_bound() -> None:
    sub = Subscription(maxsize=3)
    for n in range(5):
        sub.offer(f"s{n}")
    assert [await sub.next() for _ in range(3)] == ["s2", "s3", "s4"]


async def test_hub_fans_out_without_waiting_and_a_slow_subscriber_only_loses_old_snapshots() -> (
    None
):
    hub = LiveHub()
    slow, fast = hub.subscribe(), hub.subscribe()
    received = []
    for n in range(100):
        hub.publish(snapshot(taken_at=T0 + n))
        received.append(json.loads(await fast.next())["taken_at"])
    assert received == [T0 + n for n in range(100)]
    assert slow.pending() == 1
    assert slow.dropped == 99
    assert json.loads(await slow.next())["taken_at"] == T0 + 99


async def test_new_subscriber_gets_the_latest_snapshot_at_once() -> None:
    hub = LiveHub()
    hub.publish(snapshot(mode="emergency"))
    sub = hub.subscribe()
    assert json.loads(await sub.next())["mode"] == "emergency"
    hub.unsubscribe(sub)
    assert hub.subscriber_count == 0


def test_hub_applies_the_transform_and_calls_listeners() -> None:
    seen: list[Snapshot] = []
    hub = LiveHub(transform=lambda s: dataclasses.replace(s, announcement="x"))
    hub.add_listener(seen.append)
    hub.publish(snapshot())
    assert hub.latest is not None
    assert hub.latest.announcement == "x"
    assert seen == [hub.latest]
    assert hub.latest_json == hub.latest.to_json()
