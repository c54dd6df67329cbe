"""`callcenter demo`: the whole system in one process on the embedded default (SQLite)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from callcenter.bootstrap import BuildOptions, build
from callcenter.commands._runner import serve_until_stopped
from callcenter.config import SettingsError, load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="TOML settings file")
    parser.add_argument("--port", type=int, default=None, help="web port (default 8080)")
    parser.add_argument(
        "--data-dir", default="var/demo", help="where the demo keeps its SQLite file"
    )


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    overrides: dict[str, Any] = {
        "mode": "demo",
        "database_url": f"sqlite+aiosqlite:///{(data_dir / 'callcenter.db').resolve()}",
    }
    if args.port is not None:
        overrides["web_port"] = args.port
    try:
        settings = load_settings(args.config, **overrides)
    except SettingsError as exc:
        print(f"callcenter: invalid settings: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Until the Asterisk emulator is wired in, the demo serves the web side only.
    app = build(settings, BuildOptions(with_runtime=False))

    def announce(url: str) -> None:
        print(f"\nДемо запущено / demo running: {url}", flush=True)
        print(f"  status: {url}/api/status", flush=True)
        print("  Ctrl-C stops it.", flush=True)

    asyncio.run(serve_until_stopped(app, settings.web_host, settings.web_port, announce))
    return 0
