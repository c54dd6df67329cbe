"""After a restart the resync takes over what Asterisk has now (a real engine, a fixed clock)."""

from runtime_support import completed, connected, member
from test_runtime_bridge import CITIZEN_FIRST, OPERATOR_FIRST, FixedClock, events

from callcenter.pbx import facts as f
from callcenter.pbx.snapshots import ChannelSnapshot, PbxResynced, QueueEntrySnapshot
from callcenter.runtime.channels import ChannelBook
from callcenter.runtime.engine_runner import Batch, EngineRunner
from callcenter.runtime.pbx_bridge import PbxBridge
from callcenter.runtime.restore import OpenCall
from callcenter.runtime.resync import callback_channel_id, parse_callback_leg, takeover
from queue_engine import commands as c
from queue_engine import events as e
from queue_engine import messages as m
from queue_engine.config import CallbackPolicy, EngineConfig, QueueConfig
from queue_engine.engine import Engine
from queue_engine.model.calls import CallStage

NOW = 1_700_038_800.0  # 12:00 Moscow: day mode


def make(callbacks: CallbackPolicy | None = None) -> tuple[PbxBridge, FixedClock, list[Batch]]:
    clock = FixedClock(NOW)
    config = EngineConfig(queues=(QueueConfig("citizens"),), callbacks=callbacks or CITIZEN_FIRST)
    engine = Engine(config=config)
    runner = EngineRunner(engine=engine, clock=clock)
    batches: list[Batch] = []
    runner.add_sink(batches.append)
    return PbxBridge(runner=runner, channels=ChannelBook()), clock, batches


def channel(
    name: str,
    uniqueid: str,
    *,
    age: int,
    bridge: str = "",
    num: str = "",
    context: str = "",
    state: int = 6,
) -> ChannelSnapshot:
    return ChannelSnapshot(
        channel=name, uniqueid=uniqueid, linkedid=uniqueid, state=state,
        state_desc="Up" if state == 6 else "Ringing", callerid_num=num, callerid_name="",
        context=context, exten="s", priority="1", application="", application_data="",
        duration_s=age, bridge_id=bridge,
    )  # fmt: skip


def entry(uniqueid: str, position: int, wait: int, priority: int = 0) -> QueueEntrySnapshot:
    return QueueEntrySnapshot(
        queue="citizens", position=position, channel=f"PJSIP/citizen-{uniqueid}",
        uniqueid=uniqueid, callerid_num="+79031112233", callerid_name="", wait=wait,
        priority=priority,
    )  # fmt: skip


def restored_callback(bridge: PbxBridge, callback_id: str = "cb-1.1") -> None:
    bridge.runner.feed(
        m.CallbackRestored(
            callback_id, "1.1", "+79031112233", "", NOW - 100, NOW + 500, NOW - 100, attempts=0
        )
    )


def test_callback_leg_ids_round_trip() -> None:
    assert parse_callback_leg(callback_channel_id("cb-1795503716.7", 2)) == ("cb-1795503716.7", 2)
    assert parse_callback_leg("1795503716.7") is None
    assert parse_callback_leg("cb-1.1-tryx") is None


def test_a_callback_talking_at_the_restart_is_followed_not_dialled_again() -> None:
    bridge, clock, batches = make(OPERATOR_FIRST)
    restored_callback(bridge)
    leg = callback_channel_id("cb-1.1", 1)
    busy = member("PJSIP/101", paused=True, reason="callback cb-1.1", in_call=True, status=2)
    free = member("PJSIP/102")
    bridge(
        PbxResynced(
            queues=(),
            members=(busy, free),
            entries=(),
            channels=(
                channel("PJSIP/101-0001", leg, age=60, bridge="b1"),
                channel("PJSIP/citizen-0002", "2.2", age=50, bridge="b1"),
            ),
        )
    )
    # A free operator was there, yet nobody dials the request again.
    assert events(batches, c.OriginateCallback) == []
    engine = bridge.runner.engine
    request = engine.callbacks.desk.requests["cb-1.1"]
    assert request.dialling
    assert request.attempts == 1
    assert request.served_at == NOW - 50
    op = engine.state.operators.get("PJSIP/101")
    assert op is not None
    assert op.reserved_for == "cb-1.1"
    assert engine.call("2.2") is None  # the citizen's leg of a callback is no inbound call
    # The conversation ends: the request is served and the operator unpaused.
    clock.t += 30
    bridge(f.ChannelHungUp("PJSIP/101-0001", leg, leg, 16, "Normal Clearing"))
    done = events(batches, e.CallbackCompleted)
    assert [(d.callback_id, d.outcome, d.on_time) for d in done] == [("cb-1.1", "served", True)]
    assert [r.operator_id for r in events(batches, c.ReleaseOperator)] == ["PJSIP/101"]


def test_a_callback_ringing_at_the_restart_reports_its_dial_result() -> None:
    bridge, _, batches = make(OPERATOR_FIRST)
    restored_callback(bridge)
    leg = callback_channel_id("cb-1.1", 3)
    bridge(
        PbxResynced(
            queues=(),
            members=(member("PJSIP/101", in_call=True, status=2),),
            entries=(),
            channels=(channel("PJSIP/101-0001", leg, age=5),),
        )
    )
    bridge(f.DialEnded(uniqueid=leg, dest_channel="x", dest_uniqueid="y", dial_status="NOANSWER"))
    attempted = events(batches, e.CallbackAttempted)
    assert [(a.callback_id, a.attempt, a.result.value) for a in attempted] == [
        ("cb-1.1", 3, "no_answer")
    ]


def test_waiting_callers_are_taken_over_in_asterisks_order_with_their_waits() -> None:
    bridge, _, batches = make()
    # 5.1 was recorded before the restart: it first joined long ago and was offered a callback.
    bridge.open_calls = {"5.1": OpenCall(entered_queue_at=NOW - 70, offered=True)}
    bridge(
        PbxResynced(
            queues=(),
            members=(member(in_call=True, status=2),),
            entries=(entry("5.2", 1, wait=45, priority=1), entry("5.1", 2, wait=20)),
            channels=(
                channel("PJSIP/citizen-5.1", "5.1", age=75),
                channel("PJSIP/citizen-5.2", "5.2", age=48),
            ),
        )
    )
    engine = bridge.runner.engine
    waiting = engine.state.queue("citizens").waiting
    assert [(w.call_id, w.joined_at, w.arrived_at) for w in waiting] == [
        ("5.2", NOW - 45, NOW - 48),
        ("5.1", NOW - 70, NOW - 75),
    ]
    # The one never offered a way out is offered now; the other is not offered twice.
    assert [o.call_id for o in events(batches, c.OfferCallback)] == ["5.2"]
    assert events(batches, c.RouteToQueue) == []  # no entry decision is made again


def test_a_call_talking_at_the_restart_is_followed_to_its_end() -> None:
    bridge, clock, batches = make()
    alive: list[set[str]] = []
    bridge.on_resynced = alive.append
    bridge(
        PbxResynced(
            queues=(),
            members=(member(in_call=True, status=2),),
            entries=(),
            channels=(
                channel("PJSIP/citizen-6.1", "6.1", age=90, bridge="b6", num="+79031112233"),
                channel("PJSIP/101-0003", "6.2", age=40, bridge="b6"),
            ),
        )
    )
    call = bridge.runner.engine.call("6.1")
    assert call is not None
    assert (call.stage, call.operator_id, call.answered_at) == (
        CallStage.TALKING,
        "PJSIP/101",
        NOW - 40,
    )
    assert alive == [{"6.1", "6.2"}]
    clock.t += 10
    bridge(completed("6.1"))
    assert bridge.runner.engine.call("6.1") is None
    assert [b.message for b in batches if isinstance(b.message, m.CallEnded)] == [
        m.CallEnded("6.1")
    ]


def test_an_operator_left_paused_for_a_callback_that_ended_meanwhile_is_unpaused() -> None:
    bridge, _, batches = make(OPERATOR_FIRST)
    restored_callback(bridge)
    left = member("PJSIP/101", paused=True, reason="callback cb-1.1")
    own = member("PJSIP/102", paused=True, reason="обед")
    bridge(PbxResynced(queues=(), members=(left, own), entries=(), channels=()))
    assert [r.operator_id for r in events(batches, c.ReleaseOperator)] == ["PJSIP/101"]
    assert events(batches, c.OriginateCallback) == []  # dialled once the pause is lifted


# Citizen-first legs: the citizen's own channel, ringing, waiting in the queue or talking.


def citizen_leg(attempt: int = 1, *, age: int, bridge: str = "", state: int = 6) -> ChannelSnapshot:
    return channel(
        "PJSIP/citizen-trunk-0007", callback_channel_id("cb-1.1", attempt), age=age,
        bridge=bridge, num="+79031112233", context="cc-callback-in", state=state,
    )  # fmt: skip


def test_a_citizen_waiting_in_the_queue_at_the_restart_is_followed_not_dialled_again() -> None:
    bridge, clock, batches = make()
    restored_callback(bridge)
    leg = callback_channel_id("cb-1.1", 2)
    waiting = entry(leg, 1, wait=30, priority=100)
    other = entry("8.1", 2, wait=10)
    found = takeover(
        PbxResynced(
            queues=(), members=(member(),), entries=(waiting, other),
            channels=(citizen_leg(2, age=45), channel("PJSIP/citizen-8.1", "8.1", age=12)),
        ),
        NOW, is_callback=lambda cb: cb == "cb-1.1", ours=lambda q: True,
    )  # fmt: skip
    assert found.legs == ((leg, m.CallbackLegFound("cb-1.1", "", 2, NOW - 30, True)),)
    assert [a.call_id for a in found.waiting] == ["8.1"]  # the citizen is no inbound caller
    bridge(
        PbxResynced(
            queues=(), members=(member(),), entries=(waiting, other),
            channels=(citizen_leg(2, age=45), channel("PJSIP/citizen-8.1", "8.1", age=12)),
        )
    )  # fmt: skip
    engine = bridge.runner.engine
    assert engine.call(leg) is None
    # A free operator is there, yet the request is not dialled again: the citizen waits.
    assert events(batches, c.DialCitizen) == []
    request = engine.callbacks.desk.requests["cb-1.1"]
    assert (request.dialling, request.attempts, request.answered_at) == (True, 2, NOW - 30)
    clock.t += 5
    bridge(connected(leg))
    clock.t += 60
    bridge(f.ChannelHungUp("PJSIP/citizen-trunk-0007", leg, leg, 16, "Normal Clearing"))
    done = events(batches, e.CallbackCompleted)
    assert [(d.callback_id, d.outcome, d.on_time) for d in done] == [("cb-1.1", "served", True)]
    assert [b.message for b in batches if isinstance(b.message, m.CallbackConnected)] == [
        m.CallbackConnected("cb-1.1", "PJSIP/101")
    ]


def test_a_citizen_talking_with_an_operator_at_the_restart_is_followed_to_its_end() -> None:
    bridge, clock, batches = make()
    restored_callback(bridge)
    leg = callback_channel_id("cb-1.1", 1)
    busy = member("PJSIP/101", in_call=True, status=2)
    snapshot = PbxResynced(
        queues=(), members=(busy, member("PJSIP/102")), entries=(),
        channels=(citizen_leg(age=90, bridge="b1"), channel("PJSIP/101-0009", "9.9", age=40,
                                                           bridge="b1")),
    )  # fmt: skip
    found = takeover(snapshot, NOW, is_callback=lambda cb: True, ours=lambda q: True)
    assert found.legs == ((leg, m.CallbackLegFound("cb-1.1", "PJSIP/101", 1, NOW - 40, True)),)
    assert found.talking == ()  # not adopted as an inbound call talking
    bridge(snapshot)
    assert bridge.runner.engine.call(leg) is None
    assert events(batches, c.DialCitizen) == []
    request = bridge.runner.engine.callbacks.desk.requests["cb-1.1"]
    assert (request.operator_id, request.served_at) == ("PJSIP/101", NOW - 40)
    clock.t += 30
    bridge(completed(leg))
    bridge(f.ChannelHungUp("PJSIP/citizen-trunk-0007", leg, leg, 16, "Normal Clearing"))
    done = events(batches, e.CallbackCompleted)
    assert [(d.callback_id, d.outcome) for d in done] == [("cb-1.1", "served")]


def test_a_citizen_ringing_at_the_restart_reports_the_originate_result() -> None:
    bridge, _, batches = make()
    restored_callback(bridge)
    leg = callback_channel_id("cb-1.1", 1)
    bridge(
        PbxResynced(
            queues=(), members=(member(),), entries=(),
            channels=(citizen_leg(age=8, state=5),),
        )
    )  # fmt: skip
    request = bridge.runner.engine.callbacks.desk.requests["cb-1.1"]
    assert (request.dialling, request.citizen_first, request.answered_at) == (True, True, None)
    assert events(batches, c.DialCitizen) == []
    bridge(
        f.OriginateOutcome(
            "", False, 3, "no answer", "PJSIP/x@citizen-trunk", leg, "cc-callback-in", "s"
        )
    )
    attempted = events(batches, e.CallbackAttempted)
    assert [(a.attempt, a.result) for a in attempted] == [(1, "no_answer")]


def test_a_leg_that_ended_while_the_link_was_down_ends_on_the_resync() -> None:
    bridge, _, batches = make()
    restored_callback(bridge)
    leg = callback_channel_id("cb-1.1", 1)
    bridge(PbxResynced(queues=(), members=(member(),), entries=(entry(leg, 1, wait=5),),
                       channels=(citizen_leg(age=15),)))  # fmt: skip
    # The link drops; the citizen hangs up meanwhile; the next resync no longer shows them.
    bridge(PbxResynced(queues=(), members=(member(),), entries=(), channels=()))
    attempted = events(batches, e.CallbackAttempted)
    assert [(a.attempt, a.result) for a in attempted] == [(1, "hung_up")]
    assert bridge.channels.callback_legs == {}
