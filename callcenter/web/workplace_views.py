"""JSON views of desks, calls, scripts and knowledge-base records for the workplace page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from callcenter.scripting import (
    Agency,
    FaqEntry,
    OperatorGuide,
    ScriptingError,
    ScriptRun,
    Service,
)
from callcenter.web.workplace_desk import CallSession, Desk, DeskBoard
from callcenter.web.workplace_model import HistoryEntry, WrapUp

ARRIVAL_TITLES = {
    "direct": "Напрямую в очередь",
    "ivr": "Через голосовое меню",
    "overflow": "Перенаправлен из другого центра",
    "callback": "Обратный звонок",
}


def faq_view(entry: FaqEntry) -> dict[str, Any]:
    return {"id": entry.id, "question": entry.question, "answer": entry.answer,
            "topic": entry.topic, "agency": entry.agency, "service": entry.service}  # fmt: skip


def agency_view(agency: Agency) -> dict[str, Any]:
    return {"id": agency.id, "name": agency.name, "address": agency.address,
            "phones": list(agency.phones), "hours": agency.hours, "kind": agency.kind,
            "transfer_number": agency.transfer_number, "topics": list(agency.topics)}  # fmt: skip


def service_view(service: Service) -> dict[str, Any]:
    return {**asdict(service), "documents": list(service.documents),
            "agencies": list(service.agencies)}  # fmt: skip


def script_view(run: ScriptRun, guide: OperatorGuide, operator_name: str) -> dict[str, Any]:
    step = run.current_step
    values = {"operator_name": operator_name}
    transfer = guide.knowledge_base.agency(step.transfer_to) if step.transfer_to else None
    return {
        "script_id": run.script.id,
        "title": run.script.title,
        "finished": run.finished,
        "step": {
            "id": step.id,
            "kind": step.kind,
            "text": step.render(values),
            "hint": step.hint,
            "mandatory": step.mandatory,
            "input": step.input,
            "choices": [{"id": c.id, "label": c.label} for c in step.choices],
            "faq": [faq_view(e) for e in guide.faq_for_step(step)],
            "transfer_to": agency_view(transfer) if transfer else None,
        },
        "path": [
            {
                "step_id": e.step_id,
                "answer": e.answer,
                "label": e.label,
                "text": run.script.step(e.step_id).render(values),
            }
            for e in run.path.entries
        ],
        "missing": [s.id for s in run.missing_mandatory()],
    }


def history_view(entries: list[HistoryEntry]) -> list[dict[str, Any]]:
    ordered = sorted(entries, key=lambda e: e.at, reverse=True)  # newest first, whatever the source
    return [asdict(e) for e in ordered]


def call_view(
    session: CallSession,
    board: DeskBoard,
    guide: OperatorGuide,
    operator_name: str,
    history: list[HistoryEntry],
) -> dict[str, Any]:
    pop = session.pop
    return {
        "call_id": pop.call_id,
        "operator_id": session.operator_id,
        "pop": {
            **pop.as_dict(),
            "arrival_title": ARRIVAL_TITLES.get(pop.arrival.kind, ""),
            "topic_title": session.run.script.title if pop.topic else "",
        },
        # Earlier contacts only: what this call produced is listed with the call itself.
        "history": history_view([h for h in history if pop.call_id not in (h.ref, h.call_id)]),
        "script": script_view(session.run, guide, operator_name),
        "ended_at": session.ended_at,
        "wrapped_up": session.wrapped_up,
        "wrapup_remaining_s": round(board.remaining_s(session), 1),
        "facts": dict(session.facts),
        "fact_titles": fact_titles(session.facts, guide),
        "appeals": [asdict(a) for a in session.appeals],
        "actions": [asdict(a) for a in session.actions],
    }


def fact_titles(facts: dict[str, str], guide: OperatorGuide) -> dict[str, str]:
    """Russian names for the coded facts the wrap-up form is pre-filled with."""
    titles: dict[str, str] = {}
    kb = guide.knowledge_base
    lookups: dict[str, Callable[[str], str]] = {
        "classification": lambda code: " → ".join(guide.classifier.validate(code).labels),
        "topic": guide.topic_title,
        "agency_id": lambda agency_id: kb.agency(agency_id).name,
        "faq_id": lambda faq_id: kb.faq(faq_id).question,
    }
    for name, lookup in lookups.items():
        if facts.get(name):
            try:
                titles[name] = lookup(facts[name])
            except ScriptingError:  # an id no longer in the data: the page shows the code
                continue
    return titles


def desk_view(desk: Desk, board: DeskBoard, session: CallSession | None) -> dict[str, Any]:
    pending = board.pending_wrapup(desk.operator_id)
    return {
        "state": desk.state,
        "since": desk.since,
        "pause_reason": desk.pause_reason,
        "call_id": session.call_id if session else None,
        "wrapup": None
        if pending is None
        else {
            "call_id": pending.call_id,
            "remaining_s": round(board.remaining_s(pending), 1),
            "total_s": board.wrapup_s,
        },
    }


def wrapup_view(wrapup: WrapUp) -> dict[str, Any]:
    return {**asdict(wrapup), "fields": dict(wrapup.fields)}


def catalog_view(guide: OperatorGuide) -> dict[str, Any]:
    wrapup = guide.wrapup
    return {
        "fields": {n: f.label for n, f in wrapup.fields.items()},
        "result_codes": [
            {"code": c.code, "label": c.label, "required": list(c.required)}
            for c in wrapup.codes.values()
        ],
        "agencies": [agency_view(a) for a in guide.knowledge_base.agencies],
        "services": [service_view(s) for s in guide.knowledge_base.services],
    }
