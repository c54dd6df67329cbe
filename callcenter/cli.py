"""The `callcenter` console script: one subcommand per module in `callcenter.commands`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol, cast

# Each name is a module `callcenter.commands.<name>` exposing `add_arguments(parser)` and
# `run(args) -> int`. Modules are imported lazily so `callcenter --help` stays fast and a broken
# optional dependency only affects its own subcommand.
SUBCOMMANDS: dict[str, str] = {
    "demo": "run engine, Asterisk emulator and web in one process on SQLite",
    "serve": "run the engine against a real Asterisk (production)",
    "emulate": "run the Asterisk emulator standalone",
    "simulate": "replay a day of calls in virtual time through the policies",
    "staffing": "Erlang C / Erlang A staffing calculator",
    "migrate": "apply database migrations",
    "users": "add or list the people who may sign in (production)",
    "prompts": "build IVR prompt audio from the menus and FAQ text",
    "notify": "auto-informing: notification calls and e-mails to a list of citizens",
}


class _Command(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _load(name: str) -> _Command:
    return cast(_Command, importlib.import_module(f"callcenter.commands.{name}"))


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callcenter", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, help_text in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            _load(name).add_arguments(sp)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(args_list).parse_args(args_list)
    return _load(args.command).run(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
