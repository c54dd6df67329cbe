"""The 40-second guard, as tables of state + time -> decision."""

from collections.abc import Callable

import pytest
from conftest import T10, of_type

from queue_engine import (
    CallAbandoned,
    CallAnswered,
    CallArrived,
    CallbackOfferAccepted,
    CallbackOfferDeclined,
    CallbackPolicy,
    CallbackRequested,
    CallCompleted,
    CallJoinedQueue,
    CallOutcome,
    CallQueued,
    Engine,
    GuardTriggered,
    OfferCallback,
    OperatorState,
    OperatorStateChanged,
    Output,
    OverflowAccepted,
    OverflowCall,
    OverflowFailed,
    OverflowPolicy,
    OverflowRefused,
    PartnerCapacityUpdated,
    QueueLimitChanged,
    ReleaseCaller,
    SetCallerPriority,
    SlaBreached,
    UnknownQueue,
)

CALLER = "+79161234567"


def _busy_engine(make_engine: Callable[..., Engine], **overrides: object) -> Engine:
    """One operator, talking since T10; handle time 180 s: a newcomer would wait minutes."""
    engine = make_engine(operators=1, **overrides)
    engine.handle(CallArrived("first", CALLER), T10)
    engine.handle(CallJoinedQueue("first", "main"), T10)
    engine.handle(CallAnswered("first", "PJSIP/101"), T10)
    engine.handle(OperatorStateChanged("PJSIP/101", OperatorState.TALKING), T10)
    return engine


def _join(engine: Engine, call_id: str, now: float, caller: str = CALLER) -> list[Output]:
    engine.handle(CallArrived(call_id, caller), now)
    return list(engine.handle(CallJoinedQueue(call_id, "main"), now))


def test_predicted_breach_at_entry_offers_a_callback_at_once(
    make_engine: Callable[..., Engine],
) -> None:
    engine = _busy_engine(make_engine)
    out = _join(engine, "u2", T10 + 1)
    queued = of_type(out, CallQueued)[0]
    assert isinstance(queued, CallQueued)
    assert queued.predicted_wait_s == pytest.approx(180.0)
    assert GuardTriggered("u2", 0.0, 180.0, "callback_offer") in out
    assert OfferCallback("u2", CALLER) in out
    assert not of_type(out, SlaBreached)


def test_best_fresh_accepting_partner_within_hops_takes_the_call(
    make_engine: Callable[..., Engine],
) -> None:
    engine = _busy_engine(make_engine)
    engine.handle(PartnerCapacityUpdated("north", 20.0, 3, True), T10)
    engine.handle(PartnerCapacityUpdated("south", 5.0, 1, True), T10)
    engine.handle(PartnerCapacityUpdated("west", 0.0, 9, False), T10)  # not accepting
    out = _join(engine, "u2", T10 + 1)
    assert OverflowCall("u2", "south", 1, "") in out
    assert not of_type(out, OfferCallback)
    # The caller keeps their place until the partner says yes.
    assert not of_type(out, CallCompleted)
    assert engine.handle(OverflowAccepted("u2"), T10 + 2) == [
        CallCompleted("u2", CallOutcome.OVERFLOWED, 1.0, "main")
    ]
    assert engine.call("u2") is None


def _partner_chosen(engine: Engine, call_id: str, now: float, topic: str = "") -> str:
    engine.handle(CallArrived(call_id, CALLER, topic), now)
    out = engine.handle(CallJoinedQueue(call_id, "main"), now)
    [overflow] = of_type(out, OverflowCall)
    assert isinstance(overflow, OverflowCall)
    return overflow.partner


def test_waits_about_equal_go_to_the_partner_with_the_higher_priority(
    make_engine: Callable[..., Engine],
) -> None:
    engine = _busy_engine(make_engine)
    engine.handle(PartnerCapacityUpdated("north", 8.0, 3, True, priority=10), T10)
    engine.handle(PartnerCapacityUpdated("south", 5.0, 3, True, priority=0), T10)
    assert _partner_chosen(engine, "u2", T10 + 1) == "north"


def test_a_clearly_shorter_wait_beats_priority(make_engine: Callable[..., Engine]) -> None:
    engine = _busy_engine(make_engine)
    engine.handle(PartnerCapacityUpdated("north", 20.0, 3, True, priority=10), T10)
    engine.handle(PartnerCapacityUpdated("south", 5.0, 3, True, priority=0), T10)
    assert _partner_chosen(engine, "u2", T10 + 1) == "south"


def test_equal_partners_share_the_calls_by_recent_load(make_engine: Callable[..., Engine]) -> None:
    engine = _busy_engine(make_engine)
    for name in ("north", "south"):
        engine.handle(PartnerCapacityUpdated(name, 5.0, 5, True), T10)
    chosen = [_partner_chosen(engine, f"u{i}", T10 + i) for i in range(1, 5)]
    assert sorted(chosen) == ["north", "north", "south", "south"]
    assert chosen[0] != chosen[1]
    # Calls sent long ago no longer count: after the window the tie is settled afresh.
    window = engine.config.overflow.recent_window_s
    assert engine.state.recent_overflow(T10 + 5 + window) == {"north": 0, "south": 0}


def test_a_partner_fast_on_the_callers_topic_is_chosen_for_it(
    make_engine: Callable[..., Engine],
) -> None:
    engine = _busy_engine(make_engine)
    engine.handle(PartnerCapacityUpdated("north", 10.0, 3, True), T10)
    by_topic = (("passport", 2.0), ("housing", 35.0))
    engine.handle(PartnerCapacityUpdated("south", 30.0, 3, True, topic_waits=by_topic), T10)
    assert _partner_chosen(engine, "u2", T10 + 1, topic="passport") == "south"
    assert _partner_chosen(engine, "u3", T10 + 2, topic="housing") == "north"
    assert _partner_chosen(engine, "u4", T10 + 3, topic="pension") == "north"


def test_a_call_is_never_sent_back_to_the_center_it_came_from(
    make_engine: Callable[..., Engine],
) -> None:
    engine = _busy_engine(make_engine, overflow=OverflowPolicy(max_hops=3))
    engine.handle(PartnerCapacityUpdated("north", 0.0, 5, True, max_hops=3), T10)
    engine.handle(PartnerCapacityUpdated("south", 20.0, 5, True, max_hops=3), T10)
    engine.handle(CallArrived("u2", CALLER, hops=1, origin="north"), T10 + 1)
    out = engine.handle(CallJoinedQueue("u2", "main"), T10 + 1)
    assert OverflowCall("u2", "south", 2, "") in out
    # With nowhere else to go, it gets a callback offer, not a trip back.
    engine.handle(CallArrived("u3", CALLER, hops=1, origin="south"), T10 + 2)
    engine.handle(PartnerCapacityUpdated("north", 0.0, 5, False, max_hops=3), T10 + 2)
    out = engine.handle(CallJoinedQueue("u3", "main"), T10 + 2)
    assert not of_type(out, OverflowCall)
    assert OfferCallback("u3", CALLER) in out


def test_a_refused_handoff_offers_a_callback_and_skips_that_partner(
    make_engine: Callable[..., Engine],
) -> None:
    engine = _busy_engine(make_engine)
    engine.handle(PartnerCapacityUpdated("south", 5.0, 1, True), T10)
    assert OverflowCall("u2", "south", 1, "") in _join(engine, "u2", T10 + 1)
    out = engine.handle(OverflowRefused("u2", "near_limit"), T10 + 2)
    assert OverflowFailed("u2", "south", "near_limit") in out
    assert OfferCallback("u2", CALLER) in out
    assert not of_type(out, OverflowCall)
    call = engine.call("u2")
    assert call is not None
    assert call.outcome is None
    # Until south reports again, the next caller is not sent there either.
    assert not of_type(_join(engine, "u3", T10 + 3), OverflowCall)


def test_a_call_answered_while_its_handoff_was_pending_stays_answered(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(operators=1)
    engine.handle(PartnerCapacityUpdated("south", 5.0, 1, True), T10)
    engine.handle(OperatorStateChanged("PJSIP/101", OperatorState.TALKING), T10)
    engine.handle(CallArrived("u2", CALLER), T10)
    engine.handle(CallJoinedQueue("u2", "main"), T10)
    engine.tick(T10 + 30)
    engine.handle(CallAnswered("u2", "PJSIP/101"), T10 + 31)
    assert engine.handle(OverflowAccepted("u2"), T10 + 32) == []
    call = engine.call("u2")
    assert call is not None
    assert call.outcome is CallOutcome.ANSWERED


@pytest.mark.parametrize(
    ("partner_wait", "heard_ago", "hops", "why"),
    [(5.0, 31.0, 0, "stale"), (5.0, 0.0, 1, "hop limit"), (38.0, 0.0, 0, "too slow")],
)
def test_unusable_partner_falls_back_to_a_callback_offer(
    make_engine: Callable[..., Engine], partner_wait: float, heard_ago: float, hops: int, why: str
) -> None:
    engine = _busy_engine(make_engine)
    engine.handle(PartnerCapacityUpdated("north", partner_wait, 2, True), T10 + 1 - heard_ago)
    engine.handle(CallArrived("u2", CALLER, hops=hops), T10 + 1)
    out = engine.handle(CallJoinedQueue("u2", "main"), T10 + 1)
    assert not of_type(out, OverflowCall), why
    assert OfferCallback("u2", CALLER) in out


def test_the_hard_timer_acts_when_the_prediction_was_too_hopeful(
    make_engine: Callable[..., Engine],
) -> None:
    # Two operators working, a tiny handle estimate: the newcomer is predicted to be served
    # within a second, so nothing happens at entry; still waiting at 35 s, the safety net acts.
    engine = make_engine(operators=2, default_handle_s=1.0)
    for op in ("PJSIP/101", "PJSIP/102"):
        engine.handle(OperatorStateChanged(op, OperatorState.TALKING), T10)
    out = _join(engine, "u2", T10)
    assert not of_type(out, OfferCallback)
    assert engine.tick(T10 + 34) == []
    wake = engine.next_wakeup(T10 + 34)
    assert wake is not None
    assert wake <= T10 + 35
    out = engine.tick(T10 + 35)
    assert OfferCallback("u2", CALLER) in out
    assert engine.tick(T10 + 41) == []  # offered in time: no breach


@pytest.mark.parametrize(("handle_s", "offered"), [(68.0, False), (72.0, True)])
def test_a_caller_predicted_to_reach_the_hard_timer_is_offered_at_entry(
    make_engine: Callable[..., Engine], handle_s: float, offered: bool
) -> None:
    # Two operators talking: the head of the line expects half a handle time, 34 s or 36 s.
    # At 36 s the hard timer (40 s less the 5-s margin) would make the offer anyway: it is
    # made at once instead of after 35 s of waiting. At 34 s the caller is let wait.
    engine = make_engine(operators=2, default_handle_s=handle_s)
    for op in ("PJSIP/101", "PJSIP/102"):
        engine.handle(OperatorStateChanged(op, OperatorState.TALKING), T10)
    out = _join(engine, "u2", T10)
    assert bool(of_type(out, OfferCallback)) is offered


@pytest.mark.parametrize("pause", [True, False])
def test_the_guard_acts_mid_wait_when_the_prediction_rises(
    make_engine: Callable[..., Engine], pause: bool
) -> None:
    # Two operators talking, handle time 40 s: the newcomer at the head expects 20 s, inside
    # the 35 s of the hard timer, so nothing happens at entry. Then one operator goes on a
    # break: the remaining wait doubles to 40 s and the guard acts at its next look, long
    # before the timer. Without the break, 10 s waited + 20 s expected still fit.
    engine = make_engine(operators=2, default_handle_s=40.0)
    for op in ("PJSIP/101", "PJSIP/102"):
        engine.handle(OperatorStateChanged(op, OperatorState.TALKING), T10)
    out = _join(engine, "u2", T10)
    assert of_type(out, CallQueued) == [CallQueued("u2", "main", 0, pytest.approx(20.0))]
    assert not of_type(out, OfferCallback)
    assert engine.tick(T10 + 6) == []
    if pause:
        engine.handle(
            OperatorStateChanged("PJSIP/102", OperatorState.PAUSED, reason="break"), T10 + 8
        )
    out = engine.tick(T10 + 10)
    if not pause:
        assert out == []
        return
    assert out == [
        GuardTriggered("u2", 10.0, pytest.approx(40.0), "callback_offer"),
        OfferCallback("u2", CALLER),
    ]


def test_no_way_out_means_a_breach_with_its_reason(make_engine: Callable[..., Engine]) -> None:
    engine = _busy_engine(make_engine, callbacks=CallbackPolicy(enabled=False))
    assert not of_type(_join(engine, "u2", T10), OfferCallback)
    assert not of_type(engine.tick(T10 + 39.9), SlaBreached)
    out = engine.tick(T10 + 40.5)
    assert out == [SlaBreached("u2", "main", 40.5, "no_partner_callbacks_disabled")]
    assert engine.tick(T10 + 50) == []  # reported once


@pytest.mark.parametrize(
    ("caller", "entered", "booked"),
    [
        ("", "8 916 765-43-21", "+79167654321"),  # withheld: the number typed at the offer
        ("", "", None),  # withheld and nothing typed: refused, the caller keeps the place
        ("", "+78091234567", None),  # a premium-rate number typed: refused as for anyone
        (CALLER, "", CALLER),  # a known number is taken as it is
    ],
)
def test_a_withheld_number_is_offered_a_callback_and_asked_for_a_number(
    make_engine: Callable[..., Engine], caller: str, entered: str, booked: str | None
) -> None:
    engine = _busy_engine(make_engine)
    out = _join(engine, "u2", T10 + 1, caller=caller)
    assert GuardTriggered("u2", 0.0, 180.0, "callback_offer") in out
    assert OfferCallback("u2", caller) in out
    out = engine.handle(CallbackOfferAccepted("u2", entered or caller), T10 + 20)
    requested = of_type(out, CallbackRequested)
    if booked is None:
        assert not requested
        assert [c.call_id for c in engine.state.queue("main").waiting] == ["u2"]
    else:
        assert [r.number for r in requested] == [booked]  # type: ignore[attr-defined]
    assert not of_type(engine.tick(T10 + 45), SlaBreached)  # offered in time: no breach


def test_declining_keeps_the_place_with_raised_priority(
    make_engine: Callable[..., Engine],
) -> None:
    engine = _busy_engine(make_engine)
    _join(engine, "u2", T10)
    _join(engine, "u3", T10 + 1)
    out = engine.handle(CallbackOfferDeclined("u3"), T10 + 5)
    assert out == [SetCallerPriority("u3", 1)]
    queue = engine.state.queue("main")
    assert [c.call_id for c in queue.waiting] == ["u3", "u2"]
    assert engine.tick(T10 + 60) == []  # already offered a way out: not a breach


def test_accepting_books_the_callback_and_releases_the_caller(
    make_engine: Callable[..., Engine],
) -> None:
    engine = _busy_engine(make_engine)
    _join(engine, "u2", T10)
    out = engine.handle(CallbackOfferAccepted("u2", "8 916 123-45-67"), T10 + 6)
    booked = of_type(out, CallbackRequested)[0]
    assert isinstance(booked, CallbackRequested)
    assert booked.number == CALLER
    assert booked.deadline == T10 + 6 + 600
    assert ReleaseCaller("u2", "callback_confirmed") in out
    assert CallCompleted("u2", CallOutcome.CALLBACK_REQUESTED, 6.0, "main") in out
    assert engine.state.queue("main").waiting == []


def test_an_invalid_number_is_refused_and_the_caller_stays(
    make_engine: Callable[..., Engine],
) -> None:
    engine = _busy_engine(make_engine)
    _join(engine, "u2", T10)
    out = engine.handle(CallbackOfferAccepted("u2", "+78091234567"), T10 + 6)  # premium rate
    assert [type(o).__name__ for o in out] == ["CallbackRejected", "SetCallerPriority"]
    assert [c.call_id for c in engine.state.queue("main").waiting] == ["u2"]


def test_supervisor_changes_a_queue_limit(make_engine: Callable[..., Engine]) -> None:
    engine = _busy_engine(make_engine, callbacks=CallbackPolicy(enabled=False))
    engine.handle(QueueLimitChanged("main", 20.0, by="sup"), T10)
    _join(engine, "u2", T10)
    assert of_type(engine.tick(T10 + 20.5), SlaBreached)
    with pytest.raises(UnknownQueue):
        engine.handle(QueueLimitChanged("nope", 20.0), T10)


def test_overflow_is_off_when_disabled(make_engine: Callable[..., Engine]) -> None:
    engine = _busy_engine(make_engine, overflow=OverflowPolicy(enabled=False))
    engine.handle(PartnerCapacityUpdated("north", 0.0, 3, True), T10)
    assert not of_type(_join(engine, "u2", T10), OverflowCall)


def test_paused_operators_do_not_count_as_capacity(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(operators=2, default_handle_s=60.0)
    engine.handle(OperatorStateChanged("PJSIP/101", OperatorState.TALKING), T10)
    engine.handle(OperatorStateChanged("PJSIP/102", OperatorState.TALKING), T10)
    assert engine.state.capacity("main") == (0, 2)
    engine.handle(OperatorStateChanged("PJSIP/102", OperatorState.PAUSED, reason="lunch"), T10)
    assert engine.state.capacity("main") == (0, 1)
    queued = of_type(_join(engine, "u2", T10), CallQueued)[0]
    assert isinstance(queued, CallQueued)
    assert queued.predicted_wait_s == pytest.approx(60.0)  # one operator instead of two: 60 s
    engine.handle(OperatorStateChanged("PJSIP/101", OperatorState.OFFLINE), T10)
    assert engine.state.capacity("main") == (0, 0)


def test_every_terminal_outcome_names_the_queue_the_caller_waited_in(
    make_engine: Callable[..., Engine],
) -> None:
    # The live figures count service level per queue from these events alone.
    engine = _busy_engine(make_engine)
    _join(engine, "u2", T10 + 1)
    out = engine.handle(CallAbandoned("u2"), T10 + 9)
    assert out == [CallCompleted("u2", CallOutcome.ABANDONED, 8.0, "main")]
