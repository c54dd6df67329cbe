"""The operator workplace's store and history on the database (`callcenter.store`)."""

from __future__ import annotations

import uuid

from callcenter.scripting import OutdatedReport, ScriptPath
from callcenter.store.records import Appeal as AppealRecord
from callcenter.store.records import CallRecord, InvalidRecord
from callcenter.store.repositories import Store
from callcenter.web.errors import ApiError
from callcenter.web.workplace_model import Appeal, CallAction, HistoryEntry, WrapUp

_URGENCY = {"normal": "normal", "urgent": "high", "emergency": "emergency"}


class SqlWorkplaceStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def save_appeal(self, appeal: Appeal) -> str:
        number = f"ОБР-{uuid.uuid4().hex[:8].upper()}"
        parts = appeal.classification.split(".")
        record = AppealRecord(
            id=number,
            citizen_phone=appeal.phone,
            category=parts[0],
            subcategory=".".join(parts[:2]) if len(parts) > 1 else None,
            fact=".".join(parts[:3]) if len(parts) > 2 else None,
            object_code=appeal.classification,
            text=f"[{appeal.kind}] {appeal.classification_title}\n{appeal.text}",
            created_at=appeal.created_at,
            call_id=appeal.call_id,
            executor_org=appeal.executor_id,
            urgency=_URGENCY.get(appeal.urgency, "normal"),
        )
        try:
            await self._store.citizens.create_appeal(record)
        except InvalidRecord as exc:
            raise ApiError("appeal_invalid", str(exc)) from exc
        return number

    async def save_script_path(self, call_id: str, operator_id: str, path: ScriptPath) -> None:
        entries = tuple(e.step_id for e in path.entries)
        await self._store.calls.upsert_call(CallRecord(id=call_id, script_path=entries))

    async def save_wrapup(self, wrapup: WrapUp) -> None:
        await self._store.calls.upsert_call(
            CallRecord(id=wrapup.call_id, result_code=wrapup.result_code)
        )
        await self._store.audit.append(
            wrapup.operator_id,
            "wrapup",
            {
                "call_id": wrapup.call_id,
                "fields": dict(wrapup.fields),
                "timed_out": wrapup.timed_out,
            },
        )

    async def save_outdated_report(self, report: OutdatedReport) -> None:
        await self._store.audit.append(
            report.reporter, "kb_outdated", {"entry": report.entry_id, "note": report.note}
        )

    async def save_action(self, action: CallAction) -> None:
        details = {"call_id": action.call_id, "summary": action.summary, **dict(action.details)}
        await self._store.audit.append(action.operator_id, action.kind, details)

    async def wrapups_of(self, operator_id: str, limit: int) -> list[WrapUp]:
        return []  # the page shows the current shift from memory; reports read the calls table

    async def history(self, phone: str) -> list[HistoryEntry]:
        found = await self._store.citizens.history(phone)
        entries = [
            HistoryEntry("call", c.arrived_at or 0.0, _call_summary(c), c.id) for c in found.calls
        ]
        entries += [
            HistoryEntry("appeal", a.created_at, a.text.splitlines()[0], a.id)
            for a in found.appeals
        ]
        return sorted(entries, key=lambda e: e.at, reverse=True)


def _call_summary(call: CallRecord) -> str:
    outcome = {
        "answered": "разговор с оператором",
        "abandoned": "не дождался ответа",
        "overflowed": "передан в партнёрский центр",
        "callback": "заказал обратный звонок",
        "ivr": "обслужен автоответчиком",
        "failed": "сбой",
    }.get(call.outcome or "", "в обработке")
    topic = f" ({call.topic})" if call.topic else ""
    return f"Звонок{topic}: {outcome}"
