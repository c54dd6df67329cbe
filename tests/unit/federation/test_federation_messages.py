"""Wire messages: JSON round trips, and 400-worthy errors that name the bad field."""

from __future__ import annotations

from typing import Any

import pytest

from callcenter.federation.errors import MalformedRequest
from callcenter.federation.messages import (
    CapacityReport,
    HandoffDecision,
    HandoffRequest,
    PartnerCapacity,
    capacity_from_json,
    capacity_to_json,
    decision_from_json,
    decision_to_json,
    dumps,
    handoff_from_json,
    handoff_to_json,
    loads_object,
    outcome_from_json,
)

REPORT = CapacityReport("center-a", 1_790_000_000.5, True, 3, 12.0, {"pension": 30.0})
REQUEST = HandoffRequest("c1", "+79160000000", "pension", "center-a", ("1",), "ru", None, ("x",))


def test_round_trips() -> None:
    assert capacity_from_json(loads_object(dumps(capacity_to_json(REPORT)))) == REPORT
    assert handoff_from_json(loads_object(dumps(handoff_to_json(REQUEST)))) == REQUEST
    for dec in (HandoffDecision(True, token="t"), HandoffDecision(False, reason="loop")):
        assert decision_from_json(decision_to_json(dec)) == dec


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"free_operators": -1}, "free_operators"),
        ({"free_operators": True}, "free_operators"),
        ({"free_operators": 1.5}, "free_operators"),
        ({"predicted_wait_s": "soon"}, "predicted_wait_s"),
        ({"predicted_wait_s": float("nan")}, "predicted_wait_s"),
        ({"accepting": "yes"}, "accepting"),
        ({"center_id": ""}, "center_id"),
        ({"topic_wait_s": {"pension": -3}}, "topic_wait_s.pension"),
        ({"topic_wait_s": None}, "topic_wait_s"),
    ],
)
def test_bad_capacity_field_is_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(MalformedRequest) as err:
        capacity_from_json({**capacity_to_json(REPORT), **change})
    assert err.value.details["field"] == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"call_ref": None}, "call_ref"),
        ({"caller_number": ""}, "caller_number"),
        ({"topic": "x" * 201}, "topic"),
        ({"hops": ["a", 3]}, "hops"),
        ({"ivr_choices": ["1"] * 33}, "ivr_choices"),
        ({"history_ref": 5}, "history_ref"),
    ],
)
def test_bad_handoff_field_is_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(MalformedRequest) as err:
        handoff_from_json({**handoff_to_json(REQUEST), **change})
    assert err.value.details["field"] == field


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "lost", "wait_s": 1},
        {"outcome": "answered"},
        {"outcome": "answered", "wait_s": -1},
    ],
)
def test_bad_outcome_refused(body: dict[str, Any]) -> None:
    with pytest.raises(MalformedRequest):
        outcome_from_json("tok", body)


def test_decision_must_be_accept_or_refuse() -> None:
    with pytest.raises(MalformedRequest):
        decision_from_json({"decision": "maybe"})
    with pytest.raises(MalformedRequest):
        decision_from_json({"decision": "accept"})


def test_partner_capacity_available_and_topic_wait() -> None:
    cap = PartnerCapacity("center-a", 10.0, {"pension": 40.0}, 2, True, 100.0, stale=False)
    assert cap.available
    assert (cap.wait_for("pension"), cap.wait_for("housing"), cap.wait_for(None)) == (
        40.0,
        10.0,
        10.0,
    )
    assert not PartnerCapacity("center-a", 10.0, {}, 2, True, 100.0, stale=True).available
    assert not PartnerCapacity("center-a", 10.0, {}, 2, False, 100.0, stale=False).available
