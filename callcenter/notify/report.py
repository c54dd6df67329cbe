"""The results of a campaign as one JSON-ready mapping (`callcenter notify --status NAME`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from callcenter.store.repo_notify import NotifyRepository


async def campaign_status(repo: NotifyRepository, name: str) -> dict[str, Any] | None:
    settings = await repo.settings(name)
    if settings is None:
        return None
    recipients = await repo.recipients(name)
    attempts: dict[int, list[dict[str, Any]]] = {}
    for a in await repo.attempts(name):
        attempts.setdefault(a.recipient_id, []).append(
            {
                "attempt": a.attempt,
                "started_at": a.started_at,
                "ended_at": a.ended_at,
                "result": a.result,
                "reason": a.reason,
            }
        )
    return {
        "campaign": name,
        "settings": settings,
        "states": dict(Counter(r.state for r in recipients)),
        "emails": dict(Counter(r.email_status for r in recipients if r.email_status)),
        "recipients": [
            {
                "position": r.position,
                "phone": r.phone,
                "number": r.number,
                "email": r.email,
                "state": r.state,
                "attempts": r.attempts,
                "last_result": r.last_result,
                "email_status": r.email_status or None,
                "email_error": r.email_error,
                "problem": r.problem or None,
                "calls": attempts.get(r.id, []),
            }
            for r in recipients
        ],
    }
