"""Text-to-speech engines from Debian packages, and conversion to what Asterisk plays.

espeak-ng (light, default) or festival with festvox-ru (better Russian, 180 MB). Output is
converted with pydub to 8 kHz mono signed 16-bit: `.wav` and/or headerless `.sln`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from callcenter.speech.audio import read_pcm16, resample

ASTERISK_RATE = 8000
FORMATS = ("wav", "sln")


class SynthesisError(RuntimeError):
    """The speech engine is missing or failed."""


class Synthesizer(Protocol):
    @property
    def identity(self) -> str:
        """Engine and voice; part of the manifest hash, so a new voice rebuilds everything."""
        ...

    def synthesize(self, text: str, out_wav: Path) -> None: ...


@dataclass(frozen=True)
class EspeakSynthesizer:
    voice: str = "ru"
    words_per_minute: int = 150

    @property
    def identity(self) -> str:
        return f"espeak-ng:{self.voice}:{self.words_per_minute}"

    def synthesize(self, text: str, out_wav: Path) -> None:
        binary = _require("espeak-ng", "apt-get install espeak-ng")
        command = [binary, "-v", self.voice, "-s", str(self.words_per_minute), "-b", "1"]
        _run([*command, "-w", str(out_wav), "--stdin"], text)


@dataclass(frozen=True)
class FestivalSynthesizer:
    voice: str = "voice_msu_ru_nsh_clunits"

    @property
    def identity(self) -> str:
        return f"festival:{self.voice}"

    def synthesize(self, text: str, out_wav: Path) -> None:
        binary = _require("text2wave", "apt-get install festival festvox-ru")
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "text.txt"
            source.write_text(festival_text(text), encoding="utf-8")
            _run([binary, "-eval", f"({self.voice})", str(source), "-o", str(out_wav)], None)
        if not out_wav.is_file() or out_wav.stat().st_size <= 44:
            raise SynthesisError(f"text2wave produced no audio for {text!r}")


def festival_text(text: str) -> str:
    """festvox-ru's letter-to-sound rules stop at tokens they do not know: quotes, dashes and
    punctuation standing alone. Keep words, and punctuation glued to the word before it."""
    text = re.sub(r"\s*[—–]\s*", ", ", text)
    text = re.sub(r"[^\w\s.,!?:;-]", "", text)
    text = re.sub(r"\s+([.,!?:;])", r"\1", text)
    return " ".join(text.split())


def synthesizer_for(engine: str) -> Synthesizer:
    if engine == "espeak":
        return EspeakSynthesizer()
    if engine == "festival":
        return FestivalSynthesizer()
    raise SynthesisError(f"unknown engine {engine!r}; expected espeak or festival")


def to_asterisk(source_wav: Path, out_base: Path, formats: tuple[str, ...] = FORMATS) -> None:
    """Write `out_base.<fmt>` for each format: 8 kHz mono 16-bit, as Asterisk plays it."""
    samples, rate = read_pcm16(source_wav)
    pcm = resample(samples, rate, ASTERISK_RATE)
    out_base.parent.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        target = out_base.with_name(f"{out_base.name}.{fmt}")
        partial = target.with_name(target.name + ".part")
        if fmt == "sln":
            partial.write_bytes(pcm)
        elif fmt == "wav":
            with wave.open(str(partial), "wb") as writer:
                writer.setnchannels(1)
                writer.setsampwidth(2)
                writer.setframerate(ASTERISK_RATE)
                writer.writeframes(pcm)
        else:
            raise SynthesisError(f"unsupported output format {fmt!r}; expected {FORMATS}")
        partial.replace(target)  # Asterisk must never play a half-written file


def _require(binary: str, hint: str) -> str:
    found = shutil.which(binary)
    if found is None:
        raise SynthesisError(f"{binary} is not installed ({hint})")
    return found


def _run(command: list[str], stdin_text: str | None) -> None:
    done = subprocess.run(
        command,
        input=None if stdin_text is None else stdin_text.encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", errors="replace").strip()
        raise SynthesisError(f"{command[0]} failed ({done.returncode}): {detail}")
