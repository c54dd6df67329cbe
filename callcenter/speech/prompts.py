"""Build IVR prompt audio from text, rebuilding only what changed.

`build_prompts(texts, sounds_dir, ...)` synthesises each prompt id's Russian text and writes
`<sounds_dir>/<prompt id>.wav|.sln`. A manifest (`prompts-manifest.json`) keeps a hash of
engine, formats and text per prompt id; a prompt whose hash and files are unchanged is skipped.
`PromptSpeaker` does the same at run time for dynamic text (statuses, slots, FAQ answers), cached
by hash: a prompt id names its text, so an edited FAQ answer gets new audio and never plays stale.
`callcenter prompts build` warms that cache for every FAQ answer of the knowledge base.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from callcenter.speech.synth import FORMATS, SynthesisError, Synthesizer, to_asterisk

log = logging.getLogger(__name__)

MANIFEST = "prompts-manifest.json"


@dataclass(frozen=True)
class BuildReport:
    built: tuple[str, ...]
    skipped: tuple[str, ...]


def text_hash(synthesizer: Synthesizer, formats: tuple[str, ...], text: str) -> str:
    key = "\n".join([synthesizer.identity, ",".join(formats), text])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def build_prompts(
    texts: Mapping[str, str],
    sounds_dir: Path,
    *,
    synthesizer: Synthesizer,
    formats: tuple[str, ...] = FORMATS,
) -> BuildReport:
    sounds_dir.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(sounds_dir)
    built: list[str] = []
    skipped: list[str] = []
    for prompt_id, text in sorted(texts.items()):
        digest = text_hash(synthesizer, formats, text)
        if manifest.get(prompt_id) == digest and _has_audio(sounds_dir, prompt_id, formats):
            skipped.append(prompt_id)
            continue
        synthesize_to(synthesizer, text, sounds_dir / prompt_id, formats)
        manifest[prompt_id] = digest
        _write_manifest(sounds_dir, manifest)  # after each: an interrupted build resumes
        built.append(prompt_id)
    return BuildReport(built=tuple(built), skipped=tuple(skipped))


def synthesize_to(
    synthesizer: Synthesizer, text: str, out_base: Path, formats: tuple[str, ...] = FORMATS
) -> None:
    with tempfile.TemporaryDirectory(prefix="cc-tts-") as tmp:
        raw = Path(tmp) / "tts.wav"
        synthesizer.synthesize(text, raw)
        to_asterisk(raw, out_base, formats)


class PromptSpeaker:
    """`IvrServices.speak`: synthesise dynamic text once into the sounds directory."""

    def __init__(
        self,
        *,
        sounds_dir: Path,
        synthesizer: Synthesizer,
        formats: tuple[str, ...] = FORMATS,
        prefix: str = "dyn_",
    ) -> None:
        self._dir = sounds_dir
        self._synth = synthesizer
        self._formats = formats
        self._prefix = prefix

    def prompt_id(self, text: str) -> str:
        return self._prefix + text_hash(self._synth, self._formats, text)[:20]

    async def speak(self, text: str) -> str:
        prompt_id = self.prompt_id(text)
        if not _has_audio(self._dir, prompt_id, self._formats):
            out = self._dir / prompt_id
            try:
                await asyncio.to_thread(synthesize_to, self._synth, text, out, self._formats)
            except (SynthesisError, OSError) as exc:
                # The call goes on: Asterisk skips a missing sound, the menu continues after it.
                log.warning("no audio for prompt %s: %s", prompt_id, exc)
        return prompt_id


def _has_audio(sounds_dir: Path, prompt_id: str, formats: tuple[str, ...]) -> bool:
    return all((sounds_dir / f"{prompt_id}.{fmt}").is_file() for fmt in formats)


def _read_manifest(sounds_dir: Path) -> dict[str, str]:
    path = sounds_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: rebuild everything rather than fail
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_manifest(sounds_dir: Path, manifest: Mapping[str, str]) -> None:
    path = sounds_dir / MANIFEST
    partial = path.with_name(MANIFEST + ".part")
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    partial.replace(path)
