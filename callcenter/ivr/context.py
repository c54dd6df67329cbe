"""What one IVR run shares between the runner and the actions: the call, the ports, the record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from callcenter.ivr.channel import IvrChannel
from callcenter.ivr.menus import InputSettings, Menu, Node
from callcenter.ivr.services import IvrServices
from callcenter.ivr.session import SessionRecorder


@dataclass(frozen=True)
class RunnerSettings:
    # Prompt ids are file names inside the sounds directory; Asterisk wants them relative to
    # its sounds root, e.g. "callcenter/night_main".
    sound_prefix: str = ""
    record_prefix: str = "ivr-"
    record_format: str = "wav"
    record_timeout_ms: int = 4000
    record_silence_s: int = 1
    max_steps: int = 200


@dataclass
class RunContext:
    menu: Menu
    channel: IvrChannel
    services: IvrServices
    recorder: SessionRecorder
    settings: RunnerSettings
    clock: Callable[[], datetime]
    call_id: str

    async def play(self, prompt_id: str, escape_digits: str = "") -> str:
        return await self.channel.stream_file(self.settings.sound_prefix + prompt_id, escape_digits)

    async def play_text(self, text: str) -> None:
        await self.play(await self.services.speak(text))

    async def ask_digits(self, node: Node, prompt_id: str, max_digits: int) -> str:
        """Collect digits with the node's timeout and retries; "" when none came."""
        settings = input_of(node)
        for attempt in range(settings.retries + 1):
            sound = self.settings.sound_prefix + prompt_id
            digits = await self.channel.get_data(sound, settings.timeout_ms, max_digits)
            if digits:
                self.recorder.step(node.id, digits, "dtmf")
                return digits
            self.recorder.step(node.id, "", "timeout")
            if attempt < settings.retries and settings.retry_prompt:
                await self.play(settings.retry_prompt)
        return ""

    async def caller_phone(self) -> str:
        raw = await self.channel.get_variable("CALLERID(num)") or ""
        return "".join(ch for ch in raw if ch.isdigit() or ch == "+")

    def fail(self, node: Node) -> str | None:
        """Where to go when a node gives up: its `on_failure`, else end the call as failed."""
        if node.on_failure is not None:
            return node.on_failure
        self.recorder.outcome = "failed"
        return None


def input_of(node: Node) -> InputSettings:
    assert node.input is not None, f"node {node.id} takes no input"
    return node.input
