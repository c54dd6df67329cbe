"""Workplace handlers for reference data: FAQ search, outdated-information reports, the appeal
classifier's cascading options, reception slots and booking an appointment during a call.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date, datetime, timedelta

from aiohttp import web

from callcenter.scripting import ScriptingError, Service
from callcenter.web.auth import require_role
from callcenter.web.workplace_calls import record_action
from callcenter.web.workplace_http import (
    ANY_STAFF,
    OPERATOR,
    human_time,
    local_time,
    read_json,
    reply,
    session_for,
    user_of,
    workplace,
)
from callcenter.web.workplace_input import as_object, bad, from_scripting, integer, text
from callcenter.web.workplace_model import Slot
from callcenter.web.workplace_views import faq_view

BOOKING_DAYS_AHEAD = 60


@require_role(*ANY_STAFF)
async def get_search(request: web.Request) -> web.Response:
    kb = workplace(request).guide.knowledge_base
    query = text(request.query, "q", "Поисковый запрос")
    topic = text(request.query, "topic", "Тема", required=False) or None
    limit = integer({"limit": request.query.get("limit", "5")}, "limit", "Количество", 1, 20)
    hits = kb.search(query, limit=limit, topic=topic)
    return reply({"query": query, "hits": [{**faq_view(h.entry), "score": h.score} for h in hits]})


@require_role(*OPERATOR)
async def post_outdated(request: web.Request) -> web.Response:
    wp = workplace(request)
    body = as_object(await read_json(request))
    entry_id = text(body, "entry_id", "Запись базы знаний")
    note = text(body, "note", "Что устарело", limit=1000)
    at = local_time(request, wp.clock())
    try:
        report = wp.guide.knowledge_base.report_outdated(entry_id, note, user_of(request).id, at=at)
    except ScriptingError as exc:
        raise from_scripting(exc) from exc
    session = wp.hub.board.current(user_of(request).id)
    if session is not None:  # reported during a call: it joins that caller's history
        report = replace(report, call_id=session.call_id, phone=session.pop.number)
    await wp.store.save_outdated_report(report)
    return reply(asdict(report), status=201)


@require_role(*ANY_STAFF)
async def get_classifier(request: web.Request) -> web.Response:
    code = text(request.query, "code", "Код классификатора", required=False) or None
    try:
        nodes = workplace(request).guide.classifier.children(code)
    except ScriptingError as exc:
        raise from_scripting(exc) from exc
    return reply({"code": code, "options": [asdict(n) for n in nodes]})


def _service_at(request: web.Request, agency_id: str, service_id: str) -> Service:
    kb = workplace(request).guide.knowledge_base
    service = next((s for s in kb.services if s.id == service_id), None)
    if service is None:
        raise bad("service_id", "Неизвестная услуга")
    if agency_id not in {a.id for a in kb.agencies}:
        raise bad("agency_id", "Неизвестное ведомство")
    if service.agencies and agency_id not in service.agencies:
        raise bad("agency_id", "Это ведомство не оказывает выбранную услугу", "agency_not_serving")
    return service


def _day(request: web.Request, raw: str) -> date:
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise bad("day", "Дата должна быть в формате ГГГГ-ММ-ДД") from exc
    today = local_time(request, workplace(request).clock()).date()
    if not today <= day <= today + timedelta(days=BOOKING_DAYS_AHEAD):
        raise bad("day", f"Запись возможна с сегодняшнего дня на {BOOKING_DAYS_AHEAD} дней вперёд")
    return day


@require_role(*OPERATOR)
async def get_slots(request: web.Request) -> web.Response:
    agency_id = text(request.query, "agency_id", "Ведомство")
    service_id = text(request.query, "service_id", "Услуга")
    _service_at(request, agency_id, service_id)
    day = _day(request, text(request.query, "day", "Дата"))
    slots = await workplace(request).booking.free_slots(agency_id, service_id, day.isoformat())
    return reply({"day": day.isoformat(), "slots": [asdict(s) for s in slots]})


@require_role(*OPERATOR)
async def post_appointment(request: web.Request) -> web.Response:
    wp = workplace(request)
    session = session_for(request, write=True)
    body = as_object(await read_json(request))
    agency_id = text(body, "agency_id", "Ведомство")
    service = _service_at(request, agency_id, text(body, "service_id", "Услуга"))
    start = text(body, "start", "Время приёма")
    try:
        start = datetime.fromisoformat(start).isoformat(timespec="minutes")
    except ValueError as exc:
        raise bad("start", "Время приёма должно быть в формате ГГГГ-ММ-ДДTЧЧ:ММ") from exc
    _day(request, start[:10])
    name = text(body, "citizen_name", "ФИО гражданина", required=False)
    name = name or session.facts.get("citizen_name", "")
    if not name:
        raise bad("citizen_name", "Заполните поле «ФИО гражданина»")
    appointment = await wp.booking.book(
        Slot(agency_id, service.id, start), phone=session.pop.number, citizen_name=name,
        call_id=session.call_id, operator_id=session.operator_id,
    )  # fmt: skip
    agency = wp.guide.knowledge_base.agency(agency_id)
    when = human_time(datetime.fromisoformat(start))
    summary = f"Запись на приём: {service.name}, {agency.name}, {when}"
    await record_action(request, session, "appointment", summary, appointment_id=appointment.id,
                  agency_id=agency_id, service_id=service.id, start=start)  # fmt: skip
    session.facts.update(agency_id=agency_id, appointment_at=when)
    return reply(asdict(appointment), status=201)
