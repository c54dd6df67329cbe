"""Runs the parsed extensions.conf, one asyncio task per channel, as Asterisk's pbx core does.

Each priority raises Newexten with the substituted AppData, then its application runs. Falling
off the end of an extension or Hangup() hangs the channel up, after its `h` extension (if any).
An AMI Redirect cancels the task with `interrupt="redirect"`; the run then continues at the
target. An application or function the emulator lacks hangs the channel up with a logged error.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from callcenter.emulator.agi_client import AgiTarget
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.dialplan.apps import APPS
from callcenter.emulator.dialplan.functions import Functions
from callcenter.emulator.dialplan.parser import Dialplan, Step
from callcenter.emulator.dialplan.state import (
    App,
    ChannelHangup,
    DialplanFailure,
    Frame,
    Run,
    SubroutineDone,
    Target,
)
from callcenter.emulator.dialplan.substitution import substitute
from callcenter.emulator.model import Channel, Pbx
from callcenter.emulator.queue import QueueApp
from callcenter.emulator.truth import TruthBook

if TYPE_CHECKING:
    from callcenter.emulator.dial import Dialer

log = logging.getLogger(__name__)

MAX_STEPS = 5000  # a dialplan looping without end is cut here
YIELD_EVERY = 20  # priorities run before letting other tasks in


class Interpreter:
    def __init__(
        self,
        *,
        plan: Dialplan,
        pbx: Pbx,
        queues: QueueApp,
        truth: TruthBook,
        agi: AgiTarget | None,
        recordings: Path | None = None,
        sounds: Path | None = None,
        timezone: str = "UTC",
    ) -> None:
        self.plan, self.pbx, self.queues, self.truth = plan, pbx, queues, truth
        self.agi, self.recordings, self.sounds, self.timezone = agi, recordings, sounds, timezone
        self.globals = dict(plan.globals)
        self.functions = Functions(pbx=pbx, queues=queues, globals_=self.globals)
        self.scripts: dict[str, CallerScript] = {}  # by uniqueid
        self.tasks: set[asyncio.Task[None]] = set()
        self.dialer: Dialer | None = None  # set by the Dialer, which needs us too

    # channels ----------------------------------------------------------------------------------

    def spawn(self, ch: Channel, context: str, exten: str = "", priority: int = 1) -> None:
        self.pbx.goto(ch, context, exten or ch.exten, priority)
        ch.task = asyncio.create_task(self._run(ch), name=f"chan-{ch.name}")
        self.tasks.add(ch.task)
        ch.task.add_done_callback(self.tasks.discard)

    def can_redirect(self, ch: Channel, context: str, exten: str) -> bool:
        """The channel runs dialplan and the target extension exists."""
        has_task = ch.task is not None and not ch.task.done()
        return has_task and self.plan.find(context, exten) is not None

    def redirect(self, ch: Channel, context: str, exten: str, priority: int = 1) -> bool:
        if not self.can_redirect(ch, context, exten):
            return False
        ch.redirect_to = (context, exten, priority)
        self.pbx.request_hangup(ch, "redirect")
        return True

    async def _run(self, ch: Channel) -> None:
        run = Run(ch)
        try:
            await self._until_hangup(run)
            if ch.interrupt != "" or run.ended:
                await self._hangup_extension(run)
        finally:
            self.pbx.hangup(ch, run.cause, _CAUSES.get(run.cause, "Normal Clearing"))
            self.truth.ended(ch.uniqueid, self.pbx.clock.now())

    async def _until_hangup(self, run: Run) -> None:
        ch = run.ch
        while True:
            try:
                await self.steps(run)
            except asyncio.CancelledError:
                target, ch.redirect_to = ch.redirect_to, None
                if ch.interrupt != "redirect" or target is None or not self.alive(ch):
                    return
                ch.interrupt, run.stack = "", []
                self.pbx.goto(ch, *target)
                continue
            except ChannelHangup as stop:
                run.cause = stop.cause
            except DialplanFailure as exc:
                log.error("dialplan stopped on %s at %s: %s", ch.name, _where(ch), exc)
            except Exception:
                log.exception("dialplan failed on %s at %s", ch.name, _where(ch))
            run.ended = True
            return

    async def _hangup_extension(self, run: Run) -> None:
        ch = run.ch
        if not self.alive(ch) or self.plan.find(ch.context, "h") is None or ch.exten == "h":
            return
        self.pbx.goto(ch, ch.context, "h")
        run.steps, run.stack = 0, []
        try:
            await self.steps(run)
        except (ChannelHangup, DialplanFailure, SubroutineDone) as exc:
            log.debug("h extension of %s ended: %r", ch.name, exc)

    async def run_subroutine(self, ch: Channel, target: Target, args: list[str]) -> None:
        """Gosub on a channel that runs no dialplan yet (Dial's b() on the new channel)."""
        run = Run(ch)
        run.stack.append(Frame(ch.context, ch.exten, ch.priority, {}, stop=True))
        self.pbx.goto(ch, *self.resolve(ch, target))
        self.set_args(run, args)
        try:
            await self.steps(run)
        except SubroutineDone:
            return
        raise DialplanFailure(f"pre-dial subroutine {target} ended without Return()")

    # stepping ----------------------------------------------------------------------------------

    def alive(self, ch: Channel) -> bool:
        return ch.uniqueid in self.pbx.channels

    async def steps(self, run: Run) -> None:
        """Executes priorities until the extension ends (normal return) or a signal is raised."""
        ch = run.ch
        while True:
            step = self._step(ch)
            if step is None:
                return
            run.steps += 1
            if run.steps > MAX_STEPS:
                raise DialplanFailure(f"more than {MAX_STEPS} priorities run: a loop?")
            if run.steps % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # a Goto loop must not starve the event loop
            await self._execute(run, step)

    def _step(self, ch: Channel) -> Step | None:
        ext = self.plan.find(ch.context, ch.exten)
        if ext is None:
            if ch.exten not in ("i", "h") and self.plan.find(ch.context, "i") is not None:
                self.set_variable(ch, "INVALID_EXTEN", ch.exten)
                self.pbx.goto(ch, ch.context, "i")
                return self._step(ch)
            raise DialplanFailure(f"no extension '{ch.exten}' in [{ch.context}]")
        return ext.steps.get(ch.priority)

    async def _execute(self, run: Run, step: Step) -> None:
        ch = run.ch
        app = APPS.get(step.app.lower())
        data = self.expand(ch, step.data)
        if app is None:
            self.pbx.newexten(ch, step.app, data)
            raise DialplanFailure(
                f"application {step.app}() ({self.plan.source}:{step.line}) "
                "is not implemented by the emulator"
            )
        self.pbx.newexten(ch, app.name, data)
        jump = await app.run(self, run, data)
        if jump is None:
            ch.priority += 1
        else:
            self.pbx.goto(ch, *self.resolve(ch, jump))

    def application(self, name: str) -> App | None:
        """The application `name` (any case), None when the emulator has none by that name."""
        return APPS.get(name.strip().lower())

    def resolve(self, ch: Channel, target: Target) -> tuple[str, str, int]:
        context, exten = target.context or ch.context, target.exten or ch.exten
        ext = self.plan.find(context, exten)
        if ext is None:
            raise DialplanFailure(f"jump to missing extension {context},{exten}")
        if target.priority.isdigit():
            return context, exten, int(target.priority)
        if target.priority not in ext.labels:
            raise DialplanFailure(f"no label '{target.priority}' in {context},{exten}")
        return context, exten, ext.labels[target.priority]

    # variables ---------------------------------------------------------------------------------

    def expand(self, ch: Channel, text: str) -> str:
        try:
            return substitute(text, lambda expr: self.functions.read(ch, expr))
        except ValueError as exc:
            raise DialplanFailure(str(exc)) from None

    def set_variable(self, ch: Channel, name: str, value: str) -> None:
        name = name.strip()
        if self.functions.write(ch, name, value):
            return
        plain = name.lstrip("_")
        if name != plain:
            ch.inheritable[plain] = "__" if name.startswith("__") else "_"
        self.pbx.setvar(ch, plain, value)

    def set_args(self, run: Run, args: list[str]) -> None:
        """ARG1..ARGn for a Gosub frame; the values they hide come back on Return()."""
        frame = run.stack[-1]
        for n, value in enumerate(args, start=1):
            key = f"ARG{n}"
            frame.saved[key] = run.ch.variables.get(key)
            run.ch.variables[key] = value


def _where(ch: Channel) -> str:
    return f"{ch.context},{ch.exten},{ch.priority}"


_CAUSES = {16: "Normal Clearing", 17: "User busy", 19: "No answer", 34: "Circuit congestion"}
