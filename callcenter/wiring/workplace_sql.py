"""The operator workplace's store and history on the database (`callcenter.store`).

Appeals go to the appeals table, the script path and result code to the call's record; everything
else the operator does (transfer with its note, callback, appointment, outdated-information report,
the wrap-up itself) is a row of `workplace_records`. The history reads all three, newest first,
with Russian labels (topic titles, appeal kinds, result codes) taken from the operator guide.
"""

from __future__ import annotations

import uuid
from typing import Any

from callcenter.scripting import OperatorGuide, OutdatedReport, ScriptPath
from callcenter.scripting.errors import KnowledgeBaseError
from callcenter.store.records import Appeal as AppealRecord
from callcenter.store.records import CallRecord, InvalidRecord
from callcenter.store.repositories import Store, WorkplaceRecord
from callcenter.web.errors import ApiError
from callcenter.web.workplace_model import (
    APPEAL_KIND_TITLES,
    WRAPUP_TIMEOUT_CODE,
    Appeal,
    CallAction,
    HistoryEntry,
    WrapUp,
)

_URGENCY = {"normal": "normal", "urgent": "high", "emergency": "emergency"}
_OUTCOMES = {
    "answered": "разговор с оператором",
    "abandoned": "не дождался ответа",
    "overflowed": "передан в партнёрский центр",
    "callback": "заказал обратный звонок",
    "ivr": "обслужен автоответчиком",
    "failed": "сбой",
    "transferred": "переведён в ведомство",
}
# Workplace record kind -> history kind (wrap-ups are read with their call).
_HISTORY_KIND = {
    "transfer": "transfer",
    "callback": "callback",
    "appointment": "appointment",
    "kb_outdated": "report",
}


class SqlWorkplaceStore:
    def __init__(self, store: Store, guide: OperatorGuide) -> None:
        self._store = store
        self._guide = guide

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
        details = {
            "result_code": wrapup.result_code,
            "fields": dict(wrapup.fields),
            "started_at": wrapup.started_at,
            "timed_out": wrapup.timed_out,
            "phone": wrapup.phone,
        }
        await self._add(
            WorkplaceRecord(wrapup.operator_id, "wrapup", wrapup.finished_at,
                            self.result_title(wrapup.result_code), wrapup.call_id,
                            wrapup.phone, details)
        )  # fmt: skip
        await self._store.audit.append(
            wrapup.operator_id,
            "wrapup",
            {"call_id": wrapup.call_id, "result_code": wrapup.result_code,
             "timed_out": wrapup.timed_out},
        )  # fmt: skip

    async def save_outdated_report(self, report: OutdatedReport) -> None:
        title = self._entry_title(report.entry_id)
        details = {"entry": report.entry_id, "entry_kind": report.entry_kind, "note": report.note}
        await self._add(
            WorkplaceRecord(report.reporter, "kb_outdated", report.reported_at.timestamp(),
                            f"Устаревшие сведения «{title}»: {report.note}",
                            report.call_id or None, report.phone or None, details)
        )  # fmt: skip
        await self._store.audit.append(report.reporter, "kb_outdated", details)

    async def save_action(self, action: CallAction) -> None:
        details = dict(action.details)
        await self._add(
            WorkplaceRecord(action.operator_id, action.kind, action.at, action.summary,
                            action.call_id, action.phone, details)
        )  # fmt: skip
        await self._store.audit.append(
            action.operator_id, action.kind, {"call_id": action.call_id, **details}
        )

    async def wrapups_of(self, operator_id: str, limit: int) -> list[WrapUp]:
        records = await self._store.workplace.of_operator(operator_id, "wrapup", limit)
        return [_wrapup(r) for r in records]

    async def history(self, phone: str) -> list[HistoryEntry]:
        found = await self._store.citizens.history(phone)
        records = await self._store.workplace.of_citizen(phone)
        results = {r.call_id: r for r in records if r.kind == "wrapup"}
        entries = [
            HistoryEntry("call", c.arrived_at or 0.0, self._call_summary(c), c.id)
            for c in found.calls
        ]
        listed = {c.id for c in found.calls}
        # A call known only by its wrap-up (e.g. a callback the center dialled).
        entries += [
            HistoryEntry("call", r.at, f"Звонок: результат — {r.summary}", r.call_id or "")
            for r in results.values()
            if r.call_id not in listed
        ]
        entries += [
            self._appeal_entry(a.text, a.created_at, a.id, a.call_id) for a in found.appeals
        ]
        entries += [
            HistoryEntry(_HISTORY_KIND[r.kind], r.at, r.summary, r.call_id or "", r.call_id or "")
            for r in records
            if r.kind in _HISTORY_KIND
        ]
        return sorted(entries, key=lambda e: e.at, reverse=True)

    def result_title(self, code: str | None) -> str:
        if code == WRAPUP_TIMEOUT_CODE:
            return "не указан (время обработки истекло)"
        known = self._guide.wrapup.codes.get(code or "")
        return known.label if known is not None else (code or "не указан")

    def _call_summary(self, call: CallRecord) -> str:
        outcome = _OUTCOMES.get(call.outcome or "", "в обработке")
        topic = f" ({self._guide.topic_title(call.topic)})" if call.topic else ""
        result = f", результат — {self.result_title(call.result_code)}" * bool(call.result_code)
        return f"Звонок{topic}: {outcome}{result}"

    def _appeal_entry(self, text: str, at: float, number: str, call_id: str | None) -> HistoryEntry:
        first = text.splitlines()[0] if text else ""
        kind, _, title = first.partition("] ")
        if first.startswith("[") and title:  # "[complaint] Title": what save_appeal writes
            first = f"{APPEAL_KIND_TITLES.get(kind[1:], 'Обращение')}: {title}"
        return HistoryEntry("appeal", at, first, number, call_id or "")

    def _entry_title(self, entry_id: str) -> str:
        kb = self._guide.knowledge_base
        for find, attr in ((kb.faq, "question"), (kb.service, "name"), (kb.agency, "name")):
            try:
                return str(getattr(find(entry_id), attr))
            except KnowledgeBaseError:
                continue
        return entry_id

    async def _add(self, record: WorkplaceRecord) -> None:
        try:
            await self._store.workplace.add(record)
        except InvalidRecord as exc:
            raise ApiError("record_invalid", str(exc)) from exc


def _wrapup(record: WorkplaceRecord) -> WrapUp:
    d: dict[str, Any] = dict(record.details)
    fields = tuple(sorted((str(k), str(v)) for k, v in dict(d.get("fields", {})).items()))
    return WrapUp(
        call_id=record.call_id or "",
        operator_id=record.operator_id,
        phone=str(d.get("phone", record.citizen_phone or "")),
        result_code=str(d.get("result_code", "")),
        fields=fields,
        started_at=float(d.get("started_at", record.at)),
        finished_at=record.at,
        timed_out=bool(d.get("timed_out", False)),
    )
