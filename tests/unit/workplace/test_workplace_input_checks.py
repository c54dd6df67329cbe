"""Input validation: Russian messages, stable error ids, the offending field named."""

from __future__ import annotations

import pytest

from callcenter.scripting import ClassifierError, ScriptRunError, WrapUpCatalog, WrapUpError
from callcenter.web.errors import ApiError
from callcenter.web.workplace_input import (
    from_scripting,
    parse_appeal,
    parse_state,
    parse_wrapup,
    phone_number,
)

GOOD_APPEAL = {"kind": "appeal", "classification": "a.b.c.d", "text": "т",
               "executor_id": "agency.x", "urgency": "normal"}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "e164"),
    [("+7 912 345-67-89", "+79123456789"), ("8 (912) 345 67 89", "+79123456789"),
     ("9123456789", "+79123456789")],
)  # fmt: skip
def test_russian_numbers_are_normalised(raw: str, e164: str) -> None:
    assert phone_number(raw) == e164


@pytest.mark.parametrize("raw", ["+1 202 555 0100", "12", "не номер", "+7 000 000-00-00"])
def test_foreign_and_malformed_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ApiError) as caught:
        phone_number(raw)
    assert caught.value.error_id == "invalid_phone"


def test_state_changes_are_checked() -> None:
    assert parse_state({"state": "paused", "reason": " Обед "}) == ("paused", "Обед")
    assert parse_state({"state": "available"}) == ("available", "")
    with pytest.raises(ApiError) as caught:
        parse_state({"state": "paused", "reason": "x" * 101})
    assert caught.value.message == "Поле «Причина паузы» длиннее 100 символов"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"kind": "praise"}, "kind"), ({"urgency": "asap"}, "urgency"), ({"text": 5}, "text"),
     ({"classification": ""}, "classification")],
)  # fmt: skip
def test_appeal_fields_are_checked(change: dict[str, object], field: str) -> None:
    assert parse_appeal(GOOD_APPEAL).kind == "appeal"
    with pytest.raises(ApiError) as caught:
        parse_appeal({**GOOD_APPEAL, **change})
    assert caught.value.details == {"field": field}


def test_wrapup_fields_must_be_an_object_of_strings() -> None:
    assert parse_wrapup({"result_code": "x", "fields": {"a": " b "}}) == ("x", {"a": "b"})
    with pytest.raises(ApiError):
        parse_wrapup({"result_code": "x", "fields": ["a"]})


def test_scripting_errors_get_russian_messages_and_keep_their_ids() -> None:
    catalog = WrapUpCatalog.parse("inline", {
        "fields": [{"name": "topic", "label": "Тема звонка"}],
        "result_codes": [{"code": "ok", "label": "Готово", "required": ["topic"]}],
    })  # fmt: skip
    with pytest.raises(WrapUpError) as wrap:
        catalog.validate("ok", {})
    api = from_scripting(wrap.value, catalog)
    assert (api.error_id, api.message) == (
        "wrapup_invalid",
        "Заполните обязательные поля: Тема звонка",
    )
    assert api.details["missing"] == ["topic"]
    api = from_scripting(ClassifierError("bad", details={"code": "a"}))
    assert api.error_id == "classifier_invalid"
    assert api.details["code"] == "a"
    api = from_scripting(ScriptRunError("nothing to undo: the run is at its first step"))
    assert api.message == "Отменять нечего: это первый шаг сценария"
