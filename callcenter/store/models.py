"""ORM rows of the persistent store (SQLAlchemy 2, typed `Mapped[...]`).

Portable choices, identical on SQLite (aiosqlite) and PostgreSQL (asyncpg):

- Every timestamp is a float of epoch seconds (`Double`), the unit `callcenter.clock` and
  `queue_engine` already use; no time zone conversion happens in the database, and reports convert
  for display only.
- Structured details are `sqlalchemy.JSON`; text is `String`/`Text` (UTF-8 on both servers).
- Identifiers are strings: a call is keyed by Asterisk's linkedid/uniqueid, callbacks by a UUID hex
  (or an id the caller chooses), so replaying the same event finds the same row.
- Enumerations are plain strings validated in `callcenter.store.records`, not database enums, so
  adding a value needs no migration.

The first migration (`migrations/versions/0001_initial.py`) creates exactly these tables; a test
compares the migrated schema with this metadata on both servers.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names: migrations and drift checks then agree on both servers.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(64)
CODE = String(64)
PHONE = String(32)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        float: Double(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class CallRow(Base):
    __tablename__ = "calls"
    __table_args__ = (Index(None, "arrived_at"), Index(None, "caller_number"))

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    caller_number: Mapped[str | None] = mapped_column(PHONE)
    caller_name: Mapped[str | None] = mapped_column(String(200))
    arrived_at: Mapped[float | None]
    queue: Mapped[str | None] = mapped_column(CODE)
    topic: Mapped[str | None] = mapped_column(CODE)
    mode: Mapped[str | None] = mapped_column(String(16))
    entered_queue_at: Mapped[float | None]
    answered_at: Mapped[float | None]
    ended_at: Mapped[float | None]
    wait_s: Mapped[float | None]
    talk_s: Mapped[float | None]
    operator_id: Mapped[str | None] = mapped_column(ID)
    outcome: Mapped[str | None] = mapped_column(String(16))
    overflow_partner: Mapped[str | None] = mapped_column(CODE)
    overflow_direction: Mapped[str | None] = mapped_column(String(3))
    origin_center: Mapped[str | None] = mapped_column(CODE)
    hops: Mapped[int | None] = mapped_column(Integer)
    ivr_path: Mapped[list[Any] | None]
    script_path: Mapped[list[Any] | None]
    result_code: Mapped[str | None] = mapped_column(CODE)
    survey_rating: Mapped[int | None] = mapped_column(Integer)
    partner_outcome: Mapped[str | None] = mapped_column(String(16))
    partner_wait_s: Mapped[float | None]
    updated_at: Mapped[float | None]


class CallEventRow(Base):
    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_id", "event_key"), Index(None, "call_id", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ID, ForeignKey("calls.id", ondelete="CASCADE"))
    # Replays of the same event carry the same key, so the unique constraint drops them.
    event_key: Mapped[str] = mapped_column(String(200))
    at: Mapped[float]
    kind: Mapped[str] = mapped_column(CODE)
    details: Mapped[dict[str, Any]]


class CallbackRow(Base):
    __tablename__ = "callbacks"
    __table_args__ = (Index(None, "status", "deadline"), Index(None, "number"))

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    number: Mapped[str] = mapped_column(PHONE)
    topic: Mapped[str | None] = mapped_column(CODE)
    requested_at: Mapped[float]
    deadline: Mapped[float]
    not_before: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(32))
    # Unique: the request made during one call is stored once however often it is replayed.
    source_call_id: Mapped[str | None] = mapped_column(ID, unique=True)
    claimed_by: Mapped[str | None] = mapped_column(ID)
    claimed_until: Mapped[float | None]
    updated_at: Mapped[float]


class CallbackAttemptRow(Base):
    __tablename__ = "callback_attempts"
    __table_args__ = (UniqueConstraint("callback_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    callback_id: Mapped[str] = mapped_column(ID, ForeignKey("callbacks.id", ondelete="CASCADE"))
    started_at: Mapped[float]
    ended_at: Mapped[float | None]
    result: Mapped[str] = mapped_column(String(16))
    operator_id: Mapped[str | None] = mapped_column(ID)


class OperatorRow(Base):
    __tablename__ = "operators"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sip_endpoint: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    queues: Mapped[list[Any]]
    skills: Mapped[dict[str, Any]]
    password_hash: Mapped[str | None] = mapped_column(String(300))


class CitizenRow(Base):
    __tablename__ = "citizens"

    phone: Mapped[str] = mapped_column(PHONE, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[float]


class AppealRow(Base):
    __tablename__ = "appeals"
    __table_args__ = (Index(None, "citizen_phone", "created_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    call_id: Mapped[str | None] = mapped_column(ID, ForeignKey("calls.id", ondelete="SET NULL"))
    citizen_phone: Mapped[str] = mapped_column(PHONE, ForeignKey("citizens.phone"))
    category: Mapped[str] = mapped_column(String(200))
    subcategory: Mapped[str | None] = mapped_column(String(200))
    fact: Mapped[str | None] = mapped_column(String(200))
    object_code: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    executor_org: Mapped[str | None] = mapped_column(String(200))
    urgency: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[float]


class AppointmentRow(Base):
    __tablename__ = "appointments"
    # One citizen per reception slot: a second booking of the same slot fails in the database.
    __table_args__ = (Index(None, "citizen_phone"), UniqueConstraint("agency", "slot_start"))

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    citizen_phone: Mapped[str] = mapped_column(PHONE, ForeignKey("citizens.phone"))
    agency: Mapped[str] = mapped_column(String(200))
    slot_start: Mapped[float]
    service: Mapped[str] = mapped_column(String(200))
    call_id: Mapped[str | None] = mapped_column(ID, ForeignKey("calls.id", ondelete="SET NULL"))


class EditedScriptRow(Base):
    """A call script as an administrator last saved it; it replaces the shipped one."""

    __tablename__ = "edited_scripts"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[float]
    updated_by: Mapped[str] = mapped_column(String(200))


class SurveyRow(Base):
    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("call_id", "question"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ID, ForeignKey("calls.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(CODE)
    answer: Mapped[str] = mapped_column(String(200))
    at: Mapped[float]


class WorkplaceRecordRow(Base):
    """What an operator did on a call besides the appeal: a transfer with its note, a callback,
    an appointment, an outdated-information report, and the wrap-up (kind `wrapup`, its result
    code and fields in `details`). The caller's history and the operator's own calls read it."""

    __tablename__ = "workplace_records"
    __table_args__ = (Index(None, "citizen_phone", "at"), Index(None, "operator_id", "kind", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str | None] = mapped_column(ID)
    operator_id: Mapped[str] = mapped_column(ID)
    citizen_phone: Mapped[str | None] = mapped_column(PHONE)  # the citizens' key (E.164)
    kind: Mapped[str] = mapped_column(CODE)
    at: Mapped[float]
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]]


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(CODE)
    details: Mapped[dict[str, Any]]


class NotifyCampaignRow(Base):
    __tablename__ = "notify_campaigns"

    name: Mapped[str] = mapped_column(CODE, primary_key=True)
    settings: Mapped[dict[str, Any]]
    created_at: Mapped[float]


class NotifyRecipientRow(Base):
    __tablename__ = "notify_recipients"
    __table_args__ = (UniqueConstraint("campaign", "position"), Index(None, "campaign", "state"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign: Mapped[str] = mapped_column(
        CODE, ForeignKey("notify_campaigns.name", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(String(64))  # as written in the file
    number: Mapped[str | None] = mapped_column(PHONE)  # E.164; None when it cannot be called
    email: Mapped[str | None] = mapped_column(String(254))
    variables: Mapped[dict[str, Any]]
    text: Mapped[str] = mapped_column(Text)
    problem: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[float]
    last_result: Mapped[str | None] = mapped_column(String(16))
    email_status: Mapped[str] = mapped_column(String(16))
    email_attempts: Mapped[int] = mapped_column(Integer)
    email_next_at: Mapped[float]
    email_error: Mapped[str | None] = mapped_column(Text)
    emailed_at: Mapped[float | None]
    updated_at: Mapped[float]


class NotifyAttemptRow(Base):
    __tablename__ = "notify_attempts"
    __table_args__ = (UniqueConstraint("recipient_id", "attempt"), Index(None, "started_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("notify_recipients.id", ondelete="CASCADE")
    )
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[float]
    ended_at: Mapped[float | None]
    result: Mapped[str | None] = mapped_column(String(16))  # None while the call is in progress
    reason: Mapped[int | None] = mapped_column(Integer)  # OriginateResponse Reason
    action_id: Mapped[str | None] = mapped_column(String(100))
    uniqueid: Mapped[str | None] = mapped_column(ID)


class ApplicationRow(Base):
    """A citizen's application at an agency as the regional portal last told us its state."""

    __tablename__ = "applications"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)  # what the IVR says about it, in Russian
    updated_at: Mapped[float]
