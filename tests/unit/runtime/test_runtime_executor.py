"""Engine commands become the right AMI actions; failures come back to the engine."""

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from callcenter.pbx.facts import OriginateOutcome
from callcenter.runtime.channels import ChannelBook
from callcenter.runtime.engine_runner import Batch, EngineRunner
from callcenter.runtime.executor import CommandExecutor, Handoff
from queue_engine import commands as c
from queue_engine import messages as m
from queue_engine.config import EngineConfig, QueueConfig
from queue_engine.engine import Engine
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


def make(ami: RecordingAmi, claimed_by_other: bool = False) -> tuple[CommandExecutor, list[Batch]]:
    config = EngineConfig(queues=(QueueConfig("main"),))
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
    executor, _ = make(ami)
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
    executor, fed = make(ami)
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
