"""Carries out the engine's commands on Asterisk over AMI (step three: the action).

Each command runs in its own tracked task so a slow AMI answer never blocks the engine. A failed
action is logged and reported back to the engine where it changes a decision (a callback that
could not be dialled is a failed attempt); it never stops the other commands.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from callcenter.pbx.facts import OriginateOutcome
from callcenter.runtime import dialplan as dp
from callcenter.runtime.channels import ChannelBook
from callcenter.runtime.claims import ActionClaims, SingleNodeClaims
from callcenter.runtime.engine_runner import Batch, EngineRunner
from callcenter.runtime.leases import Leases, SingleNodeLeases, Verdict
from callcenter.runtime.resync import callback_channel_id, reserve_reason
from callcenter.runtime.tasks import TaskSet
from queue_engine import commands as c
from queue_engine import events as ev
from queue_engine import messages as m
from queue_engine.messages import CallbackAttemptFinished
from queue_engine.model.callbacks import AttemptResult

log = logging.getLogger(__name__)

# Commands answered inside an AGI session when the route serving that call claimed it.
AGI_ANSWERED = (
    c.RouteToQueue,
    c.RouteToIvr,
    c.PlayAnnouncement,
    c.SetCallerPriority,
    c.ReleaseCaller,
)


class ActionOutcome(Protocol):
    ok: bool
    message: str


class PbxActions(Protocol):
    """The AMI actions the executor needs (`callcenter.pbx.ami.AmiClient` provides them)."""

    async def redirect(
        self, *, channel: str, context: str, exten: str, priority: int = 1
    ) -> Any: ...

    async def setvar(self, *, variable: str, value: str, channel: str | None = None) -> Any: ...

    async def queue_pause(
        self, *, interface: str, paused: bool, queue: str | None = None, reason: str | None = None
    ) -> Any: ...

    async def originate(
        self,
        *,
        channel: str,
        context: str,
        exten: str,
        priority: int = 1,
        variables: Mapping[str, str] | None = None,
        timeout_ms: int = 30_000,
        caller_id: str | None = None,
        channel_id: str | None = None,
        account: str | None = None,
        on_outcome: Callable[[OriginateOutcome], None] | None = None,
    ) -> Any: ...


@dataclass(frozen=True)
class Handoff:
    """A partner's answer to an overflow request."""

    accepted: bool
    trunk: str = ""
    number: str = ""
    context_header: str = ""
    token: str = ""
    hops: str = ""
    reason: str = ""


OverflowGateway = Callable[[c.OverflowCall, str], Awaitable[Handoff]]
Dial = c.OriginateCallback | c.DialCitizen  # a callback attempt, dialled once among the nodes


class CommandExecutor:
    def __init__(
        self,
        *,
        ami: PbxActions,
        runner: EngineRunner,
        channels: ChannelBook,
        overflow: OverflowGateway | None = None,
        callback_caller_id: str = "",
        callback_ring_ms: int = 25_000,
        citizen_trunk: str = "citizen-trunk",
        claims: ActionClaims | None = None,
        leases: Leases | None = None,
    ) -> None:
        self._ami = ami
        self._runner = runner
        self._channels = channels
        self.overflow = overflow
        self._caller_id = callback_caller_id
        self._ring_ms = callback_ring_ms
        self._citizen_trunk = citizen_trunk  # the dialplan's CITIZEN_TRUNK
        self.claims: ActionClaims = claims or SingleNodeClaims()
        # Callback dials are owned through renewed leases: a dead node's dial is taken over.
        self.leases: Leases = leases or SingleNodeLeases()
        self.tasks = TaskSet("executor")
        self._handlers: dict[type, Callable[[Any], Coroutine[Any, Any, object]]] = {
            c.OfferCallback: self._offer_callback,
            c.OverflowCall: self._overflow_call,
            c.ReserveOperator: self._reserve,
            c.ReleaseOperator: self._release,
            c.OriginateCallback: self._originate,
            c.DialCitizen: self._dial_citizen,
        }

    def __call__(self, batch: Batch) -> None:
        for output in batch.outputs:
            if isinstance(output, AGI_ANSWERED):
                if output.call_id != batch.claimed:
                    log.info("no AGI session for %s; %s not applied", output.call_id, output)
                continue
            handler = self._handlers.get(type(output))
            if handler is not None:
                self.tasks.spawn(self._once(output, handler), name=type(output).__name__)

    async def _once(self, cmd: Any, handler: Callable[[Any], Coroutine[Any, Any, object]]) -> None:
        """With several engine nodes only the node that claims a command carries it out."""
        if isinstance(cmd, c.OriginateCallback | c.DialCitizen):
            await self._dial_once(cmd, handler)
            return
        key = _claim_key(cmd)
        if key is None or await self.claims.claim(key):
            await handler(cmd)

    async def _dial_once(
        self, cmd: Dial, handler: Callable[[Any], Coroutine[Any, Any, object]]
    ) -> None:
        """A callback attempt is dialled by the node holding its lease (either way of dialling:
        the key is the same, so a node that changed mode meanwhile still dials it once)."""
        key = f"originate:{cmd.callback_id}:{cmd.attempt}"

        async def work() -> bool:
            return bool(await handler(cmd))

        verdict = await self.leases.run(key, work, lambda: self._waits(cmd))
        if verdict is not Verdict.FAILED:
            return
        # Another node's dial was refused: so was this attempt.
        if isinstance(cmd, c.DialCitizen):
            self._citizen_failed(cmd)
        else:
            self._attempt_failed(cmd.callback_id)

    def _waits(self, cmd: Dial) -> bool:
        """Our engine still waits for this attempt and Asterisk shows no leg of it yet."""
        request = self._runner.engine.callbacks.desk.requests.get(cmd.callback_id)
        if request is None or not request.dialling or request.attempts != cmd.attempt:
            return False
        legs = self._channels.callback_legs.values()
        return all(leg.callback_id != cmd.callback_id for leg in legs)

    async def _redirect(self, call_id: str, context: str, variables: dict[str, str]) -> bool:
        channel = self._channels.channel(call_id)
        if channel is None:
            log.warning("cannot redirect %s to %s: channel unknown", call_id, context)
            return False
        for name, value in variables.items():
            await self._ami.setvar(variable=name, value=value, channel=channel)
        result = await self._ami.redirect(channel=channel, context=context, exten="s")
        if not result.ok:
            log.warning("redirect of %s to %s refused: %s", channel, context, result.message)
        return bool(result.ok)

    async def _offer_callback(self, cmd: c.OfferCallback) -> None:
        await self._redirect(
            cmd.call_id, dp.CALLBACK_OFFER_CONTEXT, {dp.CALLBACK_NUMBER: cmd.number}
        )

    async def _overflow_call(self, cmd: c.OverflowCall) -> None:
        caller = self._channels.callers.get(cmd.call_id, ("", ""))[0]
        handoff = await self.overflow(cmd, caller) if self.overflow else Handoff(False)
        if not handoff.accepted:
            reason = handoff.reason or "no_federation"
            log.info("overflow of %s to %s refused: %s", cmd.call_id, cmd.partner, reason)
            self._runner.feed(m.OverflowRefused(cmd.call_id, reason))
            return
        outputs = self._runner.feed(m.OverflowAccepted(cmd.call_id))
        if not any(isinstance(out, ev.CallCompleted) for out in outputs):
            # Answered (or gone) while the partner was deciding: the caller stays where they are.
            log.info("overflow of %s to %s dropped: the call moved on", cmd.call_id, cmd.partner)
            return
        variables = {
            dp.PARTNER_TRUNK: handoff.trunk,
            dp.PARTNER_NUMBER: handoff.number,
            dp.PARTNER_CONTEXT: handoff.context_header,
            dp.HANDOFF: handoff.token,
            dp.HOPS: handoff.hops,
        }
        await self._redirect(cmd.call_id, dp.OVERFLOW_OUT_CONTEXT, variables)

    async def _reserve(self, cmd: c.ReserveOperator) -> None:
        reason = reserve_reason(cmd.callback_id)
        result = await self._ami.queue_pause(interface=cmd.operator_id, paused=True, reason=reason)
        if not result.ok:
            log.warning("could not reserve %s: %s", cmd.operator_id, result.message)

    async def _release(self, cmd: c.ReleaseOperator) -> None:
        result = await self._ami.queue_pause(interface=cmd.operator_id, paused=False)
        if not result.ok:
            log.warning("could not release %s: %s", cmd.operator_id, result.message)

    async def _originate(self, cmd: c.OriginateCallback) -> bool:
        def on_outcome(outcome: OriginateOutcome) -> None:
            if not outcome.ok:  # the operator's leg never came up: the attempt failed
                self._attempt_failed(cmd.callback_id)

        result = await self._ami.originate(
            channel=cmd.operator_id,
            context=dp.CALLBACK_OUT_CONTEXT,
            exten=cmd.number.lstrip("+"),
            variables={dp.CALLBACK_ID: cmd.callback_id, dp.CALLBACK_NUMBER: cmd.number},
            timeout_ms=self._ring_ms,
            caller_id=self._caller_id or None,
            # A known Uniqueid lets a restarted engine find this attempt still up (resync).
            channel_id=callback_channel_id(cmd.callback_id, cmd.attempt),
            on_outcome=on_outcome,
        )
        if not result.ok:
            log.warning("originate for %s refused: %s", cmd.callback_id, result.message)
            self._attempt_failed(cmd.callback_id)
        return bool(result.ok)

    async def _dial_citizen(self, cmd: c.DialCitizen) -> bool:
        """Citizen-first: ring the citizen on the citizens' trunk; once they answer the dialplan
        puts them in the queue. How the attempt went the bridge learns from what every node
        sees (OriginateResponse, the leg's hang-up), so only a refused dial is reported here."""
        leg = callback_channel_id(cmd.callback_id, cmd.attempt)

        def on_outcome(outcome: OriginateOutcome) -> None:
            # Reason -1 is our own "outcome unknown" (the connection dropped, or no answer in
            # time). A leg Asterisk showed is followed by the bridge (and found by the resync
            # after a reconnect); with none, nothing was dialled: the attempt failed.
            if outcome.reason == -1 and leg not in self._channels.callback_legs:
                self._citizen_failed(cmd)

        result = await self._ami.originate(
            channel=f"PJSIP/{cmd.number.lstrip('+')}@{self._citizen_trunk}",
            context=dp.CALLBACK_IN_CONTEXT,
            exten="s",
            variables={
                dp.CALLBACK_ID: cmd.callback_id,
                dp.CALLBACK_NUMBER: cmd.number,
                dp.QUEUE: cmd.queue,
                dp.PRIORITY: str(cmd.priority),
            },
            timeout_ms=self._ring_ms,
            caller_id=self._caller_id or None,
            # The citizen's channel gets a Uniqueid the bridge and a restarted engine recognise.
            channel_id=leg,
            on_outcome=on_outcome,
        )
        if not result.ok:
            log.warning("originate for %s refused: %s", cmd.callback_id, result.message)
            self._citizen_failed(cmd)
        return bool(result.ok)

    def _citizen_failed(self, cmd: c.DialCitizen) -> None:
        """Only while the engine still waits for this very attempt: a late word on an earlier
        attempt must not end the next one."""
        request = self._runner.engine.callbacks.desk.requests.get(cmd.callback_id)
        if request is not None and request.dialling and request.attempts == cmd.attempt:
            self._attempt_failed(cmd.callback_id)

    def _attempt_failed(self, callback_id: str) -> None:
        self._runner.feed(CallbackAttemptFinished(callback_id, AttemptResult.FAILED))


def _claim_key(cmd: Any) -> str | None:
    if isinstance(cmd, c.ReserveOperator | c.ReleaseOperator):
        return None  # pausing a member twice is harmless: every node may do it
    return f"{type(cmd).__name__}:{cmd.call_id}"
