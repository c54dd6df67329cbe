"""`callcenter serve`: the engine against a real Asterisk, with the settings of production."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from callcenter.bootstrap import build
from callcenter.commands._runner import serve_until_stopped
from callcenter.config import SettingsError, load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="TOML settings file (secrets come from the environment)")


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        app = build(settings)  # refuses, e.g., a broken knowledge base in `kb_dir`
    except SettingsError as exc:
        print(f"callcenter: invalid settings: {exc}", file=sys.stderr)
        return 2

    def announce(url: str) -> None:
        print(f"callcenter serving on {url}", flush=True)

    asyncio.run(serve_until_stopped(app, settings.web_host, settings.web_port, announce))
    return 0
