"""Engine commands become the right AMI actions; failures come back to the engine."""

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from callcenter.pbx.facts import OriginateOutcome
from callcenter.runtime.channels import CallbackLeg, ChannelBook
from callcenter.runtime.engine_runner import Batch, EngineRunner
from callcenter.runtime.executor import CommandExecutor, Handoff
from queue_engine import commands as c
from queue_engine import messages as m
from queue_engine.config import CallbackPolicy, EngineConfig, QueueConfig
from queue_engine.engine import Engine
from queue_engine.model.callbacks import AttemptResult
from queue_engine.model.operators import OperatorState


@dataclass
class Result:
    ok: bool = True
    message: str = ""


class RecordingAmi:
    """A fake of our own port `PbxActions`: records actions, answers as configured."""

    def __init__(self, *, originate_ok: bool = True) -> None:
        self.actions: list[tuple[str, dict[str, Any]]] = []
        self.originate_ok = originate_ok
        self.on_outcome: Callable[[OriginateOutcome], None] | None = None

    async def redirect(self, **kw: Any) -> Result:
        self.actions.append(("Redirect", kw))
        return Result()

    async def setvar(self, **kw: Any) -> Result:
        self.actions.append(("Setvar", kw))
        return Result()

    async def queue_pause(self, **kw: Any) -> Result:
        self.actions.append(("QueuePause", kw))
        return Result()

    async def originate(
        self, *, on_outcome: Any = None, variables: Mapping[str, str] | None = None, **kw: Any
    ) -> Result:
        self.actions.append(("Originate", {**kw, "variables": dict(variables or {})}))
        self.on_outcome = on_outcome
        return Result(self.originate_ok, "" if self.originate_ok else "Originate failed")


class Clock:
    def now(self) -> float:
        return 1_700_038_800.0

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


OPERATOR_FIRST = CallbackPolicy(citizen_first=False)
CITIZEN_FIRST = CallbackPolicy(citizen_first=True)


def make(
    ami: RecordingAmi, claimed_by_other: bool = False, *, callbacks: CallbackPolicy | None = None
) -> tuple[CommandExecutor, list[Batch]]:
    config = EngineConfig(queues=(QueueConfig("main"),), callbacks=callbacks or CITIZEN_FIRST)
    runner = EngineRunner(engine=Engine(config=config), clock=Clock())
    fed: list[Batch] = []
    runner.add_sink(fed.append)
    channels = ChannelBook()
    channels.remember("c1", "PJSIP/trunk-0001", "+79161234567")

    class Claims:
        async def claim(self, key: str) -> bool:
            return not claimed_by_other

    executor = CommandExecutor(ami=ami, runner=runner, channels=channels, claims=Claims())
    return executor, fed


async def run(executor: CommandExecutor, *outputs: object, claimed: str | None = None) -> None:
    executor(Batch(tuple(outputs), 0.0, None, claimed))  # type: ignore[arg-type]
    await executor.tasks.drain()


async def test_offer_callback_sets_the_number_and_redirects_the_caller() -> None:
    ami = RecordingAmi()
    executor, _ = make(ami)
    await run(executor, c.OfferCallback("c1", "+79161234567"))
    assert ami.actions == [
        (
            "Setvar",
            {
                "variable": "CC_CALLBACK_NUMBER",
                "value": "+79161234567",
                "channel": "PJSIP/trunk-0001",
            },
        ),
        ("Redirect", {"channel": "PJSIP/trunk-0001", "context": "cc-callback-offer", "exten": "s"}),
    ]


async def test_routing_commands_for_the_claimed_call_are_left_to_the_agi_route() -> None:
    ami = RecordingAmi()
    executor, _ = make(ami)
    await run(
        executor, c.RouteToQueue("c1", "citizens", 0), c.PlayAnnouncement("c1", "x"), claimed="c1"
    )
    assert ami.actions == []


async def test_reserve_and_originate_a_callback() -> None:
    ami = RecordingAmi()
    executor, _ = make(ami, callbacks=OPERATOR_FIRST)
    await run(
        executor,
        c.ReserveOperator("PJSIP/101", "cb-1"),
        c.OriginateCallback("cb-1", "+79161234567", "PJSIP/101", 1),
    )
    names = [name for name, _ in ami.actions]
    assert names == ["QueuePause", "Originate"]
    originate = ami.actions[1][1]
    assert originate["channel"] == "PJSIP/101"
    assert originate["context"] == "cc-callback-out"
    assert originate["exten"] == "79161234567"
    assert originate["variables"] == {
        "CC_CALLBACK_ID": "cb-1",
        "CC_CALLBACK_NUMBER": "+79161234567",
    }


async def test_a_refused_originate_is_a_failed_attempt_for_the_engine() -> None:
    ami = RecordingAmi(originate_ok=False)
    executor, fed = make(ami, callbacks=OPERATOR_FIRST)
    await run(executor, c.OriginateCallback("cb-1", "+79161234567", "PJSIP/101", 1))
    assert [b.message for b in fed] == [m.CallbackAttemptFinished("cb-1", m.AttemptResult.FAILED)]


async def test_another_node_that_claimed_the_command_does_it_instead() -> None:
    ami = RecordingAmi()
    executor, _ = make(ami, claimed_by_other=True)
    await run(executor, c.OfferCallback("c1", "+79161234567"), c.ReleaseOperator("PJSIP/101"))
    assert [name for name, _ in ami.actions] == ["QueuePause"]  # idempotent: every node does it


def handoff_pending(executor: CommandExecutor) -> c.OverflowCall:
    """c1 waits behind a busy operator; the engine offers it to the partner `north`."""
    runner = executor._runner
    runner.feed(m.OperatorStateChanged("PJSIP/101", OperatorState.TALKING))
    runner.feed(m.PartnerCapacityUpdated("north", 5.0, 2, True))
    runner.feed(m.CallArrived("c1", "+79161234567", "passport"))
    outputs = runner.feed(m.CallJoinedQueue("c1", "main"))
    overflow = [out for out in outputs if isinstance(out, c.OverflowCall)]
    assert overflow, outputs
    return overflow[0]


async def test_a_refused_overflow_leaves_the_caller_and_offers_a_callback() -> None:
    ami = RecordingAmi()
    executor, fed = make(ami)
    cmd = handoff_pending(executor)

    async def refuse(cmd: c.OverflowCall, caller: str) -> Handoff:
        return Handoff(False, reason="near_limit")

    executor.overflow = refuse
    await run(executor, cmd)
    assert [kw["context"] for name, kw in ami.actions if name == "Redirect"] == []
    assert fed[-1].message == m.OverflowRefused("c1", "near_limit")
    assert c.OfferCallback("c1", "+79161234567") in fed[-1].outputs


async def test_an_accepted_overflow_for_a_call_answered_meanwhile_is_dropped() -> None:
    ami = RecordingAmi()
    executor, _ = make(ami)
    cmd = handoff_pending(executor)
    executor._runner.feed(m.CallAnswered("c1", "PJSIP/101"))

    async def accept(cmd: c.OverflowCall, caller: str) -> Handoff:
        return Handoff(True, trunk="partner-north", number="1001", token="t")

    executor.overflow = accept
    await run(executor, cmd)
    assert ami.actions == []


async def test_overflow_redirects_when_the_partner_accepts() -> None:
    ami = RecordingAmi()
    executor, _ = make(ami)
    cmd = handoff_pending(executor)

    async def accept(cmd: c.OverflowCall, caller: str) -> Handoff:
        assert caller == "+79161234567"
        return Handoff(
            True, trunk="partner-north", number="1001", context_header="ctx", token="t", hops="main"
        )

    executor.overflow = accept
    await run(executor, cmd)
    redirect = ami.actions[-1]
    assert redirect == (
        "Redirect",
        {"channel": "PJSIP/trunk-0001", "context": "cc-overflow-out", "exten": "s"},
    )
    set_vars = {kw["variable"]: kw["value"] for name, kw in ami.actions if name == "Setvar"}
    assert set_vars["CC_PARTNER_TRUNK"] == "partner-north"
    assert set_vars["CC_HANDOFF"] == "t"


# Citizen-first: the citizen's own phone is dialled; they join the queue once they answer.


def dialling(executor: CommandExecutor) -> c.DialCitizen:
    """A free operator and a callback request: the engine dials the citizen at once."""
    runner = executor._runner
    runner.feed(m.OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("main",)))
    batch_outputs = runner.feed(
        m.CallbackRestored("cb-1", "c1", "+79161234567", "", 1_700_038_700.0, 1_700_039_400.0,
                           1_700_038_700.0)
    )  # fmt: skip
    dial = [o for o in batch_outputs if isinstance(o, c.DialCitizen)]
    assert dial == [c.DialCitizen("cb-1", "+79161234567", "main", 100, 1)]
    return dial[0]


async def test_dial_citizen_originates_the_citizens_trunk_into_the_callback_context() -> None:
    ami = RecordingAmi()
    executor, fed = make(ami)
    executor._caller_id = "84950000000"
    await run(executor, c.DialCitizen("cb-1", "+79161234567", "social", 100, 2))
    assert [name for name, _ in ami.actions] == ["Originate"]  # no operator paused
    assert ami.actions[0][1] == {
        "channel": "PJSIP/79161234567@citizen-trunk",
        "context": "cc-callback-in",
        "exten": "s",
        "variables": {
            "CC_CALLBACK_ID": "cb-1",
            "CC_CALLBACK_NUMBER": "+79161234567",
            "CC_QUEUE": "social",
            "CC_PRIO": "100",
        },
        "timeout_ms": 25_000,
        "caller_id": "84950000000",
        "channel_id": "cb-1-try2",  # what the bridge and a restarted engine recognise
    }
    assert fed == []  # how it went, the bridge learns from Asterisk


async def test_a_refused_dial_citizen_fails_the_attempt_the_engine_waits_for() -> None:
    ami = RecordingAmi(originate_ok=False)
    executor, fed = make(ami)
    cmd = dialling(executor)
    fed.clear()
    await run(executor, cmd)
    assert [b.message for b in fed] == [m.CallbackAttemptFinished("cb-1", AttemptResult.FAILED)]
    # A late refusal of an attempt the engine no longer waits for is not applied to the next.
    fed.clear()
    await run(executor, c.DialCitizen("cb-1", "+79161234567", "main", 100, 1))
    assert fed == []


async def test_an_unknown_outcome_fails_the_attempt_only_if_asterisk_showed_no_leg() -> None:
    ami = RecordingAmi()
    executor, fed = make(ami)
    cmd = dialling(executor)
    await run(executor, cmd)
    assert ami.on_outcome is not None
    unknown = OriginateOutcome("a1", False, -1, "AMI connection lost", "", "", "", "")
    executor._channels.callback_legs["cb-1-try1"] = CallbackLeg("cb-1", citizen_first=True)
    fed.clear()
    ami.on_outcome(unknown)
    assert fed == []  # the leg is up: the bridge (or the resync) follows it
    del executor._channels.callback_legs["cb-1-try1"]
    ami.on_outcome(unknown)
    assert [b.message for b in fed] == [m.CallbackAttemptFinished("cb-1", AttemptResult.FAILED)]
