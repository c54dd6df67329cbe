"""`callcenter prompts build`: synthesise the IVR menus' prompts, the system prompts
(`callcenter.speech.system_prompts`) and FAQ answers for Asterisk.

FAQ answers get the ids the engine's run-time speaker gives their text, so the engine finds them
already built; an answer edited later simply gets new audio on the next build (or on first use).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from callcenter.ivr.menus import MenuError, all_prompt_texts, load_menus, shipped_menus_dir
from callcenter.scripting import DataFileError, KnowledgeBase, KnowledgeBaseError
from callcenter.scripting.catalog import DATA_DIR
from callcenter.scripting.kb_loader import FileKnowledgeSource
from callcenter.speech.prompts import BuildReport, PromptSpeaker, build_prompts
from callcenter.speech.synth import FORMATS, SynthesisError, synthesizer_for
from callcenter.speech.system_prompts import SYSTEM_PROMPTS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="prompts_command", required=True, metavar="ACTION")
    build = sub.add_parser("build", help="synthesise changed prompts into the sounds directory")
    build.add_argument("--sounds-dir", default="var/sounds", help="output directory")
    build.add_argument("--engine", choices=("espeak", "festival"), default="espeak")
    build.add_argument("--menus-dir", default=None, help="menu files (default: ivr_scripts/)")
    build.add_argument(
        "--kb-dir", default=None, help="knowledge base files (default: the shipped sample)"
    )
    build.add_argument(
        "--formats", default=",".join(FORMATS), help="comma-separated: wav, sln (default both)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
        report = build_all(
            Path(args.sounds_dir),
            engine=args.engine,
            menus_dir=Path(args.menus_dir) if args.menus_dir else None,
            kb_dir=Path(args.kb_dir) if args.kb_dir else None,
            formats=formats,
        )
    except (
        MenuError,
        SynthesisError,
        DataFileError,
        KnowledgeBaseError,
        OSError,
        ValueError,
    ) as exc:
        print(f"callcenter prompts: {exc}", file=sys.stderr)
        return 1
    print(f"built {len(report.built)}, unchanged {len(report.skipped)} -> {args.sounds_dir}")
    return 0


def build_all(
    sounds_dir: Path,
    *,
    engine: str = "espeak",
    menus_dir: Path | None = None,
    kb_dir: Path | None = None,
    formats: tuple[str, ...] = FORMATS,
) -> BuildReport:
    """Build every prompt the center plays: the menus', the system prompts, the FAQ answers.
    Only what changed since the last build is synthesised."""
    synthesizer = synthesizer_for(engine)
    speaker = PromptSpeaker(sounds_dir=sounds_dir, synthesizer=synthesizer, formats=formats)
    texts = prompt_texts(menus_dir or shipped_menus_dir(), kb_dir or DATA_DIR / "kb", speaker)
    return build_prompts(texts, sounds_dir, synthesizer=synthesizer, formats=formats)


def prompt_texts(menus_dir: Path, kb_dir: Path, speaker: PromptSpeaker) -> dict[str, str]:
    menus = load_menus(menus_dir)
    for menu in menus.values():
        for prompt_id in menu.prompts.keys() & SYSTEM_PROMPTS.keys():
            problem = "id reserved for a system prompt (callcenter/speech/system_prompts.py)"
            raise MenuError(menu.source, f"prompts.{prompt_id}", problem)
    texts = {**all_prompt_texts(menus), **SYSTEM_PROMPTS}
    knowledge = KnowledgeBase.from_source(FileKnowledgeSource.from_directory(kb_dir))
    texts.update({speaker.prompt_id(e.answer): e.answer for e in knowledge.faq_entries})
    return texts
