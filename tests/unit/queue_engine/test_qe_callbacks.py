"""Callbacks: EDF, reservations as deadlines near, retries, night requests, numbers."""

from collections.abc import Callable

import pytest
from conftest import DAY, T10, book_callback, hold_queue, of_type

from queue_engine import (
    AttemptResult,
    CallAnswered,
    CallArrived,
    CallbackAttempted,
    CallbackAttemptFinished,
    CallbackCompleted,
    CallbackOfferAccepted,
    CallbackPolicy,
    CallbackRestored,
    CallEnded,
    CallJoinedQueue,
    Engine,
    InvalidCallbackNumber,
    OperatorState,
    OperatorStateChanged,
    OriginateCallback,
    PhonePolicy,
    ReleaseOperator,
    ReserveOperator,
    RouteToIvr,
    validate_number,
)

# Operator-first (still supported): an operator is reserved, then dials the citizen.
POLICY = CallbackPolicy(
    deadline_s=600, max_attempts=2, retry_delay_s=60, reserve_lead_s=90, citizen_first=False
)


def test_requests_are_dialled_earliest_deadline_first(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=0, callbacks=POLICY)
    book_callback(engine, "late", "+79161111111", T10)
    book_callback(engine, "early", "+79162222222", T10 - 100)  # asked earlier: deadline sooner
    out = engine.handle(
        OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("main",)), T10 + 1
    )
    assert out[:2] == [
        ReserveOperator("PJSIP/101", "cb-early"),
        OriginateCallback("cb-early", "+79162222222", "PJSIP/101", 1),
    ]


def test_with_callers_waiting_an_operator_is_reserved_only_when_the_deadline_nears(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=0, callbacks=POLICY)
    book_callback(engine, "u1", "+79161111111", T10)
    hold_queue(engine, T10)
    engine.handle(OperatorStateChanged("PJSIP/101", OperatorState.TALKING, ("main",)), T10)
    engine.handle(OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE), T10 + 100)
    assert not of_type(engine.tick(T10 + 440), ReserveOperator)
    wake = engine.next_wakeup(T10 + 440)
    assert wake is not None
    assert wake <= T10 + 450
    # Deadline T10+600; lead 90 s plus one retry delay (60 s) for the second attempt allowed.
    out = engine.tick(T10 + 450)
    assert ReserveOperator("PJSIP/101", "cb-u1") in out


def test_a_due_attempt_that_finds_no_answer_still_has_its_retry_before_the_deadline(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=0, callbacks=POLICY)
    book_callback(engine, "u1", "+79161111111", T10)
    hold_queue(engine, T10)
    engine.handle(OperatorStateChanged("PJSIP/101", OperatorState.TALKING, ("main",)), T10)
    engine.handle(OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE), T10 + 100)
    assert ReserveOperator("PJSIP/101", "cb-u1") in engine.tick(T10 + 450)
    engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.NO_ANSWER), T10 + 480)
    # Retried after the 60-s delay, and due at once: the last attempt, 90 s before the deadline.
    out = engine.tick(T10 + 540)
    assert OriginateCallback("cb-u1", "+79161111111", "PJSIP/101", 2) in out


def test_no_answer_is_retried_after_the_delay_then_given_up(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=1, callbacks=POLICY)
    book_callback(engine, "u1", "+79161111111", T10)  # dialled at once: the operator is idle
    out = engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.NO_ANSWER), T10 + 30)
    assert ReleaseOperator("PJSIP/101") in out
    assert of_type(out, CallbackAttempted) == [
        CallbackAttempted("cb-u1", 1, "no_answer", "PJSIP/101")  # the operator who dialled
    ]
    assert not of_type(out, OriginateCallback)
    assert engine.tick(T10 + 89) == []
    retry = engine.tick(T10 + 90)
    assert OriginateCallback("cb-u1", "+79161111111", "PJSIP/101", 2) in retry
    out = engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.BUSY), T10 + 100)
    assert CallbackCompleted("cb-u1", "unreached", False, "unreached") in out


def test_answered_callback_is_on_time_or_late_with_its_reason(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=1, callbacks=POLICY)
    book_callback(engine, "u1", "+79161111111", T10)
    engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.ANSWERED), T10 + 20)
    out = engine.handle(CallEnded("cb-u1"), T10 + 200)
    assert out == [ReleaseOperator("PJSIP/101"), CallbackCompleted("cb-u1", "served", True, "")]

    late = make_engine(operators=0, callbacks=POLICY)
    book_callback(late, "u2", "+79161111111", T10)
    late.handle(OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("main",)), T10 + 700)
    late.handle(CallbackAttemptFinished("cb-u2", AttemptResult.ANSWERED), T10 + 710)
    assert of_type(late.handle(CallEnded("cb-u2"), T10 + 800), CallbackCompleted) == [
        CallbackCompleted("cb-u2", "served", False, "no_operator_in_time")
    ]


def test_night_requests_wait_for_six_and_keep_their_order(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=1, now=DAY, callbacks=POLICY)
    for i, hour in enumerate((1.0, 2.0)):
        t = DAY + hour * 3600
        assert engine.handle(CallArrived(f"n{i}", "+79161111111"), t) == [
            RouteToIvr(f"n{i}", "night")
        ]
        out = engine.handle(CallbackOfferAccepted(f"n{i}", "+7 916 111-11-11"), t)
        assert not of_type(out, OriginateCallback)  # operator idle, but it is night
    six = DAY + 6 * 3600
    assert engine.next_wakeup(DAY + 3 * 3600) == six
    out = engine.tick(six)
    assert of_type(out, OriginateCallback) == [
        OriginateCallback("cb-n0", "+79161111111", "PJSIP/101", 1)
    ]
    # Both promised for 06:10; the earlier request goes first.
    requests = engine.callbacks.desk.requests
    assert requests["cb-n0"].deadline == requests["cb-n1"].deadline == six + 600
    engine.handle(OperatorStateChanged("PJSIP/102", OperatorState.AVAILABLE, ("main",)), six)
    assert requests["cb-n1"].operator_id == "PJSIP/102"


@pytest.mark.parametrize(
    ("number", "policy", "ok"),
    [
        ("+7 916 123-45-67", PhonePolicy(), True),
        ("89161234567", PhonePolicy(), True),
        ("+7 809 123-45-67", PhonePolicy(), False),  # premium rate
        ("+380 44 123 4567", PhonePolicy(), False),  # foreign
        ("+380 44 123 4567", PhonePolicy(allowed_regions=frozenset({"RU", "UA"})), True),
        ("+7 495 123-45-67", PhonePolicy(allowed_prefixes=("+7916",)), False),
        ("123", PhonePolicy(), False),
        ("not a number", PhonePolicy(), False),
    ],
)
def test_numbers_are_validated(number: str, policy: PhonePolicy, ok: bool) -> None:
    if ok:
        assert validate_number(number, policy).startswith("+")
    else:
        with pytest.raises(InvalidCallbackNumber) as info:
            validate_number(number, policy)
        assert info.value.code == "invalid_callback_number"


def test_a_call_answered_while_deciding_makes_the_late_acceptance_moot(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=1, callbacks=POLICY)
    engine.handle(CallArrived("u1", "+79161111111"), T10)
    engine.handle(CallJoinedQueue("u1", "main"), T10)
    engine.handle(CallAnswered("u1", "PJSIP/101"), T10 + 2)
    assert engine.handle(CallbackOfferAccepted("u1", "+79161111111"), T10 + 5) == []


def test_restored_requests_rejoin_the_edf_line_once(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(operators=0, callbacks=POLICY)
    restored = CallbackRestored("cb-9", "u9", "+79169999999", "housing", T10 - 300, T10 + 300,
                                T10 - 300, attempts=1)  # fmt: skip
    assert engine.handle(restored, T10) == []  # nobody free yet
    assert engine.handle(restored, T10) == []  # idempotent
    out = engine.handle(
        OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("main",)), T10 + 1
    )
    assert OriginateCallback("cb-9", "+79169999999", "PJSIP/101", 2) in out
    assert len(of_type(out, OriginateCallback)) == 1
