"""Wrap-up result codes and their mandatory fields."""

from __future__ import annotations

import pytest

from callcenter.scripting import (
    ClassifierError,
    DataFileError,
    OperatorGuide,
    WrapUpCatalog,
    WrapUpError,
)

EXPECTED_CODES = {
    "answered_faq", "appeal_registered", "transferred", "callback_scheduled",
    "appointment_booked", "wrong_number",
}  # fmt: skip


def test_shipped_codes_have_russian_labels(guide: OperatorGuide) -> None:
    assert set(guide.wrapup.codes) >= EXPECTED_CODES
    for code in guide.wrapup.codes.values():
        assert any("а" <= ch <= "я" for ch in code.label.lower()), code.code
    assert guide.wrapup.result_code("transferred").required == ("agency_id",)
    assert guide.wrapup.result_code("wrong_number").required == ()


def test_missing_fields_are_named(guide: OperatorGuide) -> None:
    with pytest.raises(WrapUpError, match="appeal_text") as info:
        guide.wrapup.validate(
            "appeal_registered",
            {"classification": "housing.heating.no_heating.apartment_building", "appeal_text": " "},
        )
    assert info.value.details == {"missing": ["appeal_text", "appeal_number"]}


def test_complete_form_passes_and_classification_is_checked(guide: OperatorGuide) -> None:
    values = {
        "classification": "housing.heating.no_heating.apartment_building",
        "appeal_text": "Нет отопления",
        "appeal_number": "А-2026-0001",
    }
    assert guide.wrapup.validate("appeal_registered", values).code == "appeal_registered"
    values["classification"] = "housing.heating.no_heating.castle"
    with pytest.raises(ClassifierError, match="castle"):
        guide.wrapup.validate("appeal_registered", values, classifier=guide.classifier)


def test_unknown_code(guide: OperatorGuide) -> None:
    with pytest.raises(WrapUpError, match="unknown result code 'lunch'"):
        guide.wrapup.validate("lunch", {})


def test_catalog_rejects_unknown_required_field() -> None:
    data = {
        "fields": [{"name": "topic", "label": "Тема"}],
        "result_codes": [{"code": "x", "label": "Икс", "required": ["topic", "agency_id"]}],
    }
    with pytest.raises(DataFileError, match=r"w.yaml: result_codes\[0\].required\[1\]: unknown"):
        WrapUpCatalog.parse("w.yaml", data)
