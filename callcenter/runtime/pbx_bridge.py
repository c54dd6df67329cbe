"""Translates Asterisk facts into engine messages (handler -> policy -> action, step one).

Asterisk tells us what happened in its own words (Uniqueid, member interface, device state);
the engine wants calls and operators. This is the table between the two. A fact the engine does
not care about is ignored here, never in the engine.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from callcenter.pbx import facts as f
from callcenter.pbx.snapshots import PbxResynced, ResyncFailed
from callcenter.runtime.channels import CallbackLeg, ChannelBook
from callcenter.runtime.engine_runner import EngineRunner
from callcenter.runtime.operators import OperatorDirectory
from callcenter.runtime.restore import OpenCall
from callcenter.runtime.resync import parse_callback_leg, reserved_callback, takeover
from queue_engine import messages as m
from queue_engine.model.callbacks import AttemptResult, CallbackRequest
from queue_engine.model.calls import CallStage

log = logging.getLogger(__name__)

CALLBACK_VARIABLE = "CC_CALLBACK_ID"
_DIAL_RESULTS = {
    "ANSWER": AttemptResult.ANSWERED,
    "NOANSWER": AttemptResult.NO_ANSWER,
    "BUSY": AttemptResult.BUSY,
}
# A citizen-first leg that never came up: OriginateResponse's Reason (see ami_spec.json), or the
# cause of its Hangup when that comes first. Anything else is a failure.
_ORIGINATE_RESULTS = {1: AttemptResult.NO_ANSWER, 3: AttemptResult.NO_ANSWER, 5: AttemptResult.BUSY}
_HANGUP_RESULTS = {
    17: AttemptResult.BUSY,  # user busy
    18: AttemptResult.NO_ANSWER,  # no user responding
    19: AttemptResult.NO_ANSWER,  # no answer
    21: AttemptResult.NO_ANSWER,  # call rejected
}


class PbxBridge:
    def __init__(self, *, runner: EngineRunner, channels: ChannelBook) -> None:
        self.runner = runner
        self.channels = channels
        self.operators = OperatorDirectory()
        self.ami_connected = False
        self.on_connection_change: Callable[[bool], None] | None = None
        # Told the calls alive after each resync (the recorder closes the others' records).
        self.on_resynced: Callable[[set[str]], None] | None = None
        # Open calls as the database had them at start-up (set by the runtime before AMI).
        self.open_calls: dict[str, OpenCall] = {}
        self._foreign_queues: set[str] = set()
        self._table: dict[type, Callable[[Any], None]] = {
            f.AmiConnected: self._connected,
            f.AmiDisconnected: self._disconnected,
            PbxResynced: self._resynced,
            ResyncFailed: lambda fact: log.warning("AMI resync failed: %s", fact.reason),
            f.ChannelCreated: self._channel_created,
            f.ChannelHungUp: self._hung_up,
            f.CallerJoinedQueue: self._joined,
            f.AgentConnected: self._agent_connected,
            f.AgentCompleted: self._agent_completed,
            f.QueueMemberAdded: lambda fact: self._member(fact.member),
            f.QueueMemberStatusChanged: lambda fact: self._member(fact.member),
            f.QueueMemberPaused: lambda fact: self._member(fact.member),
            f.QueueMemberRemoved: self._member_removed,
            f.VariableSet: self._variable,
            f.DialEnded: self._dial_ended,
            f.OriginateOutcome: self._originate_outcome,
        }

    def __call__(self, fact: f.Fact) -> None:
        handler = self._table.get(type(fact))
        if handler is not None:
            handler(fact)

    # connection ----------------------------------------------------------------------------

    def _connected(self, fact: f.AmiConnected) -> None:
        self._set_connected(True)

    def _disconnected(self, fact: f.AmiDisconnected) -> None:
        self._set_connected(False)

    def _set_connected(self, value: bool) -> None:
        self.ami_connected = value
        if self.on_connection_change is not None:
            self.on_connection_change(value)

    def _resynced(self, fact: PbxResynced) -> None:
        """Rebuild the picture: every channel and member Asterisk has now, the engine learns.

        Callback legs come first, so that no operator seen free in the members is given a
        request that is in fact still being dialled."""
        engine = self.runner.engine
        self._remember(fact)
        self._legs_gone(fact)
        found = takeover(
            fact,
            self.runner.clock.now(),
            is_callback=lambda cb: cb in engine.callbacks.desk.requests,
            ours=self._ours,
        )
        self._follow_legs(found.legs)
        self.operators.reset()
        for member in fact.members:
            self.runner.feed(self.operators.update(member))
            if reserved_callback(member.paused_reason) and not member.in_call:
                self.runner.feed(m.StaleReservationFound(member.interface))
        self._adopt(found.waiting + found.talking)
        live = {c.uniqueid for c in fact.channels} | {e.uniqueid for e in fact.entries}
        for call_id in list(engine.state.calls):
            if call_id not in live and call_id not in self.channels.in_agi:
                self._call_hung_up(call_id)
        self.open_calls = {}  # used once: later resyncs find the engine knowing its calls
        if self.on_resynced is not None:
            self.on_resynced(live | set(engine.state.calls) | self.channels.in_agi)

    def _remember(self, fact: PbxResynced) -> None:
        for channel in fact.channels:
            self.channels.remember(
                channel.uniqueid, channel.channel, channel.callerid_num, channel.callerid_name
            )
        for entry in fact.entries:
            self.channels.remember(entry.uniqueid, entry.channel, entry.callerid_num)

    def _as_recorded(self, adopted: m.CallAdopted) -> m.CallAdopted:
        """A call the engine recorded before it restarted keeps its first join time."""
        stored = self.open_calls.pop(adopted.call_id, None)
        if stored is None or not adopted.queue:
            return adopted
        joined = stored.entered_queue_at
        return dataclasses.replace(
            adopted,
            joined_at=adopted.joined_at if joined is None else min(joined, adopted.joined_at),
            offered=stored.offered,
        )

    def _legs_gone(self, fact: PbxResynced) -> None:
        """Callback legs we followed that ended while we were not listening end now."""
        live = {c.uniqueid for c in fact.channels}
        for uniqueid in [u for u in self.channels.callback_legs if u not in live]:
            self._hung_up(f.ChannelHungUp("", uniqueid, uniqueid, 0, "gone while away"))

    def _follow_legs(self, legs: tuple[tuple[str, m.CallbackLegFound], ...]) -> None:
        for uniqueid, leg in legs:
            answered = leg.answered_at is not None
            self.channels.callback_legs[uniqueid] = CallbackLeg(
                leg.callback_id, answered, answered, citizen_first=leg.citizen_first
            )
            self.runner.feed(leg)

    def _adopt(self, calls: tuple[m.CallAdopted, ...]) -> None:
        for adopted in calls:
            if self.runner.engine.call(adopted.call_id) is None:
                self.runner.feed(self._as_recorded(adopted))
            elif adopted.queue:  # a reconnect: the engine followed this caller all along
                joined = m.CallJoinedQueue(adopted.call_id, adopted.queue, adopted.priority)
                self.runner.feed(joined)

    # calls -----------------------------------------------------------------------------------

    def _channel_created(self, fact: f.ChannelCreated) -> None:
        self.channels.remember(fact.uniqueid, fact.channel, fact.callerid_num, fact.callerid_name)

    def _ensure_known(self, call_id: str, caller: str) -> None:
        """A call that reached the queue without our entry route (fail-open, or before a
        restart) is introduced to the engine; its routing commands are not carried out."""
        if self.runner.engine.call(call_id) is None:
            self.runner.feed(m.CallArrived(call_id, caller), claimed=call_id)

    def _ours(self, queue: str) -> bool:
        """Asterisk may have queues the engine does not run (say, an internal help desk)."""
        if any(q.name == queue for q in self.runner.engine.config.queues):
            return True
        if queue not in self._foreign_queues:
            self._foreign_queues.add(queue)
            log.warning("queue %r is not configured in the engine; its callers are ignored", queue)
        return False

    def _joined(self, fact: f.CallerJoinedQueue) -> None:
        self.channels.remember(fact.uniqueid, fact.channel, fact.callerid_num, fact.callerid_name)
        if parse_callback_leg(fact.uniqueid) is not None:
            # A citizen who answered a callback waits for an operator: no inbound call.
            self._citizen_result(fact.uniqueid, AttemptResult.ANSWERED)
            return
        if not self._ours(fact.queue):
            return
        self._ensure_known(fact.uniqueid, fact.callerid_num)
        call = self.runner.engine.call(fact.uniqueid)
        priority = call.priority if call is not None else 0
        self.runner.feed(m.CallJoinedQueue(fact.uniqueid, fact.queue, priority))

    def _agent_connected(self, fact: f.AgentConnected) -> None:
        if parse_callback_leg(fact.uniqueid) is None:
            self.runner.feed(m.CallAnswered(fact.uniqueid, fact.interface))
            return
        request = self._citizen_request(fact.uniqueid)
        if request is not None and request.served_at is None:
            self._citizen_result(fact.uniqueid, AttemptResult.ANSWERED)  # if still unheard of
            self.runner.feed(m.CallbackConnected(request.callback_id, fact.interface))

    def _agent_completed(self, fact: f.AgentCompleted) -> None:
        if parse_callback_leg(fact.uniqueid) is None:  # a callback ends with its leg's hang-up
            self.runner.feed(m.CallEnded(fact.uniqueid))

    def _hung_up(self, fact: f.ChannelHungUp) -> None:
        leg = self.channels.callback_legs.get(fact.uniqueid)
        if self._citizen_leg(fact.uniqueid) or (leg is not None and leg.citizen_first):
            request = self._citizen_request(fact.uniqueid)
            if request is not None:  # else an attempt already settled
                self._citizen_hung_up(fact, request)
        elif leg is not None:
            self._callback_leg_ended(leg)
        elif fact.uniqueid not in self.channels.in_agi:
            self._call_hung_up(fact.uniqueid)
        self.channels.forget(fact.uniqueid)

    def _call_hung_up(self, call_id: str) -> None:
        call = self.runner.engine.call(call_id)
        if call is None or (call.outcome is not None and call.stage is not CallStage.TALKING):
            return
        if call.stage is CallStage.TALKING:
            self.runner.feed(m.CallEnded(call_id))
        else:
            self.runner.feed(m.CallAbandoned(call_id))

    # operators -------------------------------------------------------------------------------

    def _member(self, member: f.QueueMember) -> None:
        self.runner.feed(self.operators.update(member))

    def _member_removed(self, fact: f.QueueMemberRemoved) -> None:
        self.runner.feed(self.operators.remove(fact.member))

    # callbacks -------------------------------------------------------------------------------

    def _variable(self, fact: f.VariableSet) -> None:
        if fact.name == CALLBACK_VARIABLE and fact.value:
            leg = CallbackLeg(fact.value, citizen_first=self._citizen_leg(fact.uniqueid))
            self.channels.callback_legs.setdefault(fact.uniqueid, leg)

    def _dial_ended(self, fact: f.DialEnded) -> None:
        leg = self.channels.callback_legs.get(fact.uniqueid)
        if leg is None or leg.reported or leg.citizen_first or self._citizen_leg(fact.uniqueid):
            return
        result = _DIAL_RESULTS.get(fact.dial_status, AttemptResult.FAILED)
        leg.answered = result is AttemptResult.ANSWERED
        leg.reported = True
        self.runner.feed(m.CallbackAttemptFinished(leg.callback_id, result))

    def _callback_leg_ended(self, leg: CallbackLeg) -> None:
        if not leg.reported:
            leg.reported = True
            self.runner.feed(m.CallbackAttemptFinished(leg.callback_id, AttemptResult.FAILED))
        elif leg.answered:
            self.runner.feed(m.CallEnded(leg.callback_id))

    # citizen-first callbacks -----------------------------------------------------------------
    #
    # The citizen's own channel is the leg (Uniqueid `callback_channel_id`). Its result comes
    # from what every engine node sees: OriginateResponse (broadcast to every AMI session), the
    # leg joining the queue, or its hang-up, whichever comes first. The engine's request says
    # what is still open, so each fact is reported once however many of them arrive.

    def _citizen_leg(self, uniqueid: str) -> bool:
        """The citizen's channel of a request dialled citizen-first (any of its attempts)."""
        parsed = parse_callback_leg(uniqueid)
        request = (
            None if parsed is None else self.runner.engine.callbacks.desk.requests.get(parsed[0])
        )
        return request is not None and request.citizen_first

    def _citizen_request(self, uniqueid: str) -> CallbackRequest | None:
        """The request whose current citizen-first attempt this channel is, while dialled."""
        parsed = parse_callback_leg(uniqueid)
        if parsed is None:
            return None
        request = self.runner.engine.callbacks.desk.requests.get(parsed[0])
        if request is None or not request.citizen_first or not request.dialling:
            return None
        return request if request.attempts == parsed[1] else None

    def _originate_outcome(self, fact: f.OriginateOutcome) -> None:
        if fact.ok:
            self._citizen_result(fact.uniqueid, AttemptResult.ANSWERED)
        elif fact.reason != -1:  # -1: our own "unknown"; the executor decides on that one
            result = _ORIGINATE_RESULTS.get(fact.reason, AttemptResult.FAILED)
            self._citizen_result(fact.uniqueid, result)

    def _citizen_result(self, uniqueid: str, result: AttemptResult) -> None:
        request = self._citizen_request(uniqueid)
        if request is None or request.answered_at is not None:
            return  # not ours, or answered already: the leg's end is what is left to report
        self.runner.feed(m.CallbackAttemptFinished(request.callback_id, result))

    def _citizen_hung_up(self, fact: f.ChannelHungUp, request: CallbackRequest) -> None:
        if request.answered_at is None:  # never came up, and no OriginateResponse yet
            self._citizen_result(
                fact.uniqueid, _HANGUP_RESULTS.get(fact.cause, AttemptResult.FAILED)
            )
        else:  # served if an operator took them; else they hung up waiting (retried)
            self.runner.feed(m.CallEnded(request.callback_id))
