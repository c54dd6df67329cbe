"""Citizens, their appeals and appointments, and the history an operator sees on answering.

Phone numbers arrive in several spellings (Asterisk's caller id "8916...", E.164 "+7916...");
`phone_variants` lists the spellings of one number so the history finds calls stored under any of
them. Citizens are keyed by the E.164 form when the number parses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.store.models import AppealRow, AppointmentRow, CallRow, CitizenRow
from callcenter.store.records import Appeal, Appointment, CitizenHistory
from callcenter.store.repo_calls import call_from_row
from callcenter.store.sql import ensure_call, insert_for

_APPEAL_FIELDS = [c.name for c in AppealRow.__table__.columns]


class SlotTaken(Exception):
    """The reception slot was booked by someone else first."""

    def __init__(self, agency: str, slot_start: float) -> None:
        super().__init__(f"slot {slot_start} of {agency!r} is already booked")
        self.agency = agency
        self.slot_start = slot_start


def _parse(phone: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def canonical_phone(phone: str, region: str = "RU") -> str:
    """E.164 for a valid number, else the spelling as given (e.g. an internal extension)."""
    parsed = _parse(phone, region)
    if parsed is None:
        return phone
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_variants(phone: str, region: str = "RU") -> list[str]:
    """The given spelling, its E.164 form and, for Russia, the domestic "8..." form."""
    out = [phone]
    parsed = _parse(phone, region)
    if parsed is None:
        return out
    out.append(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    if parsed.country_code == 7:
        out.append(f"8{parsed.national_number}")
    return list(dict.fromkeys(out))


def appeal_from_row(row: AppealRow) -> Appeal:
    return Appeal(**{name: getattr(row, name) for name in _APPEAL_FIELDS})


class CitizenRepository:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], float],
        region: str = "RU",
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._region = region

    def key(self, phone: str) -> str:
        return canonical_phone(phone, self._region)

    async def touch(self, phone: str, name: str | None = None) -> str:
        """Make sure the citizen exists (keeping a known name unless a new one is given)."""
        async with self._sessions.begin() as session:
            return await self._touch(session, phone, name)

    async def _touch(self, session: AsyncSession, phone: str, name: str | None) -> str:
        key = self.key(phone)
        stmt = insert_for(session, CitizenRow).values(
            phone=key, name=name, created_at=self._clock()
        )
        if name is None:
            stmt = stmt.on_conflict_do_nothing(index_elements=["phone"])
        else:
            stmt = stmt.on_conflict_do_update(index_elements=["phone"], set_={"name": name})
        await session.execute(stmt)
        return key

    async def create_appeal(self, appeal: Appeal) -> Appeal:
        """Store an appeal (idempotent per id); the citizen key replaces the given spelling."""
        appeal.validate()
        async with self._sessions.begin() as session:
            key = await self._touch(session, appeal.citizen_phone, None)
            if appeal.call_id is not None:
                await ensure_call(session, appeal.call_id, self._clock())
            values = {name: getattr(appeal, name) for name in _APPEAL_FIELDS}
            values["citizen_phone"] = key
            stmt = insert_for(session, AppealRow).values(values)
            await session.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))
            row = await session.get(AppealRow, appeal.id)
            assert row is not None
            return appeal_from_row(row)

    async def appeals(self, phone: str | None = None, limit: int = 100) -> list[Appeal]:
        """Appeals newest first, of one citizen or of everyone."""
        query: Any = select(AppealRow)
        if phone is not None:
            query = query.where(AppealRow.citizen_phone == self.key(phone))
        query = query.order_by(AppealRow.created_at.desc(), AppealRow.id).limit(limit)
        async with self._sessions() as session:
            return [appeal_from_row(row) for row in await session.scalars(query)]

    async def set_appeal_status(self, appeal_id: str, status: str) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(AppealRow, appeal_id)
            if row is None:
                raise LookupError(appeal_id)
            row.status = status

    async def history(self, phone: str, limit: int = 50) -> CitizenHistory:
        """Calls (any spelling of the number) and appeals, newest first."""
        variants = phone_variants(phone, self._region)
        calls_query = (
            select(CallRow)
            .where(CallRow.caller_number.in_(variants))
            .order_by(CallRow.arrived_at.desc(), CallRow.id)
            .limit(limit)
        )
        async with self._sessions() as session:
            citizen = await session.get(CitizenRow, self.key(phone))
            calls = [call_from_row(row) for row in await session.scalars(calls_query)]
        appeals = await self.appeals(phone, limit)
        return CitizenHistory(
            phone=self.key(phone),
            name=None if citizen is None else citizen.name,
            calls=tuple(calls),
            appeals=tuple(appeals),
        )

    async def book_appointment(self, appointment: Appointment) -> None:
        """Store an appointment (idempotent per id); `SlotTaken` if someone else holds the slot
        or the id is already used for another one."""
        try:
            async with self._sessions.begin() as session:
                key = await self._touch(session, appointment.citizen_phone, None)
                if appointment.call_id is not None:
                    await ensure_call(session, appointment.call_id, self._clock())
                stmt = insert_for(session, AppointmentRow).values(
                    id=appointment.id,
                    citizen_phone=key,
                    agency=appointment.agency,
                    slot_start=appointment.slot_start,
                    service=appointment.service,
                    call_id=appointment.call_id,
                )
                await session.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))
                row = await session.get(AppointmentRow, appointment.id)
                if row is None or (row.agency, row.slot_start) != (
                    appointment.agency,
                    appointment.slot_start,
                ):
                    raise SlotTaken(appointment.agency, appointment.slot_start)
        except IntegrityError as exc:  # the unique (agency, slot_start) of another booking
            raise SlotTaken(appointment.agency, appointment.slot_start) from exc

    async def taken_slots(self, agency: str, start: float, end: float) -> set[float]:
        """Start times of the booked slots of an agency in [start, end)."""
        query = select(AppointmentRow.slot_start).where(
            AppointmentRow.agency == agency,
            AppointmentRow.slot_start >= start,
            AppointmentRow.slot_start < end,
        )
        async with self._sessions() as session:
            return set(await session.scalars(query))

    async def appointments(self, phone: str) -> list[Appointment]:
        query = (
            select(AppointmentRow)
            .where(AppointmentRow.citizen_phone == self.key(phone))
            .order_by(AppointmentRow.slot_start)
        )
        async with self._sessions() as session:
            return [
                Appointment(
                    id=r.id,
                    citizen_phone=r.citizen_phone,
                    agency=r.agency,
                    slot_start=r.slot_start,
                    service=r.service,
                    call_id=r.call_id,
                )
                for r in await session.scalars(query)
            ]
