"""Notification campaigns: settings, recipients with their state, and every call attempt.

The database is the campaign's memory: a recipient's state and its attempt row change in one
transaction, so after a crash every recipient is found where it was (those found `calling` are
reconciled by the runner). Creating a campaign is all or nothing, and a second load of the same
name changes nothing (the runner then resumes the stored campaign).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.store.models import NotifyAttemptRow, NotifyCampaignRow, NotifyRecipientRow


@dataclass(frozen=True)
class NotifyRecipient:
    campaign: str
    position: int
    phone: str
    number: str | None
    email: str | None
    text: str
    state: str
    variables: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    attempts: int = 0
    next_at: float = 0.0
    last_result: str | None = None
    email_status: str = ""
    email_attempts: int = 0
    email_next_at: float = 0.0
    email_error: str | None = None
    emailed_at: float | None = None
    id: int = 0  # given by the database


@dataclass(frozen=True)
class NotifyAttempt:
    recipient_id: int
    attempt: int
    started_at: float
    ended_at: float | None
    result: str | None
    reason: int | None
    action_id: str | None
    uniqueid: str | None


# The call and the e-mail of a recipient advance independently: each write touches its own fields
# only, so a stale copy of one never undoes the other.
CALL_FIELDS = ("state", "attempts", "next_at", "last_result")
EMAIL_FIELDS = (
    "email_status",
    "email_attempts",
    "email_next_at",
    "email_error",
    "emailed_at",
)


class NotifyRepository:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], float]
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    async def create_campaign(
        self, name: str, settings: dict[str, Any], recipients: Sequence[NotifyRecipient]
    ) -> bool:
        """Store a new campaign with its recipients; False (nothing written) if it exists."""
        now = self._clock()
        async with self._sessions.begin() as session:
            if await session.get(NotifyCampaignRow, name) is not None:
                return False
            session.add(NotifyCampaignRow(name=name, settings=settings, created_at=now))
            await session.flush()
            for r in recipients:
                values = {k: v for k, v in asdict(r).items() if k != "id"}
                session.add(NotifyRecipientRow(**{**values, "campaign": name, "updated_at": now}))
        return True

    async def settings(self, name: str) -> dict[str, Any] | None:
        async with self._sessions() as session:
            row = await session.get(NotifyCampaignRow, name)
            return None if row is None else dict(row.settings)

    async def campaigns(self) -> list[str]:
        async with self._sessions() as session:
            rows = await session.scalars(select(NotifyCampaignRow.name).order_by("name"))
            return list(rows)

    async def recipients(self, campaign: str) -> list[NotifyRecipient]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(NotifyRecipientRow)
                .where(NotifyRecipientRow.campaign == campaign)
                .order_by(NotifyRecipientRow.position)
            )
            return [_recipient(row) for row in rows]

    async def recipient(self, recipient_id: int) -> NotifyRecipient | None:
        async with self._sessions() as session:
            row = await session.get(NotifyRecipientRow, recipient_id)
            return None if row is None else _recipient(row)

    async def save_call_status(self, recipient: NotifyRecipient) -> None:
        async with self._sessions.begin() as session:
            await self._save(session, recipient, CALL_FIELDS)

    async def save_email_status(self, recipient: NotifyRecipient) -> None:
        async with self._sessions.begin() as session:
            await self._save(session, recipient, EMAIL_FIELDS)

    async def call_started(self, recipient: NotifyRecipient, at: float, action_id: str) -> None:
        """The recipient is `calling` and attempt number `recipient.attempts` began `at`."""
        async with self._sessions.begin() as session:
            await self._save(session, recipient, CALL_FIELDS)
            session.add(
                NotifyAttemptRow(
                    recipient_id=recipient.id,
                    attempt=recipient.attempts,
                    started_at=at,
                    action_id=action_id,
                )
            )

    async def call_ended(
        self,
        recipient: NotifyRecipient,
        *,
        at: float,
        result: str,
        reason: int | None = None,
        uniqueid: str | None = None,
    ) -> None:
        """Close the open attempt of `recipient` and store its new state, together."""
        async with self._sessions.begin() as session:
            await self._save(session, recipient, CALL_FIELDS)
            await session.execute(
                update(NotifyAttemptRow)
                .where(
                    NotifyAttemptRow.recipient_id == recipient.id,
                    NotifyAttemptRow.ended_at.is_(None),
                )
                .values(ended_at=at, result=result, reason=reason, uniqueid=uniqueid)
            )

    async def recent_starts(self, campaign: str, since: float) -> list[float]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(NotifyAttemptRow.started_at)
                .join(NotifyRecipientRow, NotifyRecipientRow.id == NotifyAttemptRow.recipient_id)
                .where(NotifyRecipientRow.campaign == campaign, NotifyAttemptRow.started_at > since)
            )
            return list(rows)

    async def attempts(self, campaign: str) -> list[NotifyAttempt]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(NotifyAttemptRow)
                .join(NotifyRecipientRow, NotifyRecipientRow.id == NotifyAttemptRow.recipient_id)
                .where(NotifyRecipientRow.campaign == campaign)
                .order_by(NotifyAttemptRow.started_at, NotifyAttemptRow.id)
            )
            return [
                NotifyAttempt(
                    recipient_id=a.recipient_id,
                    attempt=a.attempt,
                    started_at=a.started_at,
                    ended_at=a.ended_at,
                    result=a.result,
                    reason=a.reason,
                    action_id=a.action_id,
                    uniqueid=a.uniqueid,
                )
                for a in rows
            ]

    async def _save(
        self, session: AsyncSession, r: NotifyRecipient, fields: tuple[str, ...]
    ) -> None:
        values = {name: getattr(r, name) for name in fields}
        await session.execute(
            update(NotifyRecipientRow)
            .where(NotifyRecipientRow.id == r.id)
            .values(**values, updated_at=self._clock())
        )


def _recipient(row: NotifyRecipientRow) -> NotifyRecipient:
    return NotifyRecipient(
        id=row.id,
        campaign=row.campaign,
        position=row.position,
        phone=row.phone,
        number=row.number,
        email=row.email,
        text=row.text,
        variables=dict(row.variables),
        problem=row.problem,
        state=row.state,
        attempts=row.attempts,
        next_at=row.next_at,
        last_result=row.last_result,
        email_status=row.email_status,
        email_attempts=row.email_attempts,
        email_next_at=row.email_next_at,
        email_error=row.email_error,
        emailed_at=row.emailed_at,
    )
