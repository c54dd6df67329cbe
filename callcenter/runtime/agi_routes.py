"""The FastAGI routes the dialplan calls: the engine's answers at each decision point.

Each route loads what it needs from the session, lets the engine decide (feeding it a message
and claiming the call so the answer comes back here rather than through AMI) and leaves the
decision in channel variables for the dialplan (`callcenter.runtime.dialplan`). Routes answer in
milliseconds; only the IVR routes talk with the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from callcenter.ivr.context import RunnerSettings
from callcenter.ivr.menus import Menu
from callcenter.ivr.runner import IvrRunner, PhraseRecognizer
from callcenter.ivr.services import IvrServices
from callcenter.ivr.session import IvrSession
from callcenter.pbx.agi import AgiChannel, ChannelHungUp
from callcenter.pbx.agi_server import AgiRoutes
from callcenter.runtime import dialplan as dp
from callcenter.runtime.channels import ChannelBook
from callcenter.runtime.engine_runner import EngineRunner
from callcenter.runtime.ivr_channel import AgiIvrChannel
from queue_engine import commands as c
from queue_engine import events as e
from queue_engine import messages as m
from queue_engine.engine import Output
from queue_engine.model.calls import CallStage
from queue_engine.model.schedule import Mode

log = logging.getLogger(__name__)

# Their texts: callcenter.speech.system_prompts.
OFFER_PROMPT = "cc-callback-offer"
CONFIRMED_PROMPT = "cc-callback-confirmed"
INVALID_NUMBER_PROMPT = "cc-callback-invalid-number"
ENTER_NUMBER_PROMPT = "cc-callback-enter-number"
OVERFLOW_HEADERS = ("X-CC-Context", "X-CC-Handoff", "X-CC-Hops")


@dataclass
class RouteDeps:
    runner: EngineRunner
    channels: ChannelBook
    menus: dict[str, Menu] = field(default_factory=dict)
    services_for: Callable[[str, str], IvrServices] | None = None  # (call_id, caller) -> services
    recognizer: PhraseRecognizer | None = None
    local_time: Callable[[], datetime] = datetime.now
    queue_timeout_grace_s: float = 20.0
    # Awaited before a callback is confirmed to the caller: (callback id) -> once it is stored.
    persist: Callable[[str], Awaitable[None]] | None = None
    # Decodes an overflow call's SIP headers: (call id, headers) -> (topic, hops, origin).
    decode_overflow: Callable[[str, Mapping[str, str]], tuple[str, int, str] | None] | None = None
    on_ivr_session: Callable[[str, IvrSession], None] | None = None
    # The sound to play for an announcement prompt (the supervisor's own emergency text).
    announcement: Callable[[str], Awaitable[str]] | None = None
    # Where prompts and recordings live as Asterisk sees them.
    ivr_settings: RunnerSettings = field(default_factory=RunnerSettings)


class EngineRoutes:
    def __init__(self, deps: RouteDeps) -> None:
        self.d = deps

    def register(self, routes: AgiRoutes) -> None:
        routes.add("entry", self.entry)
        routes.add("after-queue", self.after_queue)
        routes.add("callback-offer", self.callback_offer)
        routes.add("callback-confirm", self.callback_offer)
        routes.add("overflow-inbound", self.overflow_inbound)
        routes.add("ivr", self.ivr)
        routes.add("survey", self.survey)

    # entry ---------------------------------------------------------------------------------

    async def entry(self, ch: AgiChannel) -> None:
        call_id = ch.request.uniqueid
        with self._serving(ch):
            topic = ""
            # The call arrives now; the engine learns of it after the day menu (its topic).
            reached = self.d.runner.clock.now()
            if self.d.runner.engine.mode(reached) is Mode.DAY:
                session = await self._run_menu(ch, "day_entry", call_id, arrived=False)
                if session is not None and session.outcome == "hung_up":
                    self._arrive(call_id, ch.request.callerid, "", arrived_at=reached)
                    self.d.runner.feed(m.CallAbandoned(call_id))
                    return
                topic = (session.topic or "") if session else ""
            outputs = self._arrive(call_id, ch.request.callerid, topic, arrived_at=reached)
            await self._apply(ch, call_id, outputs)

    def _arrive(
        self,
        call_id: str,
        caller: str,
        topic: str,
        hops: int = 0,
        *,
        arrived_at: float | None = None,
    ) -> list[Output]:
        message = m.CallArrived(call_id, caller, topic, hops=hops, arrived_at=arrived_at)
        return self.d.runner.feed(message, claimed=call_id)

    async def _apply(self, ch: AgiChannel, call_id: str, outputs: list[Output]) -> None:
        mine = [o for o in outputs if getattr(o, "call_id", None) == call_id]
        for output in mine:
            if isinstance(output, c.PlayAnnouncement):
                sound = output.prompt
                if self.d.announcement is not None:
                    sound = await self.d.announcement(output.prompt)
                await ch.set_variable(dp.ANNOUNCE, sound)
        for output in mine:
            if isinstance(output, c.RouteToQueue):
                await self._to_queue(ch, output.queue, output.priority)
                return
            if isinstance(output, c.RouteToIvr):
                await self._ivr_session(ch, call_id, output.menu)
                return
        await ch.set_variable(dp.ACTION, "hangup")

    async def _to_queue(self, ch: AgiChannel, queue: str, priority: int) -> None:
        limit = self.d.runner.engine.limit_s(queue)
        timeout = int(limit + self.d.queue_timeout_grace_s)
        for name, value in (
            (dp.QUEUE, queue),
            (dp.PRIORITY, str(priority)),
            (dp.QUEUE_TIMEOUT, str(timeout)),
            (dp.ACTION, "queue"),
        ):
            await ch.set_variable(name, value)

    # IVR -------------------------------------------------------------------------------------

    async def ivr(self, ch: AgiChannel) -> None:
        menu = ch.request.args[0] if ch.request.args else "night"
        with self._serving(ch):
            call_id = ch.request.uniqueid
            if self.d.runner.engine.call(call_id) is None:
                self._arrive(call_id, ch.request.callerid, "")
            await self._ivr_session(ch, call_id, menu)

    async def _ivr_session(self, ch: AgiChannel, call_id: str, menu: str) -> None:
        session = await self._run_menu(ch, menu, call_id, arrived=True)
        if session is None:
            await ch.set_variable(dp.ACTION, "hangup")
            return
        if session.outcome == "to_operator":
            queue = self.d.runner.engine.config.queues[0].name
            self.d.runner.feed(m.CallJoinedQueue(call_id, queue), claimed=call_id)
            await self._to_queue(ch, queue, self.d.runner.engine.config.queue(queue).priority)
            return
        if session.outcome in ("self_served", "emergency_transfer") or _heard_an_answer(session):
            self.d.runner.feed(m.IvrCompleted(call_id))
        elif session.outcome != "callback_requested":
            self.d.runner.feed(m.CallAbandoned(call_id))
        if session.outcome != "hung_up":
            await ch.set_variable(dp.ACTION, "hangup")

    async def _run_menu(
        self, ch: AgiChannel, name: str, call_id: str, *, arrived: bool
    ) -> IvrSession | None:
        menu = self.d.menus.get(name)
        if menu is None or self.d.services_for is None:
            return None
        services = self.d.services_for(call_id, ch.request.callerid)
        runner = IvrRunner(
            menu=menu,
            services=services,
            clock=self.d.local_time,
            recognizer=self.d.recognizer,
            settings=self.d.ivr_settings,
        )
        session = await runner.run(AgiIvrChannel(ch), call_id=call_id)
        if self.d.on_ivr_session is not None:
            self.d.on_ivr_session(call_id, session)
        return session

    async def survey(self, ch: AgiChannel) -> None:
        await self._run_menu(ch, "survey", ch.request.uniqueid, arrived=True)

    # after the queue and the callback offer ----------------------------------------------------

    async def after_queue(self, ch: AgiChannel) -> None:
        """Queue() returned without an answer (its timeout is the safety net): offer a way out."""
        call_id = ch.request.uniqueid
        status = await ch.get_variable("QUEUESTATUS") or ""
        call = self.d.runner.engine.call(call_id)
        if status == "CONTINUE" or call is None or call.stage is not CallStage.QUEUED:
            await ch.set_variable(dp.ACTION, "hangup")
            return
        if call.way_out_at is None:
            log.warning("call %s left the queue with %s before the engine acted", call_id, status)
        else:  # declined the way out offered earlier and waited on: offered again
            log.info(
                "call %s left the queue again with %s; offered a callback again", call_id, status
            )
        await self.callback_offer(ch)

    async def callback_offer(self, ch: AgiChannel) -> None:
        call_id = ch.request.uniqueid
        with self._serving(ch):
            number = await ch.get_variable(dp.CALLBACK_NUMBER) or ch.request.callerid
            digit = await ch.stream_file(self._sound(OFFER_PROMPT), "12")
            if digit == "2" or (digit == "1" and not number):  # withheld number: ask for one
                number = await ch.get_data(self._sound(ENTER_NUMBER_PROMPT), 10_000, 12) or number
            if digit not in ("1", "2"):
                await self._back_to_queue(ch, call_id, m.CallbackOfferDeclined(call_id))
                return
            outputs = self.d.runner.feed(m.CallbackOfferAccepted(call_id, number), claimed=call_id)
            requested = [o for o in outputs if isinstance(o, e.CallbackRequested)]
            if requested:
                if self.d.persist is not None:
                    await self.d.persist(requested[0].callback_id)
                await ch.stream_file(self._sound(CONFIRMED_PROMPT))
                await ch.set_variable(dp.ACTION, "hangup")
                return
            await ch.stream_file(self._sound(INVALID_NUMBER_PROMPT))
            await self._back_to_queue(ch, call_id, None)

    async def _back_to_queue(self, ch: AgiChannel, call_id: str, message: m.Message | None) -> None:
        if message is not None:
            self.d.runner.feed(message, claimed=call_id)
        call = self.d.runner.engine.call(call_id)
        if call is None:
            await ch.set_variable(dp.ACTION, "hangup")
            return
        await self._to_queue(ch, call.queue, call.priority)

    # overflow in -------------------------------------------------------------------------------

    async def overflow_inbound(self, ch: AgiChannel) -> None:
        call_id = ch.request.uniqueid
        with self._serving(ch):
            headers = {}
            for name in OVERFLOW_HEADERS:
                headers[name] = await ch.get_variable(f"PJSIP_HEADER(read,{name})") or ""
            decoded = self.d.decode_overflow(call_id, headers) if self.d.decode_overflow else None
            # Without a valid context the call is still served, as a partner's call of one hop.
            topic, hops, origin = decoded or ("", 1, "")
            message = m.CallArrived(call_id, ch.request.callerid, topic, hops=hops, origin=origin)
            outputs = self.d.runner.feed(message, claimed=call_id)
            await self._apply(ch, call_id, outputs)

    # helpers -------------------------------------------------------------------------------------

    def _sound(self, prompt: str) -> str:
        """A system prompt as Asterisk finds it: under the configured sounds subdirectory."""
        return self.d.ivr_settings.sound_prefix + prompt

    def _serving(self, ch: AgiChannel) -> _Serving:
        return _Serving(self.d.channels, ch)


class _Serving:
    """Marks a call as served by an AGI route, so a hang-up is judged by the route."""

    def __init__(self, channels: ChannelBook, ch: AgiChannel) -> None:
        self._channels = channels
        self._ch = ch

    def __enter__(self) -> None:
        request = self._ch.request
        self._channels.remember(request.uniqueid, request.channel, request.callerid)
        self._channels.in_agi.add(request.uniqueid)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> bool:
        self._channels.in_agi.discard(self._ch.request.uniqueid)
        return isinstance(exc, ChannelHungUp)


def _heard_an_answer(session: IvrSession) -> bool:
    """A caller who hung up after an FAQ answer or a status was served by the IVR."""
    return session.outcome == "hung_up" and any(step.via == "action" for step in session.path)
