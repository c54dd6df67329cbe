"""Validation of the workplace's JSON inputs, and scripting errors turned into API errors.

Every failure is an `ApiError` whose `error_id` is stable (API) and whose message is Russian
(shown on the page as is); `details["field"]` names the offending field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers

from callcenter.scripting import (
    ClassifierError,
    KnowledgeBaseError,
    ScriptingError,
    ScriptRunError,
    WrapUpCatalog,
    WrapUpError,
)
from callcenter.web.errors import ApiError, NotFound
from callcenter.web.workplace_model import APPEAL_KINDS, URGENCIES

MAX_TEXT = 4000
MAX_SHORT = 200
TARGET_STATES = ("available", "paused", "offline")
MAX_CALLBACK_MIN = 7 * 24 * 60


def bad(field: str, message: str, error_id: str = "invalid_input") -> ApiError:
    return ApiError(error_id, message, {"field": field})


def as_object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise ApiError("invalid_input", "Ожидался JSON-объект", {})
    return body


def text(
    body: Mapping[str, Any], name: str, label: str, *, required: bool = True, limit: int = MAX_SHORT
) -> str:
    value = body.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise bad(name, f"Поле «{label}» должно быть строкой")
    value = value.strip()
    if required and not value:
        raise bad(name, f"Заполните поле «{label}»")
    if len(value) > limit:
        raise bad(name, f"Поле «{label}» длиннее {limit} символов")
    return value


def one_of(body: Mapping[str, Any], name: str, label: str, allowed: tuple[str, ...]) -> str:
    value = text(body, name, label)
    if value not in allowed:
        raise bad(name, f"Недопустимое значение поля «{label}»: {value}")
    return value


def integer(body: Mapping[str, Any], name: str, label: str, low: int, high: int) -> int:
    value = body.get(name)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise bad(name, f"Поле «{label}» должно быть целым числом от {low} до {high}")
    return value


def parse_state(body: Any) -> tuple[str, str]:
    obj = as_object(body)
    state = one_of(obj, "state", "Статус", TARGET_STATES)
    reason = text(obj, "reason", "Причина паузы", required=state == "paused", limit=100)
    return state, reason


def phone_number(raw: str, field: str = "phone") -> str:
    """A Russian number in E.164; foreign and malformed numbers are refused."""
    try:
        parsed = phonenumbers.parse(raw, "RU")
    except phonenumbers.NumberParseException as exc:
        raise bad(field, "Номер телефона не распознан", "invalid_phone") from exc
    if not phonenumbers.is_valid_number(parsed) or parsed.country_code != 7:
        raise bad(field, "Укажите действующий российский номер телефона", "invalid_phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class AppealInput:
    kind: str
    classification: str
    text: str
    executor_id: str
    urgency: str


def parse_appeal(body: Any) -> AppealInput:
    obj = as_object(body)
    return AppealInput(
        kind=one_of(obj, "kind", "Вид обращения", APPEAL_KINDS),
        classification=text(obj, "classification", "Классификация"),
        text=text(obj, "text", "Текст обращения", limit=MAX_TEXT),
        executor_id=text(obj, "executor_id", "Организация-исполнитель"),
        urgency=one_of(obj, "urgency", "Срочность", URGENCIES),
    )


def parse_wrapup(body: Any) -> tuple[str, dict[str, str]]:
    obj = as_object(body)
    code = text(obj, "result_code", "Результат звонка")
    raw = obj.get("fields", {})
    if not isinstance(raw, Mapping):
        raise bad("fields", "Поля завершения должны быть объектом")
    fields = {str(k): text(raw, str(k), str(k), required=False, limit=MAX_TEXT) for k in raw}
    return code, fields


def from_scripting(exc: ScriptingError, catalog: WrapUpCatalog | None = None) -> ApiError:
    """The scripting module's (English) error as an API error with a Russian message."""
    details: dict[str, Any] = {**exc.details, "reason": exc.message}
    if isinstance(exc, ScriptRunError):
        return ApiError(exc.error_id, _script_message(exc), details)
    if isinstance(exc, WrapUpError):
        return ApiError(exc.error_id, _wrapup_message(exc, catalog), details)
    if isinstance(exc, ClassifierError):
        message = "Классификация указана неверно: выберите категорию, подкатегорию, факт и объект"
        return ApiError(exc.error_id, message, details)
    if isinstance(exc, KnowledgeBaseError) and exc.message.startswith("unknown"):
        return NotFound(exc.error_id, "Запись базы знаний не найдена", details)
    return ApiError(exc.error_id, "Данные не прошли проверку", details)


def _script_message(exc: ScriptRunError) -> str:
    if "missing" in exc.details:
        return "Не пройдены обязательные вопросы сценария"
    if "current" in exc.details:
        return "Этот шаг сценария уже не текущий: обновите страницу"
    if "choices" in exc.details:
        return "Выберите один из предложенных вариантов ответа"
    if "mandatory" in exc.message:
        return "Ответ на этот вопрос сценария обязателен"
    if "nothing to undo" in exc.message:
        return "Отменять нечего: это первый шаг сценария"
    return "Действие не подходит к текущему шагу сценария"


def _wrapup_message(exc: WrapUpError, catalog: WrapUpCatalog | None) -> str:
    missing = exc.details.get("missing")
    if isinstance(missing, list) and missing:
        labels = [catalog.fields[n].label if catalog else str(n) for n in missing]
        return "Заполните обязательные поля: " + ", ".join(labels)
    return "Неизвестный результат звонка"
