"""Vosk phrase recognition for IVR menus: the grammar is limited to the menu's phrases.

The model directory is configured by path (env `CALLCENTER_VOSK_MODEL` by default). The model is
loaded once (slow, hundreds of MB) and shared; each recognition makes its own small
`KaldiRecognizer` (two decoding passes, see `recognition`), so recognitions can run in threads.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from callcenter.speech.audio import read_pcm16, resample
from callcenter.speech.model_dir import (
    MODEL_ENV,
    ModelNotFound,
    find_model_dir,
    model_sample_rate,
    without_dither,
)
from callcenter.speech.recognition import (
    UNKNOWN,
    Recognition,
    grammar,
    judge,
    margin,
    normalise,
)

__all__ = [
    "MODEL_ENV",
    "ModelNotFound",
    "RecognizerSettings",
    "VoskRecognizer",
    "find_model_dir",
    "model_sample_rate",
]


@dataclass(frozen=True)
class RecognizerSettings:
    min_confidence: float = 0.8
    min_margin: float = 2.5
    # Added to the grammar when the model knows it (the small Korean test model does not).
    unknown_word: str | None = UNKNOWN
    max_alternatives: int = 3
    # Decode without Kaldi's random dither, so a recording always gets the same decision.
    deterministic: bool = True


class VoskRecognizer:
    """Recognise recorded files against a list of expected phrases."""

    def __init__(self, model: Any, sample_rate: int, settings: RecognizerSettings) -> None:
        self._model = model
        self.sample_rate = sample_rate
        self.settings = settings
        known = settings.unknown_word and not self.missing_words([settings.unknown_word])
        self._unknown_word = settings.unknown_word if known else None

    @classmethod
    def load(cls, model_dir: Path, settings: RecognizerSettings | None = None) -> VoskRecognizer:
        import vosk

        settings = settings or RecognizerSettings()
        vosk.SetLogLevel(-1)  # Kaldi logs every model load to stderr
        if not (model_dir / "conf").is_dir():
            raise ModelNotFound(f"{model_dir} is not a Vosk model directory")
        rate = model_sample_rate(model_dir)
        if settings.deterministic:
            model_dir = without_dither(model_dir)
        return cls(vosk.Model(str(model_dir)), rate, settings)

    def missing_words(self, phrases: Sequence[str]) -> list[str]:
        """Words of `phrases` the model's vocabulary lacks (such a phrase can never match)."""
        words = dict.fromkeys(w for p in phrases for w in p.lower().split())
        return [w for w in words if not any(self._knows(f) for f in {w, normalise(w)})]

    def _knows(self, word: str) -> bool:
        return bool(self._model.vosk_model_find_word(word) >= 0)

    def recognize_pcm(self, pcm: bytes, rate: int, phrases: Sequence[str]) -> Recognition:
        audio = resample(pcm, rate, self.sample_rate)
        found = judge(self._decode(audio, phrases, 0), phrases, self.settings.min_confidence)
        if found.phrase is None:
            return found
        gap = margin(self._decode(audio, phrases, self.settings.max_alternatives), found.text)
        if gap < self.settings.min_margin:
            return replace(found, phrase=None, margin=gap)
        return replace(found, margin=gap)

    def recognize_file(self, path: str | Path, phrases: Sequence[str]) -> Recognition:
        pcm, rate = read_pcm16(Path(path))
        return self.recognize_pcm(pcm, rate, phrases)

    async def recognize(self, path: str, phrases: Sequence[str]) -> Recognition:
        """The IVR runner's entry: decoding is CPU work, so it runs in a worker thread."""
        return await asyncio.to_thread(self.recognize_file, path, phrases)

    def _decode(self, audio: bytes, phrases: Sequence[str], alternatives: int) -> dict[str, Any]:
        import vosk

        words = grammar(phrases, unknown_word=self._unknown_word)
        recognizer = vosk.KaldiRecognizer(
            self._model, self.sample_rate, json.dumps(words, ensure_ascii=False)
        )
        if alternatives:
            recognizer.SetMaxAlternatives(alternatives)
        else:
            recognizer.SetWords(True)
        # One call for the whole recording: fed in chunks, a pause inside the phrase would end
        # the utterance early and FinalResult() would hold only the words after it.
        recognizer.AcceptWaveform(audio)
        result: dict[str, Any] = json.loads(recognizer.FinalResult())
        return result
