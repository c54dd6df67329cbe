"""Record validation and phone number handling (pure, no database)."""

from __future__ import annotations

import pytest

from callcenter.store.records import (
    Appeal,
    CallEvent,
    CallRecord,
    InvalidRecord,
    NewCallback,
    normalize_number,
)
from callcenter.store.repo_citizens import canonical_phone, phone_variants

T0 = 1_700_000_000.0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("89161234567", "+79161234567"),
        ("+7 (916) 123-45-67", "+79161234567"),
        ("8 495 123 45 67", "+74951234567"),
        ("+78001234567", "+78001234567"),  # toll-free is fine to call back
    ],
)
def test_callback_numbers_are_normalized_to_e164(given: str, expected: str) -> None:
    assert normalize_number(given) == expected


@pytest.mark.parametrize(
    ("given", "reason"),
    [("88095551234", "premium"), ("+442071234567", "foreign"), ("123", "valid"), ("", "parse")],
)
def test_bad_callback_numbers_are_refused(given: str, reason: str) -> None:
    with pytest.raises(InvalidRecord, match=reason):
        normalize_number(given)


def test_foreign_numbers_pass_when_allowed() -> None:
    assert normalize_number("+442071234567", allow_foreign=True) == "+442071234567"


def test_known_fields_skip_unknowns_and_turn_tuples_into_lists() -> None:
    record = CallRecord(id="1", queue="housing", hops=0, ivr_path=("main", "2"))
    assert record.known_fields() == {"queue": "housing", "hops": 0, "ivr_path": ["main", "2"]}


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (CallRecord(id=""), "id"),
        (CallRecord(id="1", mode="sunday"), "mode"),
        (CallRecord(id="1", outcome="lost"), "outcome"),
        (CallRecord(id="1", overflow_direction="up"), "overflow_direction"),
        (CallRecord(id="1", survey_rating=6), "survey_rating"),
        (CallRecord(id="1", hops=-1), "hops"),
    ],
)
def test_call_record_validation_names_the_field(record: CallRecord, field: str) -> None:
    with pytest.raises(InvalidRecord, match=field):
        record.validate()


def test_valid_call_record_passes() -> None:
    CallRecord(
        id="1", mode="night", outcome="ivr", overflow_direction="in", survey_rating=5
    ).validate()


def test_callback_request_times_are_checked() -> None:
    NewCallback(number="x", requested_at=T0, deadline=T0 + 600, not_before=T0 + 600).validate()
    with pytest.raises(InvalidRecord, match="deadline"):
        NewCallback(number="x", requested_at=T0, deadline=T0).validate()
    with pytest.raises(InvalidRecord, match="not_before"):
        NewCallback(number="x", requested_at=T0, deadline=T0 + 600, not_before=T0 + 601).validate()


def test_event_key_defaults_to_kind_and_time() -> None:
    assert CallEvent(call_id="1", at=T0 + 0.25, kind="queued").event_key == "queued@1700000000.25"
    assert CallEvent(call_id="1", at=T0, kind="queued", key="ami:7").event_key == "ami:7"


def test_two_entries_of_one_kind_at_one_instant_keep_apart_unless_identical() -> None:
    first = CallEvent(call_id="1", at=T0, kind="priority", details={"priority": 1})
    second = CallEvent(call_id="1", at=T0, kind="priority", details={"priority": 2})
    replayed = CallEvent(call_id="1", at=T0, kind="priority", details={"priority": 1})
    assert first.event_key != second.event_key
    assert first.event_key == replayed.event_key


def test_appeal_urgency_is_checked() -> None:
    appeal = Appeal(id="a", citizen_phone="1", category="c", text="t", created_at=T0, urgency="now")
    with pytest.raises(InvalidRecord, match="urgency"):
        appeal.validate()


def test_phone_variants_cover_russian_spellings() -> None:
    assert phone_variants("89161234567") == ["89161234567", "+79161234567"]
    assert phone_variants("+79161234567") == ["+79161234567", "89161234567"]
    assert phone_variants("101") == ["101"]  # an extension stays as it is
    assert canonical_phone("101") == "101"
    assert canonical_phone("8 (916) 123-45-67") == "+79161234567"
    assert canonical_phone("operator") == "operator"
