"""Reads a campaign file: YAML settings with the recipients inline or in a CSV file.

    name: docs-ready-2026-11
    message: "Здравствуйте! Документы по заявлению {document} готовы, их можно забрать в МФЦ."
    allowed_hours: "09:00-20:00"        # local time of the center; may cross midnight
    calls_per_minute: 10
    max_concurrent: 3
    max_attempts: 3
    retry_delay_s: 900
    recipients:                          # or: recipients_csv: recipients.csv (next to this file)
      - {phone: "+7 916 123-45-67", email: "ivanov@example.ru", document: "ОБ-000123"}

A CSV file (header `phone,email,<variables>...`) may also be given directly, with the settings in
a separate YAML file. A bad number or e-mail address is reported on its row and does not stop the
campaign; a malformed file or a missing placeholder value stops the load before anything is stored.
"""

from __future__ import annotations

import csv
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import yaml

from callcenter.notify.campaign import (
    NAME,
    PROMPT,
    Campaign,
    CampaignError,
    NewRecipient,
    placeholders,
    render,
)
from callcenter.notify.policy import AllowedHours, CampaignRules
from callcenter.store.records import InvalidRecord, normalize_number

DEFAULT_SUBJECT = "Уведомление единого контакт-центра"
# Played when the message cannot be synthesised; its text: callcenter.speech.system_prompts.
DEFAULT_PROMPT = "notify"
_SETTINGS = {
    "name",
    "message",
    "prompt",
    "email_subject",
    "allowed_hours",
    "timezone",
    "calls_per_minute",
    "max_concurrent",
    "max_attempts",
    "retry_delay_s",
    "ring_timeout_s",
    "recipients",
    "recipients_csv",
}


def load_campaign(
    path: Path, *, timezone: str, settings_path: Path | None = None, region: str = "RU"
) -> tuple[Campaign, list[NewRecipient]]:
    if path.suffix.lower() == ".csv":
        if settings_path is None:
            raise CampaignError(f"{path}: a CSV of recipients needs --settings FILE.yaml")
        data = _read_yaml(settings_path)
        rows = _read_csv(path)
    else:
        data = _read_yaml(path)
        rows = _rows_of(data, path)
    campaign = _campaign(data, timezone)
    needed = placeholders(campaign.message)
    recipients = [_recipient(i, row, campaign, needed, region) for i, row in enumerate(rows, 1)]
    if not recipients:
        raise CampaignError(f"{path}: no recipients")
    return campaign, recipients


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CampaignError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CampaignError(f"{path}: expected a mapping of campaign settings")
    unknown = sorted(set(map(str, data)) - _SETTINGS)
    if unknown:
        raise CampaignError(f"{path}: unknown setting(s): {', '.join(unknown)}")
    return data


def _rows_of(data: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    if "recipients_csv" in data:
        return _read_csv(path.parent / str(data["recipients_csv"]))
    rows = data.get("recipients")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise CampaignError(f"{path}: 'recipients' must be a list of mappings")
    return rows


def _read_csv(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames is None or "phone" not in reader.fieldnames:
                raise CampaignError(f"{path}: the CSV header must have a 'phone' column")
            return [dict(row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CampaignError(f"{path}: cannot read CSV: {exc}") from exc


def _campaign(data: dict[str, Any], timezone: str) -> Campaign:
    name = str(data.get("name", ""))
    if not NAME.match(name):
        raise CampaignError(f"name: {name!r} must be 1-64 latin letters, digits, '.', '_', '-'")
    message = str(data.get("message", "")).strip()
    if not message:
        raise CampaignError("message: the text of the notification is required")
    prompt = str(data.get("prompt", DEFAULT_PROMPT))
    if not PROMPT.match(prompt):
        raise CampaignError(f"prompt: {prompt!r} must be 1-40 latin letters, digits, '_', '-'")
    try:
        rules = CampaignRules(
            allowed=AllowedHours.parse(str(data.get("allowed_hours", "09:00-21:00"))),
            timezone=str(data.get("timezone", timezone)),
            calls_per_minute=int(data.get("calls_per_minute", 10)),
            max_concurrent=int(data.get("max_concurrent", 3)),
            max_attempts=int(data.get("max_attempts", 3)),
            retry_delay_s=float(data.get("retry_delay_s", 900)),
        )
        ring_timeout_s = float(data.get("ring_timeout_s", 30))
    except (TypeError, ValueError, KeyError) as exc:  # ZoneInfo raises KeyError subclasses
        raise CampaignError(f"settings: {exc}") from exc
    if not 5 <= ring_timeout_s <= 120:
        raise CampaignError("ring_timeout_s: must be between 5 and 120 seconds")
    subject = str(data.get("email_subject", DEFAULT_SUBJECT))
    return Campaign(name, message, prompt, subject, rules, ring_timeout_s)


def _recipient(
    position: int, row: dict[str, Any], campaign: Campaign, needed: set[str], region: str
) -> NewRecipient:
    values = {str(k): "" if v is None else str(v).strip() for k, v in row.items()}
    phone = values.pop("phone", "")
    email = values.pop("email", "") or None
    missing = sorted(n for n in needed if not values.get(n))
    if missing:
        raise CampaignError(f"recipient {position} ({phone}): no value for {', '.join(missing)}")
    problems = []
    try:
        number: str | None = normalize_number(phone, region=region)
    except InvalidRecord as exc:
        number = None
        problems.append(f"номер {phone!r} не подходит для звонка ({exc})")
    if email is not None and "@" not in parseaddr(email)[1]:
        problems.append(f"адрес {email!r} не похож на e-mail")
        email = None
    return NewRecipient(
        position=position,
        phone=phone,
        number=number,
        email=email,
        variables=values,
        text=render(campaign.message, values),
        problem="; ".join(problems),
    )
