"""The store as one object: every repository over one engine, built by `open_store`.

    store = open_store("sqlite+aiosqlite:///callcenter.db", clock=clock.now)
    await store.calls.upsert_call(CallRecord(id="1700000000.1", caller_number="+79161234567"))
    ...
    await store.close()

`open_store` does not migrate: run `callcenter migrate` (or `await migrate(url)`) first; the
demo calls `migrate` itself before opening.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.store.db import make_engine, make_sessions
from callcenter.store.repo_admin import AuditRepository, OperatorRepository
from callcenter.store.repo_applications import ApplicationRepository
from callcenter.store.repo_callbacks import CallbackNotFound, CallbackRepository
from callcenter.store.repo_calls import CallRepository
from callcenter.store.repo_citizens import CitizenRepository, canonical_phone, phone_variants
from callcenter.store.repo_notify import NotifyRepository
from callcenter.store.repo_scripts import ScriptRepository
from callcenter.store.repo_workplace import WorkplaceRecord, WorkplaceRepository

__all__ = [
    "ApplicationRepository",
    "AuditRepository",
    "CallRepository",
    "CallbackNotFound",
    "CallbackRepository",
    "CitizenRepository",
    "NotifyRepository",
    "OperatorRepository",
    "ScriptRepository",
    "Store",
    "WorkplaceRecord",
    "WorkplaceRepository",
    "canonical_phone",
    "open_store",
    "phone_variants",
]


@dataclass(frozen=True)
class Store:
    engine: AsyncEngine
    calls: CallRepository
    callbacks: CallbackRepository
    citizens: CitizenRepository
    operators: OperatorRepository
    audit: AuditRepository
    scripts: ScriptRepository
    notify: NotifyRepository
    workplace: WorkplaceRepository
    applications: ApplicationRepository

    async def close(self) -> None:
        await self.engine.dispose()


def open_store(
    url: str,
    *,
    clock: Callable[[], float],
    schema: str | None = None,
    region: str = "RU",
    allow_foreign_callbacks: bool = False,
) -> Store:
    engine = make_engine(url, schema=schema)
    sessions = make_sessions(engine)
    return Store(
        engine=engine,
        calls=CallRepository(sessions=sessions, clock=clock),
        callbacks=CallbackRepository(
            sessions=sessions, clock=clock, region=region, allow_foreign=allow_foreign_callbacks
        ),
        citizens=CitizenRepository(sessions=sessions, clock=clock, region=region),
        operators=OperatorRepository(sessions=sessions),
        audit=AuditRepository(sessions=sessions, clock=clock),
        scripts=ScriptRepository(sessions=sessions, clock=clock),
        notify=NotifyRepository(sessions=sessions, clock=clock),
        workplace=WorkplaceRepository(sessions=sessions, clock=clock, region=region),
        applications=ApplicationRepository(sessions=sessions, clock=clock),
    )
