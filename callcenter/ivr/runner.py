"""Run one IVR menu over a call: play prompts, collect DTMF or speech, follow jumps, run actions.

The runner only sees ports: `IvrChannel` (the call, over FastAGI), `IvrServices` (FAQ, portal,
callbacks, roster, runtime synthesis) and optionally a `PhraseRecognizer` (Vosk). Speech is
tried only on menu nodes with spoken choices; a rejected or silent recording falls back to DTMF.
The result is an `IvrSession`; the outcome and topic are also left in the channel variables
`IVR_OUTCOME` and `IVR_TOPIC` for the dialplan.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, cast

from callcenter.ivr.actions import ACTION_HANDLERS
from callcenter.ivr.channel import ChannelHungUp, IvrChannel
from callcenter.ivr.context import RunContext, RunnerSettings, input_of
from callcenter.ivr.menus import Choice, Menu, Node
from callcenter.ivr.services import IvrServices
from callcenter.ivr.session import HeardPhrase, IvrSession, Outcome, SessionRecorder, Step
from callcenter.speech.recognition import Recognition

__all__ = ["IvrRunner", "PhraseRecognizer", "RunnerSettings"]

log = logging.getLogger(__name__)


class PhraseRecognizer(Protocol):
    async def recognize(self, path: str, phrases: Sequence[str]) -> Recognition:
        """Recognise a recorded file against the expected phrases only."""
        ...


class IvrRunner:
    def __init__(
        self,
        *,
        menu: Menu,
        services: IvrServices,
        clock: Callable[[], datetime],
        recognizer: PhraseRecognizer | None = None,
        settings: RunnerSettings | None = None,
    ) -> None:
        self._menu = menu
        self._services = services
        self._clock = clock
        self._recognizer = recognizer
        self._settings = settings or RunnerSettings()

    async def run(self, channel: IvrChannel, *, call_id: str) -> IvrSession:
        ctx = RunContext(
            menu=self._menu,
            channel=channel,
            services=self._services,
            recorder=SessionRecorder(menu=self._menu.name),
            settings=self._settings,
            clock=self._clock,
            call_id=call_id,
        )
        try:
            await self._walk(ctx)
            await self._publish(ctx)
        except ChannelHungUp:
            ctx.recorder.outcome = "hung_up"
        return ctx.recorder.freeze()

    async def _walk(self, ctx: RunContext) -> None:
        node_id: str | None = self._menu.start
        for _ in range(self._settings.max_steps):
            if node_id is None:
                return
            node_id = await self._visit(ctx, self._menu.node(node_id))
        ctx.recorder.outcome = "failed"  # a menu loop the caller never left

    async def _visit(self, ctx: RunContext, node: Node) -> str | None:
        if node.type == "menu":
            return await self._menu_node(ctx, node)
        if node.type == "action":
            return await self._action(ctx, node)
        if node.prompt is not None:
            await ctx.play(node.prompt)
        ctx.recorder.step(node.id, "", "auto")
        if node.type == "play" and node.next is not None:
            return node.next
        _finish(ctx.recorder, node)
        return None

    async def _action(self, ctx: RunContext, node: Node) -> str | None:
        try:
            return await ACTION_HANDLERS[node.action or ""](ctx, node)
        except ChannelHungUp:
            raise
        except Exception:
            # A broken backend (portal down, callback store unreachable) must not drop the
            # caller: the menu's failure path takes over.
            log.exception("IVR action %s failed at %s/%s", node.action, self._menu.name, node.id)
            ctx.recorder.step(node.id, f"{node.action}:error", "action")
            return ctx.fail(node)

    async def _menu_node(self, ctx: RunContext, node: Node) -> str | None:
        settings = input_of(node)
        for attempt in range(settings.retries + 1):
            step, choice = await self._ask(ctx, node)
            ctx.recorder.path.append(step)
            if choice is not None:
                if node.store_as:
                    ctx.recorder.answers[node.store_as] = choice.value
                return choice.goto
            if attempt < settings.retries and settings.retry_prompt:
                await ctx.play(settings.retry_prompt)
        return ctx.fail(node)

    async def _ask(self, ctx: RunContext, node: Node) -> tuple[Step, Choice | None]:
        settings = input_of(node)
        assert node.prompt is not None
        if self._recognizer is None or not node.phrases:
            sound = self._settings.sound_prefix + node.prompt
            digits = await ctx.channel.get_data(sound, settings.timeout_ms, settings.max_digits)
            return _by_digits(node, digits)
        pressed = await ctx.play(node.prompt, node.dtmf_keys)
        if pressed:
            return _by_digits(node, pressed)
        heard = await self._listen(ctx, node)
        if heard is not None:
            return heard
        fallback = self._settings.sound_prefix + (settings.fallback_prompt or "")
        digits = await ctx.channel.get_data(fallback, settings.timeout_ms, settings.max_digits)
        return _by_digits(node, digits)

    async def _listen(self, ctx: RunContext, node: Node) -> tuple[Step, Choice] | None:
        assert self._recognizer is not None
        s = self._settings
        name = f"{s.record_prefix}{ctx.call_id}-{len(ctx.recorder.path)}"
        recording = await ctx.channel.record_file(
            name, s.record_format, node.dtmf_keys, s.record_timeout_ms, s.record_silence_s
        )
        if recording.digit:  # pressed a key instead of speaking
            step, choice = _by_digits(node, recording.digit)
            return (step, choice) if choice is not None else None
        if not recording.path:
            return None
        try:
            result = await self._recognizer.recognize(recording.path, node.phrases)
        except (OSError, ValueError) as exc:  # recording missing or unreadable: use DTMF
            log.warning("IVR recording %s not recognised: %s", recording.path, exc)
            return None
        ctx.recorder.phrases.append(
            HeardPhrase(node.id, result.text, result.phrase, result.confidence)
        )
        for choice in node.choices:
            if result.phrase is not None and result.phrase in choice.phrases:
                return Step(node.id, result.phrase, "speech"), choice
        return None

    async def _publish(self, ctx: RunContext) -> None:
        rec = ctx.recorder
        await ctx.channel.set_variable("IVR_OUTCOME", rec.outcome or "failed")
        if rec.topic is not None:
            await ctx.channel.set_variable("IVR_TOPIC", rec.topic)


def _by_digits(node: Node, digits: str) -> tuple[Step, Choice | None]:
    if not digits:
        return Step(node.id, "", "timeout"), None
    for choice in node.choices:
        if choice.dtmf == digits:
            return Step(node.id, digits, "dtmf"), choice
    return Step(node.id, digits, "invalid"), None


def _finish(recorder: SessionRecorder, node: Node) -> None:
    if node.outcome is not None:
        recorder.outcome = cast(Outcome, node.outcome)  # checked by menu_check
    elif recorder.callback_id is not None:
        recorder.outcome = "callback_requested"
    else:
        recorder.outcome = "self_served"
