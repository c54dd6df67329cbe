"""Turn a recogniser's raw results into an accepted menu phrase or a rejection.

Vosk in grammar mode forces any sound onto grammar words when the model has no `[unk]`, so a
result is accepted only when three checks agree:
  1. the words (pass with `SetWords`) are exactly one expected phrase;
  2. every word's confidence reaches `min_confidence`;
  3. the N-best list (pass with `SetMaxAlternatives`) has no close competitor: the best
     different reading scores at least `min_margin` lower. Out-of-grammar speech spreads over
     several near-equal readings; a real phrase stands alone.
Anything else (silence, a sentence, a doubtful word) is rejected and the IVR falls back to DTMF.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

UNKNOWN = "[unk]"
NO_COMPETITOR = 1000.0


@dataclass(frozen=True)
class Recognition:
    text: str  # raw recognised text ("" for silence)
    phrase: str | None  # the expected phrase it was accepted as
    confidence: float  # lowest word confidence (0.0 when nothing was heard)
    margin: float | None = None  # N-best score gap to the best competitor, when checked

    @property
    def accepted(self) -> bool:
        return self.phrase is not None


def normalise(phrase: str) -> str:
    return " ".join(phrase.lower().replace("ё", "е").split())


def judge(result: Mapping[str, Any], phrases: Sequence[str], min_confidence: float) -> Recognition:
    """Checks 1 and 2 on a Vosk final result made with `SetWords(True)`."""
    raw = list(result.get("result", []))
    words = [w for w in raw if w.get("word") != UNKNOWN]
    text = " ".join(str(w.get("word", "")) for w in words)
    confidence = min((float(w.get("conf", 0.0)) for w in words), default=0.0)
    by_form = {normalise(p): p for p in phrases}
    phrase = by_form.get(normalise(text))
    if phrase is None or confidence < min_confidence or len(words) < len(raw):
        return Recognition(text=text, phrase=None, confidence=confidence)
    return Recognition(text=text, phrase=phrase, confidence=confidence)


def margin(alternatives: Mapping[str, Any], text: str) -> float:
    """Check 3: score gap between the reading `text` and its best competing reading.

    A shorter reading made only of the phrase's own words (e.g. its first word) does not
    compete; an empty reading does (it says "maybe nothing was said").
    """
    entries = list(alternatives.get("alternatives", []))
    own = Counter(normalise(text).split())
    best: float | None = None
    rivals: list[float] = []
    for entry in entries:
        reading = normalise(str(entry.get("text", "")))
        score = float(entry.get("confidence", 0.0))
        if reading == normalise(text):
            best = score if best is None else max(best, score)
        elif not reading or Counter(reading.split()) - own:
            rivals.append(score)
    if best is None:
        return 0.0
    return best - max(rivals) if rivals else NO_COMPETITOR


def grammar(phrases: Sequence[str], *, unknown_word: str | None = UNKNOWN) -> list[str]:
    """The recogniser grammar: the phrases, plus `unknown_word` when the model has one.

    A model's vocabulary may spell a word with "ё" or with "е", so both spellings go in.
    """
    forms: list[str] = []
    for phrase in phrases:
        lowered = " ".join(phrase.lower().split())
        for form in (lowered, normalise(lowered)):
            if form not in forms:
                forms.append(form)
    return forms + ([unknown_word] if unknown_word else [])
