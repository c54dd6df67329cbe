"""Storing a loaded campaign: once per name; a second load resumes what is stored."""

from __future__ import annotations

from callcenter.notify.campaign import Campaign, NewRecipient
from callcenter.notify.policy import EmailStatus, State
from callcenter.store.repo_notify import NotifyRecipient, NotifyRepository


async def store_campaign(
    repo: NotifyRepository, campaign: Campaign, recipients: list[NewRecipient]
) -> Campaign:
    """Store a new campaign; for a name already stored, return the stored campaign instead."""
    rows = [new_recipient_row(campaign.name, r) for r in recipients]
    if await repo.create_campaign(campaign.name, campaign.to_json(), rows):
        return campaign
    settings = await repo.settings(campaign.name)
    assert settings is not None
    return Campaign.from_json(campaign.name, settings)


def new_recipient_row(campaign: str, r: NewRecipient) -> NotifyRecipient:
    return NotifyRecipient(
        campaign=campaign,
        position=r.position,
        phone=r.phone,
        number=r.number,
        email=r.email,
        text=r.text,
        variables=r.variables,
        problem=r.problem,
        state=State.PENDING if r.number else State.INVALID_NUMBER,
        email_status=EmailStatus.PENDING if r.email else EmailStatus.NONE,
    )
