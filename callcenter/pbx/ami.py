"""The AMI client: one connection kept alive, every event turned into a typed fact.

`AmiClient.start()` runs a single task that connects, logs in, resynchronises from
`QueueStatus` and `CoreShowChannels`, pings, and on any loss reconnects with bounded
exponential backoff. Facts go to the `sink` callable in wire order: `AmiConnected`, events that
predate the snapshot, `PbxResynced` (or `ResyncFailed`), then the events that arrived while the
snapshot lists were being read, then live events; `AmiDisconnected` when the link drops.
A sink or translator error is logged and the loop carries on.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from callcenter.pbx.ami_actions import AmiActions, Answer
from callcenter.pbx.ami_events import TRANSLATED_EVENTS, translate
from callcenter.pbx.ami_fields import text
from callcenter.pbx.ami_protocol import AmiAction, AmiProtocol
from callcenter.pbx.ami_wire import AmiMessage
from callcenter.pbx.backoff import Backoff
from callcenter.pbx.facts import AmiConnected, AmiDisconnected, Fact, OriginateOutcome
from callcenter.pbx.originates import OutcomeCallback, PendingOriginates
from callcenter.pbx.snapshots import PbxResynced, ResyncFailed

log = logging.getLogger(__name__)

FactSink = Callable[[Fact], None]

_LIVE_WITH_ACTION_ID = frozenset({"OriginateResponse", "UserEvent"})


class AmiClient(AmiActions):
    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        secret: str,
        sink: FactSink,
        backoff: Backoff | None = None,
        rand: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        action_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        ping_interval: float = 20.0,
        originate_grace: float = 15.0,
        events: str = "on",
    ) -> None:
        self._address = (host, port)
        self._credentials = (username, secret, events)
        self._sink = sink
        self._backoff = backoff or Backoff()
        self._rand = rand
        self._sleep = sleep
        self._action_timeout = action_timeout
        self._connect_timeout = connect_timeout
        self._ping_interval = ping_interval
        self._protocol: AmiProtocol | None = None
        self._logged_in = False
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._held: list[Fact] | None = None
        self._originates = PendingOriginates(grace=originate_grace, deliver=self._emit)
        self.sessions = 0  # successful logins so far

    # lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="ami-client")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._originates.clear()

    @property
    def logged_in(self) -> bool:
        return self._logged_in

    async def wait_ready(self, seconds: float) -> bool:
        """True once logged in and resynchronised (within `seconds`)."""
        try:
            await asyncio.wait_for(self._ready.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def _run(self) -> None:
        attempt = 0
        while True:
            worked = await self._session()
            attempt = 0 if worked else attempt + 1
            delay = self._backoff.delay(attempt, self._rand)
            log.info("AMI reconnect to %s:%d in %.2f s", *self._address, delay)
            await self._sleep(delay)

    async def _session(self) -> bool:
        """One connection from connect to loss; True if it got as far as a login."""
        loop = asyncio.get_running_loop()
        try:
            _, protocol = await asyncio.wait_for(
                loop.create_connection(self._protocol_factory, *self._address),
                self._connect_timeout,
            )
        except (OSError, TimeoutError) as exc:
            log.warning("AMI connect to %s:%d failed: %r", *self._address, exc)
            return False
        self._protocol = protocol
        self._held = []  # events that race the login answer wait for AmiConnected
        try:
            return await self._logged_session(protocol)
        finally:
            self._held = None
            self._protocol = None
            self._ready.clear()
            protocol.close()
            self._originates.fail_all("AMI connection lost; outcome unknown")
            if self._logged_in:
                self._logged_in = False
                self._emit(AmiDisconnected(reason="connection lost"))

    def _protocol_factory(self) -> AmiProtocol:
        # Only events a translator reads reach `on_event`: the others yield no fact anyway.
        return AmiProtocol(self, wanted_events=TRANSLATED_EVENTS)

    async def _logged_session(self, protocol: AmiProtocol) -> bool:
        username, secret, events = self._credentials
        headers = {"Action": "Login", "Username": username, "Secret": secret, "Events": events}
        login = (await self._send(protocol, headers)).result()
        if not login.ok:
            log.error("AMI login as %r refused: %s", username, login.message)
            return False
        self._logged_in = True
        self.sessions += 1
        self._emit(AmiConnected(version=protocol.version or ""))
        self._flush_held()
        await self._resync()
        self._ready.set()
        await self._keepalive(protocol)
        return True

    async def _keepalive(self, protocol: AmiProtocol) -> None:
        while not protocol.lost.done():
            try:
                await asyncio.wait_for(asyncio.shield(protocol.lost), self._ping_interval)
            except TimeoutError:
                pong = await self.ping()
                if not pong.ok and not protocol.lost.done():
                    log.error("AMI ping failed (%s); dropping the connection", pong.message)
                    protocol.close()
                    await protocol.lost

    # resync -------------------------------------------------------------------------------

    async def _resync(self) -> None:
        # Events after the QueueStatus list starts postdate the snapshot: hold them until it is
        # delivered, so the sink sees the snapshot at the point in the stream where it was taken.
        def hold() -> None:
            if self._held is None:
                self._held = []

        queues, channels = await asyncio.gather(
            self.queue_status(on_list_start=hold), self.core_show_channels()
        )
        if queues.ok and channels.ok:
            self._emit(
                PbxResynced(
                    queues=queues.queues,
                    members=queues.members,
                    entries=queues.entries,
                    channels=channels.channels,
                )
            )
        else:
            reason = queues.message if not queues.ok else channels.message
            log.error("AMI resync failed: %s", reason)
            self._emit(ResyncFailed(reason=reason))
        self._flush_held()

    def _flush_held(self) -> None:
        held, self._held = self._held or [], None
        for fact in held:
            self._emit(fact)

    # events -------------------------------------------------------------------------------

    def on_event(self, message: AmiMessage) -> None:
        if text(message, "actionid") and text(message, "event") not in _LIVE_WITH_ACTION_ID:
            # A late item of a list we stopped waiting for: it answers an action, it is no news.
            log.debug("AMI %s for a forgotten action dropped", text(message, "event"))
            return
        fact = translate(message)
        if fact is None:
            return
        if isinstance(fact, OriginateOutcome):
            self._originates.resolve(fact)
        if self._held is not None:
            self._held.append(fact)
        else:
            self._emit(fact)

    def _emit(self, fact: Fact) -> None:
        try:
            self._sink(fact)
        except Exception:
            log.exception("fact sink failed on %r", fact)

    # actions ------------------------------------------------------------------------------

    async def _request(
        self,
        headers: dict[str, Any],
        *,
        complete_event: str | None = None,
        on_list_start: Callable[[], None] | None = None,
        on_outcome: OutcomeCallback | None = None,
        outcome_timeout: float | None = None,
    ) -> Answer:
        protocol = self._protocol
        if protocol is None or not self._logged_in:
            return Answer(headers["Action"], "", (), "not connected to AMI")
        answer = await self._send(
            protocol,
            headers,
            complete_event=complete_event,
            on_list_start=on_list_start,
            on_outcome=on_outcome,
            outcome_timeout=outcome_timeout,
        )
        if answer.failure is not None or not answer.result().ok:
            log.warning("AMI %s failed: %s", answer.action, answer.result().message)
        return answer

    async def _send(
        self,
        protocol: AmiProtocol,
        headers: dict[str, Any],
        *,
        complete_event: str | None = None,
        on_list_start: Callable[[], None] | None = None,
        on_outcome: OutcomeCallback | None = None,
        outcome_timeout: float | None = None,
    ) -> Answer:
        name = str(headers["Action"])
        bad = _line_break_header(headers)
        if bad is not None:
            return Answer(name, "", (), f"header {bad} contains a line break")
        action = AmiAction(headers, complete_event=complete_event, on_list_start=on_list_start)
        if on_outcome is not None:
            self._originates.add(action.id, on_outcome, outcome_timeout or 0.0)
        protocol.send(action)
        try:
            messages = await asyncio.wait_for(action.future, self._action_timeout)
        except TimeoutError:
            protocol.forget(action)
            action.failure = f"no answer within {self._action_timeout:g} s"
            messages = []
        answer = Answer(name, action.id, tuple(messages), action.failure)
        if on_outcome is not None and (answer.failure is not None or not answer.result().ok):
            self._originates.forget(action.id)
        return answer


def _line_break_header(headers: dict[str, Any]) -> str | None:
    """A value with CR/LF would end the action early and inject headers: refuse it."""
    for key, value in headers.items():
        values = value if isinstance(value, list) else [value]
        if any("\r" in str(v) or "\n" in str(v) for v in values):
            return key
    return None
