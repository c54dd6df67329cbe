"""Appeals with classification, transfer, callback, appointments, FAQ search and outdated
reports over the API, each persisted through the store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from workplace_support import CALLER, T0, WorkplaceWorld, api, passport_pop, sign_in

CODE = "passport.foreign.deadline_violation.mfc"
APPEAL = {"kind": "complaint", "classification": CODE, "text": "Паспорт не готов 2 месяца",
          "executor_id": "agency.mfc_central", "urgency": "urgent"}  # fmt: skip


@pytest.fixture
async def on_call(world: WorkplaceWorld) -> WorkplaceWorld:
    world.hub.pop("op101", passport_pop())
    await sign_in(world.client, "op101")
    return world


async def test_the_classifier_cascades_from_category_to_object(on_call: WorkplaceWorld) -> None:
    c = on_call.client
    top = await api(c, "GET", "/api/operator/classifier")
    assert "passport" in [o["code"] for o in top["options"]]
    facts = await api(c, "GET", "/api/operator/classifier?code=passport.foreign")
    assert {o["level"] for o in facts["options"]} == {"fact"}
    leaves = await api(
        c, "GET", "/api/operator/classifier?code=passport.foreign.deadline_violation"
    )
    assert next((o["code"], o["is_leaf"]) for o in leaves["options"]) == (CODE, True)
    err = await api(c, "GET", "/api/operator/classifier?code=passport.nope", status=400)
    assert err["error_id"] == "classifier_invalid"


async def test_an_appeal_needs_a_complete_valid_classification(on_call: WorkplaceWorld) -> None:
    c = on_call.client
    for code in ["passport.foreign.deadline_violation", "passport.foreign.nope.mfc"]:
        err = await api(c, "POST", "/api/operator/calls/c1/appeals",
                        {**APPEAL, "classification": code}, status=400)  # fmt: skip
        assert err["error_id"] == "classifier_invalid"
        assert err["message"].startswith("Классификация указана неверно")
    err = await api(c, "POST", "/api/operator/calls/c1/appeals",
                    {**APPEAL, "executor_id": "agency.nope"}, status=400)  # fmt: skip
    assert err["details"] == {"field": "executor_id"}
    err = await api(c, "POST", "/api/operator/calls/c1/appeals",
                    {**APPEAL, "text": "  "}, status=400)  # fmt: skip
    assert err["message"] == "Заполните поле «Текст обращения»"
    assert on_call.store.appeals == []

    appeal = await api(c, "POST", "/api/operator/calls/c1/appeals", APPEAL, status=201)
    assert appeal["number"] == "ОБ-000001"
    assert appeal["classification_title"] == on_call.store.appeals[0].classification_title
    stored = on_call.store.appeals[0]
    assert (stored.phone, stored.kind, stored.urgency, stored.operator_id) == (
        CALLER, "complaint", "urgent", "op101",
    )  # fmt: skip
    call = await api(c, "GET", "/api/operator/calls/c1")
    # Listed with the call itself; the caller's history holds earlier contacts only.
    assert [a["number"] for a in call["appeals"]] == ["ОБ-000001"]
    assert "ОБ-000001" not in [h["ref"] for h in call["history"]]
    assert [h.ref for h in await on_call.store.history(CALLER)] == ["ОБ-000001"]
    assert call["facts"]["appeal_number"] == "ОБ-000001"


async def test_transfer_and_callback_reach_the_engine_and_the_store(
    on_call: WorkplaceWorld,
) -> None:
    c = on_call.client
    body = {"agency_id": "agency.migration", "note": "вопрос по визе"}
    await api(c, "POST", "/api/operator/calls/c1/transfer", body, status=201)
    assert on_call.calls.transfers == [("c1", "7201", "вопрос по визе")]
    err = await api(c, "POST", "/api/operator/calls/c1/callback",
                    {"phone": "+1 202 555 0100", "in_minutes": 10}, status=400)  # fmt: skip
    assert err["error_id"] == "invalid_phone"
    err = await api(c, "POST", "/api/operator/calls/c1/callback", {"in_minutes": 0}, status=400)
    assert err["details"] == {"field": "in_minutes"}
    await api(c, "POST", "/api/operator/calls/c1/callback",
              {"phone": "8 (912) 345-67-00", "in_minutes": 15}, status=201)  # fmt: skip
    assert on_call.calls.callbacks == [("+79123456700", "passport", T0 + 900)]
    assert [a.kind for a in on_call.store.actions] == ["transfer", "callback"]
    due = datetime.fromtimestamp(T0 + 900, UTC).strftime("%d.%m.%Y в %H:%M")  # the center's zone
    assert on_call.store.actions[1].summary == (
        f"Обратный звонок на +79123456700: {due} (Паспорт и загранпаспорт)"
    )
    on_call.hub.call_ended("op101", "c1")
    err = await api(c, "POST", "/api/operator/calls/c1/transfer", body, status=409)
    assert err["error_id"] == "call_ended"


async def test_booking_shows_free_slots_and_refuses_a_taken_one(on_call: WorkplaceWorld) -> None:
    c = on_call.client
    query = "agency_id=agency.mfc_central&service_id=service.passport_foreign"
    slots = await api(c, "GET", f"/api/operator/booking/slots?{query}&day=2027-01-15")
    assert slots["slots"][0]["start"] == "2027-01-15T09:00"
    err = await api(c, "GET", f"/api/operator/booking/slots?{query}&day=2027-01-14", status=400)
    assert err["details"] == {"field": "day"}
    err = await api(c, "GET", "/api/operator/booking/slots?agency_id=agency.sfr"
                    "&service_id=service.passport_foreign&day=2027-01-15", status=400)  # fmt: skip
    assert err["error_id"] == "agency_not_serving"
    book = {"agency_id": "agency.mfc_central", "service_id": "service.passport_foreign",
            "start": "2027-01-15T09:00", "citizen_name": "Иванов Иван"}  # fmt: skip
    made = await api(c, "POST", "/api/operator/calls/c1/appointments", book, status=201)
    assert made["slot"]["start"] == "2027-01-15T09:00"
    err = await api(c, "POST", "/api/operator/calls/c1/appointments", book, status=409)
    assert err["error_id"] == "slot_taken"
    slots = await api(c, "GET", f"/api/operator/booking/slots?{query}&day=2027-01-15")
    assert slots["slots"][0]["start"] == "2027-01-15T09:30"
    assert on_call.store.actions[0].kind == "appointment"


async def test_faq_search_finds_the_answer_for_a_misspelled_query(on_call: WorkplaceWorld) -> None:
    found = await api(on_call.client, "GET", "/api/operator/kb/search?q=загранпасспорт")
    assert found["hits"][0]["id"] == "faq.passport.foreign_how"
    assert all(h["id"].startswith("faq.passport.foreign") for h in found["hits"])
    err = await api(on_call.client, "GET", "/api/operator/kb/search?q=", status=400)
    assert err["details"] == {"field": "q"}


async def test_outdated_information_is_reported_and_stored(on_call: WorkplaceWorld) -> None:
    c = on_call.client
    body = {"entry_id": "agency.mfc_north", "note": "Изменился график: суббота выходной"}
    report = await api(c, "POST", "/api/operator/kb/outdated", body, status=201)
    assert report["entry_kind"] == "agency"
    assert report["reporter"] == "op101"
    assert on_call.store.outdated[0].note == "Изменился график: суббота выходной"
    err = await api(c, "POST", "/api/operator/kb/outdated",
                    {"entry_id": "faq.nope", "note": "x"}, status=404)  # fmt: skip
    assert err["error_id"] == "knowledge_base_invalid"
