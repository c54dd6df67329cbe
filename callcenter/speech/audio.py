"""Read audio as Asterisk records it and convert it for a recogniser or for Asterisk to play.

Formats read: `wav` (any rate, 16-bit PCM), `sln`/`raw` (headerless 8 kHz signed 16-bit LE),
`sln16` (the same at 16 kHz); anything else (gsm, ulaw, …) goes through `sox` when installed.
pydub is imported lazily and its import-time warnings (no ffmpeg, deprecated audioop) are
silenced: we use only its WAV/raw paths, which need neither.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import warnings
import wave
from pathlib import Path
from types import ModuleType

RAW_RATES = {".sln": 8000, ".raw": 8000, ".sln16": 16000, ".sln48": 48000}


class AudioError(ValueError):
    """The audio file cannot be read or converted."""


def pydub() -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module("pydub")


def read_pcm16(path: Path) -> tuple[bytes, int]:
    """Mono signed 16-bit little-endian samples and their rate."""
    suffix = path.suffix.lower()
    if suffix in RAW_RATES:
        return path.read_bytes(), RAW_RATES[suffix]
    if suffix == ".wav":
        return _read_wav(path)
    return _read_with_sox(path)


def resample(pcm: bytes, rate: int, target_rate: int) -> bytes:
    """Mono 16-bit PCM at `target_rate`.

    Downsampling goes through sox when installed: pydub's audioop filter lets high
    frequencies fold back (aliasing), which is audible in prompts and made the recogniser
    hear an extra word in espeak audio. Upsampling (8 kHz calls for a 16 kHz model) is fine
    with pydub.
    """
    if rate == target_rate or not pcm:
        return pcm
    sox = shutil.which("sox")
    if target_rate < rate and sox is not None:
        return _sox_resample(sox, pcm, rate, target_rate)
    segment = pydub().AudioSegment(data=pcm, sample_width=2, frame_rate=rate, channels=1)
    return bytes(segment.set_frame_rate(target_rate).raw_data)


def _sox_resample(sox: str, pcm: bytes, rate: int, target_rate: int) -> bytes:
    raw = ["-t", "raw", "-e", "signed", "-b", "16", "-c", "1"]
    command = [sox, *raw, "-r", str(rate), "-", *raw, "-r", str(target_rate), "-"]
    done = subprocess.run(command, input=pcm, capture_output=True, timeout=60, check=False)
    if done.returncode != 0:
        raise AudioError(f"sox resampling failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def _read_wav(path: Path) -> tuple[bytes, int]:
    try:
        with wave.open(str(path), "rb") as reader:
            channels, width, rate = (
                reader.getnchannels(),
                reader.getsampwidth(),
                reader.getframerate(),
            )
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{path}: not a PCM WAV file: {exc}") from exc
    if channels == 1 and width == 2:
        return frames, rate
    segment = pydub().AudioSegment(
        data=frames, sample_width=width, frame_rate=rate, channels=channels
    )
    return bytes(segment.set_channels(1).set_sample_width(2).raw_data), rate


def _read_with_sox(path: Path) -> tuple[bytes, int]:
    sox = shutil.which("sox")
    if sox is None:
        raise AudioError(f"{path}: format {path.suffix!r} needs sox, which is not installed")
    rate = 8000
    command = [sox, str(path), "-t", "raw", "-r", str(rate), "-e", "signed", "-b", "16"]
    done = subprocess.run([*command, "-c", "1", "-"], capture_output=True, timeout=60, check=False)
    if done.returncode != 0:
        raise AudioError(f"{path}: sox failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout, rate
