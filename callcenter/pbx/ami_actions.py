"""Typed AMI actions. Every method returns a result value; none raises.

A refused action comes back with `ok=False` and Asterisk's own `Message` text; a transport
problem (not connected, no answer in time, connection lost) the same way with our text. The
caller logs and carries on, e.g. with the next queue of a pause.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from callcenter.pbx.ami_events import translate
from callcenter.pbx.ami_fields import text
from callcenter.pbx.ami_wire import AmiMessage
from callcenter.pbx.facts import QueueMember
from callcenter.pbx.originates import OutcomeCallback
from callcenter.pbx.snapshots import (
    ChannelSnapshot,
    QueueEntrySnapshot,
    QueueMemberSnapshot,
    QueueParamsSnapshot,
)


@dataclass(frozen=True, slots=True)
class ActionResult:
    action: str
    ok: bool
    message: str
    action_id: str


@dataclass(frozen=True, slots=True)
class GetvarResult(ActionResult):
    value: str | None  # None when the action failed; "" when the variable is empty or unset


@dataclass(frozen=True, slots=True)
class QueueStatusResult(ActionResult):
    queues: tuple[QueueParamsSnapshot, ...]
    members: tuple[QueueMember, ...]
    entries: tuple[QueueEntrySnapshot, ...]


@dataclass(frozen=True, slots=True)
class CoreShowChannelsResult(ActionResult):
    channels: tuple[ChannelSnapshot, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """What the transport got back for one action: the messages, or why there are none."""

    action: str
    action_id: str
    messages: tuple[AmiMessage, ...]
    failure: str | None

    def result(self) -> ActionResult:
        if self.failure is not None:
            return ActionResult(self.action, False, self.failure, self.action_id)
        first = self.messages[0]
        ok = text(first, "response") == "Success"
        return ActionResult(self.action, ok, text(first, "message"), self.action_id)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _optional(**headers: object) -> dict[str, Any]:
    return {k: v for k, v in headers.items() if v is not None}


class AmiActions:
    """The typed action surface; the client supplies `_request` (transport and login)."""

    async def _request(
        self,
        headers: dict[str, Any],
        *,
        complete_event: str | None = None,
        on_list_start: Callable[[], None] | None = None,
        on_outcome: OutcomeCallback | None = None,
        outcome_timeout: float | None = None,
    ) -> Answer:
        raise NotImplementedError

    async def _simple(self, headers: dict[str, Any]) -> ActionResult:
        return (await self._request(headers)).result()

    async def ping(self) -> ActionResult:
        return await self._simple({"Action": "Ping"})

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
        on_outcome: OutcomeCallback | None = None,
    ) -> ActionResult:
        """Queue an async Originate. `ok` means Asterisk accepted it; how the call went arrives
        later as an `OriginateOutcome` (to `on_outcome` and to the fact sink)."""
        headers: dict[str, Any] = {
            "Action": "Originate",
            "Channel": channel,
            "Context": context,
            "Exten": exten,
            "Priority": str(priority),
            "Timeout": str(timeout_ms),
            "Async": "true",
            **_optional(CallerID=caller_id, ChannelId=channel_id, Account=account),
        }
        if variables:
            headers["Variable"] = [f"{k}={v}" for k, v in variables.items()]
        answer = await self._request(
            headers, on_outcome=on_outcome, outcome_timeout=timeout_ms / 1000
        )
        return answer.result()

    async def redirect(
        self, *, channel: str, context: str, exten: str, priority: int = 1
    ) -> ActionResult:
        """Move a channel (e.g. a caller out of Queue()) to context/exten/priority."""
        return await self._simple(
            {
                "Action": "Redirect",
                "Channel": channel,
                "Context": context,
                "Exten": exten,
                "Priority": str(priority),
            }
        )

    async def queue_add(
        self,
        *,
        queue: str,
        interface: str,
        member_name: str | None = None,
        penalty: int = 0,
        paused: bool = False,
        reason: str | None = None,
        state_interface: str | None = None,
    ) -> ActionResult:
        headers = {
            "Action": "QueueAdd",
            "Queue": queue,
            "Interface": interface,
            "Penalty": str(penalty),
            "Paused": _flag(paused),
            **_optional(MemberName=member_name, Reason=reason, StateInterface=state_interface),
        }
        return await self._simple(headers)

    async def queue_remove(self, *, queue: str, interface: str) -> ActionResult:
        return await self._simple({"Action": "QueueRemove", "Queue": queue, "Interface": interface})

    async def queue_pause(
        self, *, interface: str, paused: bool, queue: str | None = None, reason: str | None = None
    ) -> ActionResult:
        """Pause in one queue, or in every queue of the member when `queue` is None."""
        headers = {
            "Action": "QueuePause",
            "Interface": interface,
            "Paused": _flag(paused),
            **_optional(Queue=queue, Reason=reason),
        }
        return await self._simple(headers)

    async def queue_penalty(
        self, *, interface: str, penalty: int, queue: str | None = None
    ) -> ActionResult:
        headers = {
            "Action": "QueuePenalty",
            "Interface": interface,
            "Penalty": str(penalty),
            **_optional(Queue=queue),
        }
        return await self._simple(headers)

    async def setvar(
        self, *, variable: str, value: str, channel: str | None = None
    ) -> ActionResult:
        headers = {"Action": "Setvar", "Variable": variable, "Value": value}
        return await self._simple({**headers, **_optional(Channel=channel)})

    async def getvar(self, *, variable: str, channel: str | None = None) -> GetvarResult:
        answer = await self._request(
            {"Action": "Getvar", "Variable": variable, **_optional(Channel=channel)}
        )
        base = answer.result()
        value = text(answer.messages[0], "value") if base.ok else None
        return GetvarResult(base.action, base.ok, base.message, base.action_id, value)

    async def hangup(self, *, channel: str, cause: int | None = None) -> ActionResult:
        cause_header = None if cause is None else str(cause)
        return await self._simple(
            {"Action": "Hangup", "Channel": channel, **_optional(Cause=cause_header)}
        )

    async def queue_status(
        self,
        *,
        queue: str | None = None,
        member: str | None = None,
        on_list_start: Callable[[], None] | None = None,
    ) -> QueueStatusResult:
        answer = await self._request(
            {"Action": "QueueStatus", **_optional(Queue=queue, Member=member)},
            complete_event="QueueStatusComplete",
            on_list_start=on_list_start,
        )
        base = answer.result()
        items = [translate(m) for m in answer.messages[1:]] if base.ok else []
        return QueueStatusResult(
            base.action,
            base.ok,
            base.message,
            base.action_id,
            queues=tuple(i for i in items if isinstance(i, QueueParamsSnapshot)),
            members=tuple(i.member for i in items if isinstance(i, QueueMemberSnapshot)),
            entries=tuple(i for i in items if isinstance(i, QueueEntrySnapshot)),
        )

    async def core_show_channels(
        self, *, on_list_start: Callable[[], None] | None = None
    ) -> CoreShowChannelsResult:
        answer = await self._request(
            {"Action": "CoreShowChannels"},
            complete_event="CoreShowChannelsComplete",
            on_list_start=on_list_start,
        )
        base = answer.result()
        items = [translate(m) for m in answer.messages[1:]] if base.ok else []
        channels = tuple(i for i in items if isinstance(i, ChannelSnapshot))
        return CoreShowChannelsResult(
            base.action, base.ok, base.message, base.action_id, channels=channels
        )
