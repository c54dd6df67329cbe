"""Citizen-first callbacks: the citizen is dialled, then waits at the head of the queue."""

from collections.abc import Callable

from conftest import T10, book_callback, hold_queue, of_type

from queue_engine import (
    AttemptResult,
    CallbackAttempted,
    CallbackAttemptFinished,
    CallbackCompleted,
    CallbackConnected,
    CallbackLegFound,
    CallbackPolicy,
    CallbackRestored,
    CallEnded,
    DialCitizen,
    Engine,
    OperatorState,
    OperatorStateChanged,
    OriginateCallback,
    Output,
    QueueConfig,
    ReleaseOperator,
    ReserveOperator,
)

POLICY = CallbackPolicy(
    deadline_s=600, max_attempts=2, retry_delay_s=60, reserve_lead_s=90, citizen_first=True
)
NUMBER = "+79161111111"


def _book(engine: Engine, call_id: str, now: float, queue: str = "main") -> list[Output]:
    return book_callback(engine, call_id, NUMBER, now, queue)


def _busy(engine: Engine, operators: int, now: float) -> None:
    """``operators`` operators, all talking: nobody is free for a callback."""
    for i in range(operators):
        op = f"PJSIP/{201 + i}"
        engine.handle(OperatorStateChanged(op, OperatorState.TALKING, ("main",)), now)


def test_an_idle_center_dials_the_citizen_without_holding_an_operator(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=1, callbacks=POLICY)
    out = _book(engine, "u1", T10)
    assert DialCitizen("cb-u1", NUMBER, "main", 100, 1) in out
    assert not of_type(out, ReserveOperator)
    assert not of_type(out, OriginateCallback)


def test_the_citizen_joins_the_queue_of_the_call_they_made(
    make_engine: Callable[..., Engine],
) -> None:
    queues = (QueueConfig("main"), QueueConfig("housing"))
    engine = make_engine(callbacks=POLICY, queues=queues)
    engine.handle(OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("housing",)), T10)
    out = _book(engine, "u1", T10, queue="housing")
    assert of_type(out, DialCitizen) == [DialCitizen("cb-u1", NUMBER, "housing", 100, 1)]


def test_a_request_not_yet_due_waits_while_callers_wait_then_is_dialled_when_due(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(callbacks=POLICY)
    _busy(engine, 1, T10)
    assert not of_type(_book(engine, "u1", T10), DialCitizen)
    hold_queue(engine, T10)
    assert not of_type(engine.tick(T10 + 440), DialCitizen)
    # Due at the deadline (T10+600) less the 90-s lead and one retry delay: dialled although
    # nobody is free, because the citizen takes the next operator who is.
    assert of_type(engine.tick(T10 + 450), DialCitizen) == [
        DialCitizen("cb-u1", NUMBER, "main", 100, 1)
    ]


def test_due_requests_are_dialled_only_as_fast_as_operators_come_free(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(callbacks=POLICY)
    _busy(engine, 10, T10)  # 10 operators x 12 s / 180 s handle: under one comes free
    hold_queue(engine, T10)
    for i in range(3):
        _book(engine, f"u{i}", T10 + i)
    first = of_type(engine.tick(T10 + 452), DialCitizen)
    assert [d.callback_id for d in first] == ["cb-u0"]  # type: ignore[attr-defined]
    engine.handle(CallbackAttemptFinished("cb-u0", AttemptResult.ANSWERED), T10 + 460)
    assert not of_type(engine.tick(T10 + 462), DialCitizen)  # u0 still waits for an operator
    out = engine.handle(CallbackConnected("cb-u0", "PJSIP/201"), T10 + 470)
    assert [d.callback_id for d in of_type(out, DialCitizen)] == ["cb-u1"]  # type: ignore[attr-defined]


def test_served_when_an_operator_takes_the_citizen_on_time_or_late(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=1, callbacks=POLICY)
    _book(engine, "u1", T10)
    engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.ANSWERED), T10 + 12)
    engine.handle(CallbackConnected("cb-u1", "PJSIP/101"), T10 + 15)
    assert engine.handle(CallEnded("cb-u1"), T10 + 200) == [
        CallbackCompleted("cb-u1", "served", True, "")
    ]

    late = make_engine(callbacks=POLICY)
    _busy(late, 1, T10)
    _book(late, "u2", T10)
    late.tick(T10 + 450)
    late.handle(CallbackAttemptFinished("cb-u2", AttemptResult.ANSWERED), T10 + 460)
    # The citizen answered in time but no operator took them before the deadline.
    late.handle(CallbackConnected("cb-u2", "PJSIP/201"), T10 + 610)
    assert of_type(late.handle(CallEnded("cb-u2"), T10 + 700), CallbackCompleted) == [
        CallbackCompleted("cb-u2", "served", False, "no_operator_in_time")
    ]


def test_a_citizen_who_hangs_up_before_an_operator_takes_them_is_called_again(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=1, callbacks=POLICY)
    _book(engine, "u1", T10)
    engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.ANSWERED), T10 + 12)
    out = engine.handle(CallEnded("cb-u1"), T10 + 40)
    assert CallbackAttempted("cb-u1", 1, AttemptResult.HUNG_UP) in out
    assert not of_type(out, CallbackCompleted)
    assert engine.callbacks.outstanding == {"main": 0}
    assert not of_type(engine.tick(T10 + 99), DialCitizen)
    assert of_type(engine.tick(T10 + 100), DialCitizen) == [
        DialCitizen("cb-u1", NUMBER, "main", 100, 2)
    ]
    # A late failure report for the attempt already closed changes nothing.
    assert engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.FAILED), T10 + 101) == [
        CallbackAttempted("cb-u1", 2, AttemptResult.FAILED),
        CallbackCompleted("cb-u1", "unreached", False, "unreached"),
    ]


def test_no_answer_is_retried_then_given_up(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(operators=1, callbacks=POLICY)
    _book(engine, "u1", T10)
    out = engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.NO_ANSWER), T10 + 30)
    assert out == [CallbackAttempted("cb-u1", 1, AttemptResult.NO_ANSWER)]
    assert of_type(engine.tick(T10 + 90), DialCitizen) == [
        DialCitizen("cb-u1", NUMBER, "main", 100, 2)
    ]
    out = engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.BUSY), T10 + 100)
    assert CallbackCompleted("cb-u1", "unreached", False, "unreached") in out
    # Nothing is left pending: the dial budget is free again for others.
    assert engine.callbacks.outstanding == {"main": 0}


def test_an_answer_after_the_citizen_joined_the_queue_is_not_counted_twice(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=1, callbacks=POLICY)
    _book(engine, "u1", T10)
    engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.ANSWERED), T10 + 12)
    assert engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.FAILED), T10 + 13) == []
    # The attempt's one result is given when an operator takes the citizen, with the operator.
    assert engine.handle(CallbackConnected("cb-u1", "PJSIP/101"), T10 + 14) == [
        CallbackAttempted("cb-u1", 1, AttemptResult.ANSWERED, "PJSIP/101")
    ]
    assert engine.handle(CallbackConnected("cb-u1", "PJSIP/102"), T10 + 15) == []
    assert engine.callbacks.desk.requests["cb-u1"].operator_id == "PJSIP/101"


def test_citizen_first_dials_the_citizen_and_serves_them_by_the_next_free_operator(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=1, callbacks=POLICY)
    _book(engine, "u1", T10)  # the operator is idle: dialled at once
    request = engine.callbacks.desk.requests["cb-u1"]
    assert request.citizen_first
    assert engine.callbacks.outstanding == {"main": 1}
    # Answered: the attempt's result waits for what follows (served, or hung up waiting).
    assert engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.ANSWERED), T10 + 10) == []
    assert request.answered_at == T10 + 10
    assert request.served_at is None  # nobody has taken them yet
    # A late word on the same attempt changes nothing: the leg's end closes it.
    assert engine.handle(CallbackAttemptFinished("cb-u1", AttemptResult.FAILED), T10 + 11) == []
    out = engine.handle(CallbackConnected("cb-u1", "PJSIP/101"), T10 + 15)
    assert of_type(out, CallbackAttempted) == [
        CallbackAttempted("cb-u1", 1, "answered", "PJSIP/101")  # once, with who took them
    ]
    assert (request.operator_id, request.served_at) == ("PJSIP/101", T10 + 15)
    assert engine.callbacks.outstanding == {"main": 0}
    out = engine.handle(CallEnded("cb-u1"), T10 + 200)
    assert out == [CallbackCompleted("cb-u1", "served", True, "")]
    assert not of_type(out, ReleaseOperator)  # nobody was held for it


def test_citizen_first_calls_nobody_while_no_operator_is_signed_in(
    make_engine: Callable[..., Engine],
) -> None:
    """After a restart the engine learns its requests before its operators: a request must
    not be dialled then (the citizen would wait for nobody; its leg may still be up)."""
    engine = make_engine(operators=0, callbacks=POLICY)
    _book(engine, "u1", T10)
    assert not of_type(engine.tick(T10 + 500), DialCitizen)
    out = engine.handle(
        OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("main",)), T10 + 501
    )
    assert of_type(out, DialCitizen) == [DialCitizen("cb-u1", "+79161111111", "main", 100, 1)]


def test_citizen_first_a_leg_found_waiting_is_followed_not_dialled_again(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=0, callbacks=POLICY)
    restored = CallbackRestored("cb-9", "u9", "+79169999999", "", T10 - 300, T10 + 300,
                                T10 - 300, attempts=0)  # fmt: skip
    engine.handle(restored, T10)
    leg = CallbackLegFound("cb-9", "", 1, answered_at=T10 - 5, citizen_first=True)
    assert engine.handle(leg, T10) == []
    out = engine.handle(
        OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("main",)), T10 + 1
    )
    assert not of_type(out, DialCitizen)
    engine.handle(CallbackConnected("cb-9", "PJSIP/101"), T10 + 2)
    assert of_type(engine.handle(CallEnded("cb-9"), T10 + 60), CallbackCompleted) == [
        CallbackCompleted("cb-9", "served", True, "")
    ]
