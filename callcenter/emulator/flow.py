"""The dialplan of asterisk_conf/extensions.conf, written as code.

Each channel runs its contexts in its own task. A Redirect cancels the task with
`interrupt="redirect"`; the runner then continues the channel at the target context. When the
task ends the channel is hung up (if it still exists) and its ground truth closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from callcenter.emulator.agi_client import AgiSession, AgiTarget
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.model import RING, UP, Channel, Pbx
from callcenter.emulator.queue import QueueApp
from callcenter.emulator.truth import TruthBook

log = logging.getLogger(__name__)

MAX_STEPS = 20  # a dialplan that keeps looping back is cut here
ANNOUNCE_S = 2.0
NOTIFY_MESSAGE_S = 4.0  # length of one playback of a notification message

Context = Callable[[Channel], Awaitable[None]]


class Dialplan:
    def __init__(
        self,
        *,
        pbx: Pbx,
        queues: QueueApp,
        truth: TruthBook,
        agi: AgiTarget | None,
        recordings: Path | None,
    ) -> None:
        self.pbx, self.queues, self.truth = pbx, queues, truth
        self.agi = agi
        self.recordings = recordings
        self.scripts: dict[str, CallerScript] = {}  # by uniqueid
        self.contexts: dict[str, Context] = {
            "from-citizens": self.from_citizens,
            "cc-callback-offer": self.callback_offer,
            "from-partners": self.from_partners,
            "cc-notify": self.notify,
        }
        self.tasks: set[asyncio.Task[None]] = set()

    # running channels ----------------------------------------------------------------------

    def spawn(self, ch: Channel, context: str) -> None:
        ch.task = asyncio.create_task(self._run(ch, context), name=f"chan-{ch.name}")
        self.tasks.add(ch.task)
        ch.task.add_done_callback(self.tasks.discard)

    async def _run(self, ch: Channel, context: str) -> None:
        while True:
            try:
                await self.contexts[context](ch)
                break
            except asyncio.CancelledError:
                target = ch.redirect_to
                if (
                    ch.interrupt != "redirect"
                    or target is None
                    or self.pbx.channels.get(ch.uniqueid) is None
                ):
                    break
                ch.interrupt, ch.redirect_to, context = "", None, target[0]
                self.pbx.goto(ch, target[0], target[1])
            except Exception:
                log.exception("dialplan failed on %s", ch.name)
                break
        self.pbx.hangup(ch)
        self.truth.ended(ch.uniqueid, self.pbx.clock.now())

    def redirect(self, ch: Channel, context: str, exten: str) -> bool:
        if context not in self.contexts or ch.task is None or ch.task.done():
            return False
        ch.redirect_to = (context, exten)
        self.pbx.request_hangup(ch, "redirect")
        return True

    # building blocks -----------------------------------------------------------------------

    def alive(self, ch: Channel) -> bool:
        return ch.uniqueid in self.pbx.channels

    async def run_agi(self, ch: Channel, route: str, *args: str) -> str:
        self.pbx.newexten(ch, "AGI", f"agi://emulator/{route}")
        if self.agi is None:
            status = "FAILURE"
        else:
            session = AgiSession(
                pbx=self.pbx,
                ch=ch,
                script=self.scripts.get(ch.uniqueid),
                recordings=self.recordings,
            )
            task = asyncio.ensure_future(session.run(self.agi, route, list(args)))
            status = await asyncio.shield(task)
        self.pbx.setvar(ch, "AGISTATUS", status)
        return status

    async def queue(self, ch: Channel, name: str, timeout_s: float) -> str:
        self.pbx.newexten(ch, "Queue", f"{name},,,,{int(timeout_s)}")
        status = await self.queues.run(ch, name, timeout_s)
        if self.alive(ch):
            self.pbx.setvar(ch, "QUEUESTATUS", status)
        return status

    async def act(self, ch: Channel) -> None:
        """The shared tail: do what CC_ACTION says, until hangup."""
        for _ in range(MAX_STEPS):
            if not self.alive(ch):
                return
            action = ch.variables.get("CC_ACTION", "")
            if action == "queue":
                self.pbx.setvar(ch, "QUEUE_PRIO", ch.variables.get("CC_PRIO", "0"))
                timeout = float(ch.variables.get("CC_TIMEOUT", "300") or 300)
                await self.queue(ch, ch.variables.get("CC_QUEUE", "citizens"), timeout)
                if self.alive(ch):
                    await self.run_agi(ch, "after-queue")
            elif action == "ivr":
                self.pbx.setvar(ch, "CC_ACTION", "")
                await self.run_agi(ch, "ivr", ch.variables.get("CC_MENU", ""))
            else:
                return

    # contexts ------------------------------------------------------------------------------

    async def from_citizens(self, ch: Channel) -> None:
        self.pbx.set_state(ch, RING)
        self.pbx.newexten(ch, "Answer", "")
        self.pbx.set_state(ch, UP)
        status = await self.run_agi(ch, "entry")
        if status == "FAILURE":
            await self.queue(ch, "citizens", 300)
            return
        announce = ch.variables.get("CC_ANNOUNCE", "")
        if announce:
            self.pbx.newexten(ch, "Playback", announce)
            await self.pbx.clock.sleep(ANNOUNCE_S)
        await self.act(ch)

    async def callback_offer(self, ch: Channel) -> None:
        await self.run_agi(ch, "callback-offer")
        await self.act(ch)

    async def from_partners(self, ch: Channel) -> None:
        self.pbx.newexten(ch, "Answer", "")
        self.pbx.set_state(ch, UP)
        if await self.run_agi(ch, "overflow-inbound") == "FAILURE":
            await self.queue(ch, "citizens", 300)
            return
        await self.act(ch)

    async def notify(self, ch: Channel) -> None:
        """[cc-notify]: play the notification twice, then report it delivered."""
        self.pbx.newexten(ch, "Answer", "")
        self.pbx.set_state(ch, UP)
        prompt = f"callcenter/{ch.variables.get('CC_NOTIFY_PROMPT', '')}"
        for _ in range(2):
            self.pbx.newexten(ch, "Wait", "1")
            await self.pbx.clock.sleep(1.0)
            self.pbx.newexten(ch, "Playback", prompt)
            await self.pbx.clock.sleep(NOTIFY_MESSAGE_S)
        notify_id = ch.variables.get("CC_NOTIFY_ID", "")
        self.pbx.newexten(ch, "UserEvent", f"NotifyDelivered,Id: {notify_id}")
        self.pbx.user_event(ch, "NotifyDelivered", [("Id", notify_id)])
        self.pbx.newexten(ch, "Hangup", "")
