"""Real Vosk recognition in grammar mode on espeak-ng audio recorded as Asterisk records it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from callcenter.speech.audio import AudioError, read_pcm16
from callcenter.speech.model_dir import without_dither
from callcenter.speech.recognizer import (
    MODEL_ENV,
    ModelNotFound,
    VoskRecognizer,
    find_model_dir,
    model_sample_rate,
)

Say = Callable[..., Path]

# Korean, because the only Vosk model on PyPI is Korean: operator, booking, question, phone.
PHRASES = ["상담원 연결", "예약", "문의", "전화"]


@pytest.mark.parametrize("fmt", ["wav", "sln"])
@pytest.mark.parametrize("phrase", PHRASES)
def test_grammar_picks_the_spoken_phrase(
    recognizer: VoskRecognizer, say: Say, phrase: str, fmt: str
) -> None:
    result = recognizer.recognize_file(say(phrase, fmt=fmt), PHRASES)
    assert result.phrase == phrase
    assert result.confidence >= 0.8


@pytest.mark.parametrize("fmt", ["gsm", "sln16"])
def test_other_asterisk_formats_are_read(recognizer: VoskRecognizer, say: Say, fmt: str) -> None:
    # The words prove the file was decoded right; acceptance thresholds are tuned for 8 kHz.
    assert recognizer.recognize_file(say("상담원 연결", fmt=fmt), PHRASES).text == "상담원 연결"


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("соедините меня с оператором пожалуйста", "ru"),  # another language
        ("오늘 날씨가 좋네요", "ko"),  # the right language, but no menu phrase
        ("здравствуйте", "ru"),
    ],
)
def test_out_of_grammar_speech_is_rejected(
    recognizer: VoskRecognizer, say: Say, text: str, voice: str
) -> None:
    result = recognizer.recognize_file(say(text, voice=voice), PHRASES)
    assert not result.accepted, result


@pytest.mark.parametrize("kind", ["silence", "whitenoise"])
def test_silence_and_noise_are_rejected(
    recognizer: VoskRecognizer, sound: Callable[[str, float], Path], kind: str
) -> None:
    result = recognizer.recognize_file(sound(kind, 2.0), PHRASES)
    # Noise may yield an unsure guess (kept for the session record); it must never be accepted.
    assert not result.accepted, result
    if kind == "silence":
        assert result.text == ""


def test_a_pause_inside_the_phrase_keeps_both_words(
    recognizer: VoskRecognizer, say: Say, sound: Callable[[str, float], Path], tmp_path: Path
) -> None:
    parts = [say("상담원"), sound("silence", 1.2), say("연결")]
    joined = tmp_path / "pause.sln"
    joined.write_bytes(b"".join(read_pcm16(part)[0] for part in parts))
    assert recognizer.recognize_file(joined, PHRASES).phrase == "상담원 연결"


def test_the_same_recording_always_gets_the_same_decision(
    recognizer: VoskRecognizer, say: Say
) -> None:
    recording = say("상담원 연결")
    results = {recognizer.recognize_file(recording, PHRASES) for _ in range(5)}
    assert len(results) == 1


def test_dither_free_overlay_keeps_the_model_and_turns_dither_off(tmp_path: Path) -> None:
    model_dir = find_model_dir({})
    overlay = without_dither(model_dir, tmp_path)
    assert (overlay / "am").resolve() == (model_dir / "am").resolve()
    mfcc = (overlay / "conf" / "mfcc.conf").read_text(encoding="utf-8")
    assert mfcc.strip().endswith("--dither=0.0")
    assert without_dither(model_dir, tmp_path) == overlay  # idempotent, reused


def test_vocabulary_check_names_words_the_model_lacks(recognizer: VoskRecognizer) -> None:
    # "[unk]" is missing from this model, so it is left out of the grammar (no Kaldi warning).
    assert recognizer.missing_words(["상담원 연결", "[unk]", "оператор"]) == ["[unk]", "оператор"]
    assert recognizer.missing_words(PHRASES) == []


async def test_async_entry_runs_in_a_thread(recognizer: VoskRecognizer, say: Say) -> None:
    result = await recognizer.recognize(str(say("예약")), PHRASES)
    assert result.phrase == "예약"


def test_model_directory_is_configured_by_env(tmp_path: Path) -> None:
    model_dir = find_model_dir({})
    assert (model_dir / "am").is_dir()
    assert model_sample_rate(model_dir) == 16000
    assert find_model_dir({MODEL_ENV: str(model_dir)}) == model_dir
    with pytest.raises(ModelNotFound, match=MODEL_ENV):
        find_model_dir({MODEL_ENV: str(tmp_path)})
    with pytest.raises(ModelNotFound):
        VoskRecognizer.load(tmp_path / "missing")


def test_unreadable_audio_is_an_audio_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav")
    with pytest.raises(AudioError, match=r"bad\.wav"):
        read_pcm16(bad)
