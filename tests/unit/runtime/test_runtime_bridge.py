"""Asterisk facts reach the engine as the right messages (a real engine, a fixed clock)."""

import pytest
from runtime_support import completed, connected, hangup, joined, member

from callcenter.pbx import facts as f
from callcenter.pbx.snapshots import PbxResynced, QueueEntrySnapshot
from callcenter.runtime.channels import ChannelBook
from callcenter.runtime.engine_runner import Batch, EngineRunner
from callcenter.runtime.pbx_bridge import PbxBridge
from queue_engine import commands as c
from queue_engine import events as e
from queue_engine import messages as m
from queue_engine.config import CallbackPolicy, EngineConfig, QueueConfig
from queue_engine.engine import Engine
from queue_engine.model.callbacks import AttemptResult
from queue_engine.model.calls import CallOutcome
from queue_engine.model.operators import OperatorState


class FixedClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:  # a Tuesday, 01:13 Moscow
        self.t = now

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


OPERATOR_FIRST = CallbackPolicy(citizen_first=False)
CITIZEN_FIRST = CallbackPolicy(citizen_first=True)


def make(callbacks: CallbackPolicy | None = None) -> tuple[PbxBridge, FixedClock, list[Batch]]:
    clock = FixedClock(1_700_038_800.0)  # 12:00 Moscow: day mode
    config = EngineConfig(queues=(QueueConfig("citizens"),), callbacks=callbacks or CITIZEN_FIRST)
    engine = Engine(config=config)
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
    bridge, _, batches = make(OPERATOR_FIRST)
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


# Citizen-first callbacks: the citizen's own channel (Uniqueid cb-…-tryN) is the leg.

LEG = "cb-7.7-try1"


def dialling_citizen(bridge: PbxBridge) -> None:
    """A free operator and a request: the engine dials the citizen (attempt 1)."""
    bridge(f.QueueMemberAdded(member()))
    now = bridge.runner.clock.now()
    out = bridge.runner.feed(
        m.CallbackRestored("cb-7.7", "7.7", "+79161234567", "", now - 60, now + 540, now - 60)
    )
    assert [o.attempt for o in out if isinstance(o, c.DialCitizen)] == [1]
    # What Asterisk says first: the new channel, with the callback's variables.
    bridge(f.ChannelCreated("PJSIP/citizen-trunk-0009", LEG, LEG, 0, "", "", "cc-callback-in", "s"))
    bridge(f.VariableSet("PJSIP/citizen-trunk-0009", LEG, "CC_CALLBACK_ID", "cb-7.7"))


def outcome(reason: int) -> f.OriginateOutcome:
    ok = reason == 4
    channel = "PJSIP/citizen-trunk-0009" if ok else "PJSIP/79161234567@citizen-trunk"
    return f.OriginateOutcome("a1", ok, reason, "", channel, LEG, "cc-callback-in", "s")


def fed(batches: list[Batch], kind: type) -> list[object]:
    return [b.message for b in batches if isinstance(b.message, kind)]


def test_a_citizen_who_answers_waits_in_the_queue_and_is_served_as_a_callback() -> None:
    bridge, clock, batches = make()
    dialling_citizen(bridge)
    clock.t += 5
    bridge(outcome(4))
    clock.t += 3
    bridge(joined(LEG))
    # The queue rings an operator who does not pick up: that is no result of the callback.
    bridge(f.DialEnded(uniqueid=LEG, dest_channel="PJSIP/101-01", dest_uniqueid="x",
                       dial_status="NOANSWER"))  # fmt: skip
    clock.t += 4
    bridge(connected(LEG))
    clock.t += 60
    bridge(completed(LEG))
    bridge(hangup(LEG))
    engine = bridge.runner.engine
    assert engine.call(LEG) is None  # never an inbound call
    assert fed(batches, m.CallArrived) == fed(batches, m.CallJoinedQueue) == []
    assert fed(batches, m.CallAnswered) == []
    assert fed(batches, m.CallbackAttemptFinished) == [
        m.CallbackAttemptFinished("cb-7.7", AttemptResult.ANSWERED)
    ]
    assert fed(batches, m.CallbackConnected) == [m.CallbackConnected("cb-7.7", "PJSIP/101")]
    assert fed(batches, m.CallEnded) == [m.CallEnded("cb-7.7")]
    attempted = events(batches, e.CallbackAttempted)
    assert [(a.attempt, a.result, a.operator_id) for a in attempted] == [
        (1, "answered", "PJSIP/101")
    ]
    done = events(batches, e.CallbackCompleted)
    assert [(d.callback_id, d.outcome, d.on_time) for d in done] == [("cb-7.7", "served", True)]
    assert bridge.channels.callback_legs == {}


@pytest.mark.parametrize(
    ("reason", "cause", "result"),
    [(3, 19, AttemptResult.NO_ANSWER), (5, 17, AttemptResult.BUSY), (0, 0, AttemptResult.FAILED)],
)
@pytest.mark.parametrize("hangup_first", [False, True])
def test_a_citizen_who_does_not_answer_is_one_attempt_whatever_comes_first(
    reason: int, cause: int, result: AttemptResult, hangup_first: bool
) -> None:
    bridge, clock, batches = make()
    dialling_citizen(bridge)
    clock.t += 25
    gone = f.ChannelHungUp("PJSIP/citizen-trunk-0009", LEG, LEG, cause, "")
    for fact in (gone, outcome(reason)) if hangup_first else (outcome(reason), gone):
        bridge(fact)
    assert fed(batches, m.CallbackAttemptFinished) == [m.CallbackAttemptFinished("cb-7.7", result)]
    assert fed(batches, m.CallEnded) == []
    attempted = events(batches, e.CallbackAttempted)
    assert [(a.attempt, a.result) for a in attempted] == [(1, result.value)]
    # Retried after the delay as the next attempt, with a Uniqueid of its own.
    retry = bridge.runner.engine.tick(clock.t + 60)
    assert [d.attempt for d in retry if isinstance(d, c.DialCitizen)] == [2]


def test_a_citizen_who_hangs_up_while_waiting_is_retried() -> None:
    bridge, clock, batches = make()
    dialling_citizen(bridge)
    bridge(outcome(4))
    bridge(joined(LEG))
    clock.t += 20
    bridge(hangup(LEG))
    bridge(hangup(LEG))  # said twice: still one end
    attempted = events(batches, e.CallbackAttempted)
    assert [(a.attempt, a.result) for a in attempted] == [(1, "hung_up")]  # one result
    assert events(batches, e.CallbackCompleted) == []
    request = bridge.runner.engine.callbacks.desk.requests["cb-7.7"]
    assert not request.dialling
    assert request.not_before == clock.t + 60


def test_a_citizen_joining_the_queue_is_answered_even_if_originate_response_was_lost() -> None:
    bridge, _, batches = make()
    dialling_citizen(bridge)
    bridge(joined(LEG))
    bridge(outcome(4))  # late: said once all the same
    assert fed(batches, m.CallbackAttemptFinished) == [
        m.CallbackAttemptFinished("cb-7.7", AttemptResult.ANSWERED)
    ]
    assert bridge.runner.engine.call(LEG) is None
