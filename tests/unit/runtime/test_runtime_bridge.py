"""Asterisk facts reach the engine as the right messages (a real engine, a fixed clock)."""

import pytest
from runtime_support import completed, connected, hangup, joined, member

from callcenter.pbx import facts as f
from callcenter.pbx.snapshots import PbxResynced, QueueEntrySnapshot
from callcenter.runtime.channels import ChannelBook
from callcenter.runtime.engine_runner import Batch, EngineRunner
from callcenter.runtime.pbx_bridge import PbxBridge
from queue_engine import events as e
from queue_engine.config import EngineConfig, QueueConfig
from queue_engine.engine import Engine
from queue_engine.model.calls import CallOutcome
from queue_engine.model.operators import OperatorState


class FixedClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:  # a Tuesday, 01:13 Moscow
        self.t = now

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


def make() -> tuple[PbxBridge, FixedClock, list[Batch]]:
    clock = FixedClock(1_700_038_800.0)  # 12:00 Moscow: day mode
    engine = Engine(config=EngineConfig(queues=(QueueConfig("citizens"),)))
    runner = EngineRunner(engine=engine, clock=clock)
    batches: list[Batch] = []
    runner.add_sink(batches.append)
    return PbxBridge(runner=runner, channels=ChannelBook()), clock, batches


def events(batches: list[Batch], kind: type) -> list[object]:
    return [o for b in batches for o in b.outputs if isinstance(o, kind)]


def test_a_queued_call_answered_and_completed() -> None:
    bridge, clock, batches = make()
    bridge(f.QueueMemberAdded(member()))
    bridge(joined("1.1"))
    assert bridge.channels.channel("1.1") == "PJSIP/trunk-1.1"
    clock.t += 7
    bridge(connected("1.1"))
    done = events(batches, e.CallCompleted)
    assert [(d.call_id, d.outcome, d.wait_s) for d in done] == [("1.1", CallOutcome.ANSWERED, 7.0)]
    bridge(completed("1.1"))
    assert bridge.runner.engine.call("1.1") is None


def test_a_caller_who_hangs_up_while_waiting_abandoned() -> None:
    bridge, clock, batches = make()
    bridge(joined("2.1"))
    clock.t += 12
    bridge(hangup("2.1"))
    done = events(batches, e.CallCompleted)
    assert [(d.outcome, d.wait_s) for d in done] == [(CallOutcome.ABANDONED, 12.0)]
    assert bridge.channels.channel("2.1") is None


def test_a_hangup_during_an_agi_route_is_left_to_the_route() -> None:
    bridge, _, batches = make()
    bridge(joined("3.1"))
    bridge.channels.in_agi.add("3.1")
    bridge(hangup("3.1"))
    assert events(batches, e.CallCompleted) == []


def test_member_events_drive_operator_state() -> None:
    bridge, _, _ = make()
    bridge(f.QueueMemberAdded(member()))
    op = bridge.runner.engine.state.operators.get("PJSIP/101")
    assert op is not None
    assert op.state is OperatorState.AVAILABLE
    bridge(f.QueueMemberPaused(member(paused=True, reason="обучение"), True, "обучение"))
    assert op.state is OperatorState.PAUSED
    assert op.pause_reason == "обучение"
    bridge(f.QueueMemberRemoved(member()))
    assert op.state is OperatorState.OFFLINE


def test_resync_introduces_waiting_callers_and_forgets_vanished_ones() -> None:
    bridge, _, batches = make()
    bridge(joined("4.1"))  # known before the link dropped; gone from Asterisk meanwhile
    entry = QueueEntrySnapshot(
        queue="citizens", position=1, channel="PJSIP/trunk-4.2", uniqueid="4.2",
        callerid_num="+79031112233", callerid_name="", wait=9, priority=0,
    )  # fmt: skip
    bridge(PbxResynced(queues=(), members=(member(),), entries=(entry,), channels=()))
    engine = bridge.runner.engine
    assert engine.call("4.2") is not None
    assert engine.call("4.1") is None
    assert [d.call_id for d in events(batches, e.CallCompleted)] == ["4.1"]
    assert engine.state.operators.get("PJSIP/101") is not None


def test_callback_leg_results_are_reported_from_dial_end() -> None:
    bridge, _, batches = make()
    bridge(
        f.VariableSet(
            channel="PJSIP/101-01", uniqueid="cb-leg", name="CC_CALLBACK_ID", value="cb-9"
        )
    )
    bridge(
        f.DialEnded(
            uniqueid="cb-leg", dest_channel="PJSIP/x", dest_uniqueid="d", dial_status="BUSY"
        )
    )
    fed = [b.message for b in batches]
    assert fed == [] or all(m is not None for m in fed)
    leg = bridge.channels.callback_legs["cb-leg"]
    assert leg.reported
    assert not leg.answered


def test_callers_of_a_queue_the_engine_does_not_run_are_left_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bridge, _, batches = make()
    bridge(joined("3.1", queue="helpdesk"))
    bridge(joined("3.2", queue="helpdesk"))
    assert bridge.runner.engine.call("3.1") is None
    assert batches == []
    warnings = [r.getMessage() for r in caplog.records if "helpdesk" in r.getMessage()]
    assert len(warnings) == 1  # said once, not per caller
    bridge(joined("3.3"))  # the engine's own queue still works
    assert bridge.runner.engine.call("3.3") is not None
