"""Workplace handlers acting on one call: script steps, appeals, transfer, callback, appointment
and the wrap-up. Each checks the call is the operator's own and still open (`session_for`).
"""

from __future__ import annotations

from dataclasses import asdict, replace

from aiohttp import web

from callcenter.scripting import ScriptingError, ScriptPath, ScriptRunError
from callcenter.web.auth import require_role
from callcenter.web.errors import Conflict
from callcenter.web.workplace_desk import CallSession
from callcenter.web.workplace_http import (
    OPERATOR,
    human_time,
    local_time,
    operator_of,
    read_json,
    reply,
    session_for,
    user_of,
    workplace,
)
from callcenter.web.workplace_input import (
    MAX_CALLBACK_MIN,
    as_object,
    bad,
    from_scripting,
    integer,
    parse_appeal,
    parse_wrapup,
    phone_number,
    text,
)
from callcenter.web.workplace_model import WRAPUP_TIMEOUT_CODE, Appeal, CallAction, WrapUp
from callcenter.web.workplace_ports import Workplace
from callcenter.web.workplace_views import script_view

# Result codes for calls cut short: the script's mandatory questions may stay unanswered.
SCRIPT_OPTIONAL = frozenset({"dropped", "wrong_number", "abusive", "emergency_redirected"})


def _script_reply(request: web.Request, session: CallSession) -> web.Response:
    wp = workplace(request)
    return reply(script_view(session.run, wp.guide, user_of(request).name))


@require_role(*OPERATOR)
async def post_script_answer(request: web.Request) -> web.Response:
    session = session_for(request, write=True)
    body = as_object(await read_json(request))
    step_id = text(body, "step_id", "Шаг сценария")
    answer = text(body, "answer", "Ответ", required=False, limit=1000)
    step = session.run.script.step(step_id) if step_id in session.run.script.steps else None
    try:
        session.run.answer(step_id, answer)
    except ScriptingError as exc:
        raise from_scripting(exc) from exc
    if step is not None and step.faq:
        session.facts["faq_id"] = step.faq[0]
    if step is not None and step.kind == "identification" and answer:
        session.facts["citizen_name"] = answer
    return _script_reply(request, session)


@require_role(*OPERATOR)
async def post_script_back(request: web.Request) -> web.Response:
    session = session_for(request, write=True)
    try:
        session.run.back()
    except ScriptingError as exc:
        raise from_scripting(exc) from exc
    return _script_reply(request, session)


@require_role(*OPERATOR)
async def post_appeal(request: web.Request) -> web.Response:
    wp = workplace(request)
    session = session_for(request, write=True)
    inp = parse_appeal(await read_json(request))
    try:
        classification = wp.guide.classifier.validate(inp.classification)
    except ScriptingError as exc:
        raise from_scripting(exc) from exc
    if inp.executor_id not in {a.id for a in wp.guide.knowledge_base.agencies}:
        raise bad("executor_id", "Неизвестная организация-исполнитель")
    appeal = Appeal(
        session.call_id, session.operator_id, session.pop.number, inp.kind, classification.code,
        classification.title, inp.text, inp.executor_id, inp.urgency, wp.clock(),
    )  # fmt: skip
    appeal = replace(appeal, number=await wp.store.save_appeal(appeal))
    session.appeals.append(appeal)
    session.facts.update(
        classification=appeal.classification, appeal_text=appeal.text, appeal_number=appeal.number
    )
    return reply(asdict(appeal), status=201)


async def record_action(request: web.Request, session: CallSession, kind: str, summary: str,
                  **details: str) -> CallAction:  # fmt: skip
    wp = workplace(request)
    action = CallAction(
        session.call_id, session.operator_id, session.pop.number, kind, wp.clock(), summary,
        tuple(details.items()),
    )  # fmt: skip
    await wp.store.save_action(action)
    session.actions.append(action)
    return action


@require_role(*OPERATOR)
async def post_transfer(request: web.Request) -> web.Response:
    wp = workplace(request)
    session = session_for(request, write=True)
    if session.ended_at is not None:
        raise Conflict("call_ended", "Разговор уже завершён: перевод невозможен", {})
    body = as_object(await read_json(request))
    agency_id = text(body, "agency_id", "Ведомство")
    note = text(body, "note", "Комментарий для ведомства", required=False, limit=500)
    agency = next((a for a in wp.guide.knowledge_base.agencies if a.id == agency_id), None)
    if agency is None or not agency.transfer_number:
        raise bad("agency_id", "У этого ведомства нет номера для перевода")
    await wp.calls.transfer(session.call_id, agency.transfer_number, note)
    summary = f"Переведён в «{agency.name}» ({agency.transfer_number})" + (f": {note}" * bool(note))
    action = await record_action(
        request, session, "transfer", summary, agency_id=agency_id, note=note
    )
    session.facts["agency_id"] = agency_id
    return reply(asdict(action), status=201)


@require_role(*OPERATOR)
async def post_callback(request: web.Request) -> web.Response:
    wp = workplace(request)
    session = session_for(request, write=True)
    body = as_object(await read_json(request))
    phone = phone_number(text(body, "phone", "Номер", required=False) or session.pop.number)
    topic = text(body, "topic", "Тема", required=False) or (session.pop.topic or "")
    minutes = integer(body, "in_minutes", "Через сколько минут", 1, MAX_CALLBACK_MIN)
    due = wp.clock() + minutes * 60
    callback_id = await wp.calls.request_callback(phone, topic, due)
    due_text = human_time(local_time(request, due))
    topic_title = wp.guide.topic_title(topic) if topic else ""
    summary = f"Обратный звонок на {phone}: {due_text}" + (f" ({topic_title})" * bool(topic))
    action = await record_action(request, session, "callback", summary, callback_id=callback_id,
                           phone=phone, due=due_text)  # fmt: skip
    session.facts.update(callback_number=phone, callback_due=due_text)
    return reply(asdict(action), status=201)


def _script_path(session: CallSession, code: str) -> ScriptPath:
    if session.run.closed:  # closed by an earlier attempt whose saving failed
        return session.run.path
    try:
        return session.run.close()
    except ScriptRunError as exc:
        if code in SCRIPT_OPTIONAL:
            return session.run.path
        missing = [s.text for s in session.run.missing_mandatory()]
        api = from_scripting(exc)
        api.message = "Не пройдены обязательные вопросы сценария: " + "; ".join(missing)
        raise api from exc


@require_role(*OPERATOR)
async def post_wrapup(request: web.Request) -> web.Response:
    session = session_for(request, write=True)
    if session.ended_at is None:
        raise Conflict("call_in_progress", "Завершить обработку можно после окончания разговора")
    body = await read_json(request)
    async with session.lock:
        session_for(request, write=True)  # another request may have closed it meanwhile
        return await _wrap_up(request, session, body)


async def _wrap_up(request: web.Request, session: CallSession, body: object) -> web.Response:
    wp = workplace(request)
    code, fields = parse_wrapup(body)
    values = {**session.facts, **{k: v for k, v in fields.items() if v}}
    try:
        wp.guide.wrapup.validate(code, values, classifier=wp.guide.classifier)
    except ScriptingError as exc:
        raise from_scripting(exc, wp.guide.wrapup) from exc
    path = _script_path(session, code)
    await wp.store.save_script_path(session.call_id, session.operator_id, path)
    wrapup = WrapUp(
        session.call_id, session.operator_id, session.pop.number, code,
        tuple(sorted(values.items())), session.ended_at or wp.clock(), wp.clock(),
    )  # fmt: skip
    await wp.store.save_wrapup(wrapup)
    await release(request, session)
    return reply({"ok": True, "state": wp.hub.board.desk(session.operator_id).state})


async def record_timeout(wp: Workplace, session: CallSession) -> None:
    """The wrap-up time ran out: keep what is known (the facts, the script path so far) under
    the result code `WRAPUP_TIMEOUT_CODE`, marked as timed out."""
    path = session.run.path
    await wp.store.save_script_path(session.call_id, session.operator_id, path)
    wrapup = WrapUp(
        session.call_id, session.operator_id, session.pop.number, WRAPUP_TIMEOUT_CODE,
        tuple(sorted(session.facts.items())), session.ended_at or wp.clock(), wp.clock(),
        timed_out=True,
    )  # fmt: skip
    await wp.store.save_wrapup(wrapup)


async def expire_wrapup(wp: Workplace, operator_id: str, call_id: str) -> bool:
    """The call's wrap-up time is over on the PBX side (the operator is about to be offered
    calls again), or another call reached the operator first: record its wrap-up as timed out
    if still pending and free the desk. True if it was pending. The PBX is unpaused by the
    caller."""
    board = wp.hub.board
    session = board.session(call_id)
    if session is None or session.operator_id != operator_id or session.ended_at is None:
        return False
    async with session.lock:
        if session.wrapped_up:  # the operator submitted the form meanwhile
            return False
        await record_timeout(wp, session)
        desk = board.desk(operator_id)
        current = desk.call_id == call_id
        board.finish(session)
        if current and desk.state == "wrapup":
            board.set_state(desk, "available")
    wp.hub.notify(operator_id, "state", state=board.desk(operator_id).state)
    return True


async def release(request: web.Request, session: CallSession) -> None:
    """The wrap-up is recorded: free the desk and tell Asterisk the operator takes calls again."""
    wp = workplace(request)
    board = wp.hub.board
    board.finish(session)
    desk = board.desk(session.operator_id)
    if desk.state == "wrapup":
        await wp.controls.wrap_up_done(operator_of(request))
        board.set_state(desk, "available")
    wp.hub.notify(session.operator_id, "state", state=desk.state)
