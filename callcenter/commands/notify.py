"""`callcenter notify`: load and run an auto-informing campaign, or print its results.

    callcenter notify --campaign docs-ready.yaml        # load (once) and run until finished
    callcenter notify --status docs-ready-2026-11       # results as JSON

Running the same file again resumes the stored campaign: nothing is loaded twice and no recipient
is lost (calls that were in progress when the process stopped count as attempts with unknown
result and are retried per the campaign's rules).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from callcenter.bootstrap import build_notifier
from callcenter.config import Settings, SettingsError, load_settings
from callcenter.notify.campaign import Campaign, CampaignError, NewRecipient
from callcenter.notify.campaign_file import load_campaign
from callcenter.notify.campaign_store import store_campaign
from callcenter.notify.report import campaign_status
from callcenter.store.migrate import migrate

AMI_WAIT_S = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--campaign", type=Path, help="campaign file (YAML, or CSV with --settings)")
    what.add_argument("--status", metavar="NAME", help="print the results of a campaign as JSON")
    parser.add_argument("--settings", type=Path, help="campaign settings (YAML) for a CSV file")
    parser.add_argument("--config", help="TOML settings file (secrets come from the environment)")
    parser.add_argument(
        "--load-only", action="store_true", help="store the campaign without calling anyone"
    )


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(f"callcenter notify: invalid settings: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.status:
        return asyncio.run(_print_status(settings, args.status))
    try:
        campaign, recipients = load_campaign(
            args.campaign, timezone=settings.timezone, settings_path=args.settings
        )
    except CampaignError as exc:
        print(f"callcenter notify: {exc}", file=sys.stderr)
        return 2
    for r in recipients:
        if r.problem:
            print(f"строка {r.position}: {r.problem}", file=sys.stderr)
    return asyncio.run(_load_and_run(settings, campaign, recipients, args.load_only))


async def _print_status(settings: Settings, name: str) -> int:
    await migrate(settings.database_url)
    notifier = build_notifier(settings)
    try:
        status = await campaign_status(notifier.store.notify, name)
    finally:
        await notifier.store.close()
    if status is None:
        print(f"callcenter notify: no campaign named {name!r}", file=sys.stderr)
        return 1
    print(json.dumps(status, ensure_ascii=False, indent=2))
    return 0


async def _load_and_run(
    settings: Settings, campaign: Campaign, recipients: list[NewRecipient], load_only: bool
) -> int:
    await migrate(settings.database_url)
    notifier = build_notifier(settings)
    try:
        stored = await store_campaign(notifier.store.notify, campaign, recipients)
        if stored is not campaign:
            print(f"campaign {campaign.name} already loaded: resuming it", file=sys.stderr)
        if load_only:
            return 0
        await notifier.ami.start()
        if not await notifier.ami.wait_ready(AMI_WAIT_S):
            print("AMI not ready yet; calls start once it is", file=sys.stderr)
        await notifier.runner.run(stored)
        status = await campaign_status(notifier.store.notify, campaign.name)
        summary = {k: v for k, v in (status or {}).items() if k in ("campaign", "states", "emails")}
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    finally:
        await notifier.ami.stop()
        await notifier.store.close()
