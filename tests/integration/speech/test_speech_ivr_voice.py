"""The IVR runner with the real Vosk recogniser: a spoken choice, and DTMF fallback."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from callcenter.ivr.channel import ChannelHungUp, Recording
from callcenter.ivr.menu_check import check_menu
from callcenter.ivr.menu_parse import parse_menu
from callcenter.ivr.menus import Menu
from callcenter.ivr.portal import Booking, Slot
from callcenter.ivr.runner import IvrRunner
from callcenter.ivr.services import FaqAnswer
from callcenter.speech.recognizer import VoskRecognizer

Say = Callable[..., Path]

MENU = {
    "menu": "voice",
    "start": "main",
    "defaults": {"retries": 1, "retry_prompt": "again", "fallback_prompt": "press"},
    "prompts": {"main": "Скажите", "again": "Ещё раз", "press": "Нажмите", "bye": "Пока"},
    "nodes": {
        "main": {
            "type": "menu",
            "prompt": "main",
            "choices": [
                {"dtmf": "1", "phrases": ["상담원 연결"], "goto": "operator"},
                {"dtmf": "2", "phrases": ["예약", "문의"], "goto": "bye"},
            ],
        },
        "operator": {"type": "action", "action": "to_operator", "params": {"otherwise": "bye"}},
        "bye": {"type": "end", "prompt": "bye"},
    },
}


@dataclass
class RecordingCaller:
    """Speaks the given recordings when asked to record, then presses `digits`."""

    recordings: list[Path | Recording]
    digits: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)

    async def stream_file(self, name: str, escape_digits: str = "") -> str:
        self.log.append(f"play {name}")
        return ""

    async def get_data(self, prompt: str, timeout_ms: int, max_digits: int) -> str:
        self.log.append(f"get_data {prompt}")
        if not self.digits:
            raise ChannelHungUp
        return self.digits.pop(0)

    async def record_file(
        self, name: str, fmt: str, escape_digits: str, timeout_ms: int, silence_s: int
    ) -> Recording:
        self.log.append(f"record {name}.{fmt}")
        if not self.recordings:
            raise ChannelHungUp
        made = self.recordings.pop(0)
        return made if isinstance(made, Recording) else Recording(str(made))

    async def set_variable(self, name: str, value: str) -> None:
        self.variables[name] = value

    async def get_variable(self, name: str) -> str | None:
        return None


class OnDuty:
    async def faq_answer(self, faq_id: str) -> FaqAnswer | None:
        return None

    async def application_status(self, number: str) -> str | None:
        return None

    async def free_slots(self, service: str) -> Sequence[Slot]:
        return []

    async def book(self, slot: Slot, phone: str) -> Booking | None:
        return None

    async def request_callback(self, phone: str, topic: str, not_before: datetime | None) -> str:
        return "cb"

    async def operator_on_duty(self) -> bool:
        return True

    async def speak(self, text: str) -> str:
        return "tts"


def menu() -> Menu:
    parsed = parse_menu("voice.yaml", MENU)
    check_menu(parsed)
    return parsed


def runner(recognizer: VoskRecognizer) -> IvrRunner:
    return IvrRunner(
        menu=menu(),
        services=OnDuty(),
        clock=lambda: datetime(2026, 1, 1, tzinfo=UTC),
        recognizer=recognizer,
    )


async def test_spoken_phrase_chooses_without_dtmf(recognizer: VoskRecognizer, say: Say) -> None:
    caller = RecordingCaller(recordings=[say("상담원 연결")])
    session = await runner(recognizer).run(caller, call_id="v1")
    assert session.outcome == "to_operator"
    assert (session.path[0].input, session.path[0].via) == ("상담원 연결", "speech")
    heard = session.phrases[0]
    assert (heard.node, heard.phrase) == ("main", "상담원 연결")
    assert heard.confidence >= 0.8
    assert not any(entry.startswith("get_data") for entry in caller.log)
    assert "record ivr-v1-0.wav" in caller.log


async def test_out_of_grammar_speech_falls_back_to_dtmf(
    recognizer: VoskRecognizer, say: Say
) -> None:
    recording = say("соедините меня с оператором пожалуйста", voice="ru")
    caller = RecordingCaller(recordings=[recording], digits=["2"])
    session = await runner(recognizer).run(caller, call_id="v2")
    assert session.outcome == "self_served"
    assert session.path[0].via == "dtmf"
    assert session.phrases[0].phrase is None
    assert "get_data press" in caller.log


async def test_silence_then_retry_by_voice(
    recognizer: VoskRecognizer, say: Say, sound: Callable[[str, float], Path]
) -> None:
    caller = RecordingCaller(recordings=[sound("silence", 1.5), say("예약")], digits=[""])
    session = await runner(recognizer).run(caller, call_id="v3")
    assert [s.via for s in session.path[:2]] == ["timeout", "speech"]
    assert session.path[1].input == "예약"
    assert session.outcome == "self_served"
    assert "play again" in caller.log


async def test_a_missing_recording_falls_back_to_dtmf(
    recognizer: VoskRecognizer, tmp_path: Path
) -> None:
    caller = RecordingCaller(recordings=[tmp_path / "never-written.wav"], digits=["1"])
    session = await runner(recognizer).run(caller, call_id="v4")
    assert session.outcome == "to_operator"
    assert session.path[0].via == "dtmf"
    assert session.phrases == ()


async def test_a_key_pressed_while_recording_answers_the_menu(recognizer: VoskRecognizer) -> None:
    caller = RecordingCaller(recordings=[Recording("ivr-v5-0.wav", digit="1")])
    session = await runner(recognizer).run(caller, call_id="v5")
    assert session.outcome == "to_operator"
    assert (session.path[0].input, session.path[0].via) == ("1", "dtmf")
    assert session.phrases == ()  # nothing was sent to the recogniser
    assert not any(entry.startswith("get_data") for entry in caller.log)


async def test_a_recording_that_failed_falls_back_to_dtmf(recognizer: VoskRecognizer) -> None:
    caller = RecordingCaller(recordings=[Recording("")], digits=["1"])
    session = await runner(recognizer).run(caller, call_id="v6")
    assert session.outcome == "to_operator"
    assert session.path[0].via == "dtmf"
    assert "get_data press" in caller.log
