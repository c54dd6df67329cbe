"""`callcenter prompts build`: synthesise the IVR menus' prompts (and FAQ answers) for Asterisk."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from callcenter.ivr.menus import MenuError, all_prompt_texts, load_menus, shipped_menus_dir
from callcenter.speech.prompts import build_prompts, faq_prompt_id
from callcenter.speech.synth import FORMATS, SynthesisError, synthesizer_for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="prompts_command", required=True, metavar="ACTION")
    build = sub.add_parser("build", help="synthesise changed prompts into the sounds directory")
    build.add_argument("--sounds-dir", default="var/sounds", help="output directory")
    build.add_argument("--engine", choices=("espeak", "festival"), default="espeak")
    build.add_argument("--menus-dir", default=None, help="menu files (default: ivr_scripts/)")
    build.add_argument("--faq", default=None, help="YAML mapping FAQ id -> answer text")
    build.add_argument(
        "--formats", default=",".join(FORMATS), help="comma-separated: wav, sln (default both)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        texts = _texts(args)
        report = build_prompts(
            texts,
            Path(args.sounds_dir),
            synthesizer=synthesizer_for(args.engine),
            formats=tuple(f.strip() for f in args.formats.split(",") if f.strip()),
        )
    except (MenuError, SynthesisError, OSError, ValueError) as exc:
        print(f"callcenter prompts: {exc}", file=sys.stderr)
        return 1
    print(f"built {len(report.built)}, unchanged {len(report.skipped)} -> {args.sounds_dir}")
    return 0


def _texts(args: argparse.Namespace) -> dict[str, str]:
    menus_dir = Path(args.menus_dir) if args.menus_dir else shipped_menus_dir()
    texts = all_prompt_texts(load_menus(menus_dir))
    if args.faq:
        answers = yaml.safe_load(Path(args.faq).read_text(encoding="utf-8")) or {}
        if not isinstance(answers, dict):
            raise ValueError(f"{args.faq}: expected a mapping of FAQ id -> answer text")
        texts.update({faq_prompt_id(str(k)): str(v) for k, v in answers.items()})
    return texts
