"""`callcenter migrate`: upgrade the database schema to the newest revision."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from callcenter.store.migrate import current_revision, migrate

DEFAULT_URL = "sqlite+aiosqlite:///callcenter.db"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy async URL (default: $CALLCENTER_DATABASE_URL or " + DEFAULT_URL + ")",
    )


def run(args: argparse.Namespace) -> int:
    url = args.database_url or os.environ.get("CALLCENTER_DATABASE_URL") or DEFAULT_URL
    try:
        asyncio.run(migrate(url))
        revision = asyncio.run(current_revision(url))
    except ValueError as exc:
        print(f"callcenter migrate: {exc}", file=sys.stderr)
        return 2
    print(f"database at revision {revision}")
    return 0
