"""The simulator, policy by policy, on tiny traces with explicit times (10:00 = 36000 s)."""

from typing import Any

import pytest
from conftest import DAY, SCHEDULE

from queue_engine import CallbackPolicy, EngineConfig
from queue_engine.simulation.api import simulate
from queue_engine.simulation.state import SimSettings
from queue_engine.simulation.trace import PartnerSpec, Shift, parse_trace

ONE_OPERATOR = [Shift(0, 2 * 86_400, 1)]
# A long call at 10:00 occupies the only operator for 100 s; a second caller comes 10 s later.
TWO_CALLS = ["arrival,service,patience", "36000,100,", "36010,10,"]


def _run(
    policy: str,
    rows: list[str],
    *,
    accept: float = 1.0,
    partners: tuple[PartnerSpec, ...] = (),
    shifts: list[Shift] = ONE_OPERATOR,
    ivr_callback: float = 0.0,
    citizen_first: bool | None = None,
) -> dict[str, Any]:
    settings = SimSettings(
        day_origin=DAY,
        accept_probability=accept,
        decide_s=5.0,
        callback_answer_probability=1.0,
        callback_answer_s=10.0,
        wrapup_s=0.0,
        ivr_callback_probability=ivr_callback,
    )
    config = EngineConfig(schedule=SCHEDULE, default_handle_s=100.0)
    if citizen_first is not None:
        callbacks = CallbackPolicy(citizen_first=citizen_first)
        config = EngineConfig(schedule=SCHEDULE, default_handle_s=100.0, callbacks=callbacks)
    report, _ = simulate(
        policy=policy,
        arrivals=parse_trace(rows),
        shifts=shifts,
        config=config,
        partners=partners,
        settings=settings,
    )
    return report


def _pick(report: dict[str, Any], *keys: str) -> tuple[Any, ...]:
    return tuple(report[k] for k in keys)


KEYS = ("answered", "answered_within_limit", "callbacks_requested", "callbacks_on_time",
        "breaches", "max_queue_wait_s")  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "accept", "expected"),
    [
        # Plain app_queue: the second caller waits 90 s, a breach.
        ("asterisk-fifo", 1.0, (2, 1, 0, 0, 1, 90.0)),
        # Timeout: offered at 40 s, accepts at 45 s, called back when the operator frees.
        ("asterisk-timeout", 1.0, (1, 1, 1, 1, 0, 45.0)),
        # Engine: the prediction (100 s) says breach, so the offer comes at once.
        ("engine", 1.0, (1, 1, 1, 1, 0, 5.0)),
        # Engine, caller declines: stays with raised priority, answered at 10:01:40; offered
        # a way out in time, so no breach.
        ("engine", 0.0, (2, 1, 0, 0, 0, 90.0)),
    ],
)
def test_second_caller_by_policy(policy: str, accept: float, expected: tuple[Any, ...]) -> None:
    report = _run(policy, TWO_CALLS, accept=accept)
    assert _pick(report, *KEYS) == expected
    assert report["calls"] == 2
    assert report["outcome_conflicts"] == 0


def test_engine_overflows_to_a_partner_with_room() -> None:
    report = _run("engine", TWO_CALLS, partners=(PartnerSpec("north", 1),))
    assert _pick(report, "answered", "overflowed", "callbacks_requested", "breaches") == (
        1,
        1,
        0,
        0,
    )
    assert report["guard_actions"] == {"overflow": 1}


def test_impatient_caller_abandons_in_fifo_but_books_a_callback_with_the_engine() -> None:
    rows = ["36000,100,", "36010,10,20"]
    assert _pick(_run("asterisk-fifo", rows), "abandoned", "callbacks_requested") == (1, 0)
    assert _pick(_run("engine", rows), "abandoned", "callbacks_requested") == (0, 1)


def test_night_calls_get_self_service_with_the_engine_only() -> None:
    rows = ["7200,60,", "7300,60,"]  # 02:00
    assert _pick(_run("engine", rows), "ivr_served", "answered") == (2, 0)
    assert _pick(_run("asterisk-fifo", rows), "ivr_served", "answered") == (0, 2)
    night = _run("engine", rows, ivr_callback=1.0)
    # Requested at night, dialled from 06:00, due 06:10.
    assert _pick(night, "callbacks_requested", "callbacks_on_time") == (2, 2)


def test_callers_left_with_nobody_to_serve_them_fail_at_the_end() -> None:
    shifts = [Shift(0, 36_000, 1)]  # the only operator leaves at 10:00
    report = _run("asterisk-fifo", ["36010,10,"], shifts=shifts)
    assert _pick(report, "calls", "failed", "answered") == (1, 1, 0)


@pytest.mark.parametrize(("citizen_first", "expected"), [(False, (1, 2, 2)), (True, (2, 1, 1))])
def test_citizen_first_keeps_the_operator_working_while_the_citizen_is_rung(
    citizen_first: bool, expected: tuple[int, int, int]
) -> None:
    # B books a callback at 10:00:15; the operator frees at 10:01:40 with nobody waiting, so
    # the callback is dialled then and answered 10 s later. D calls at 10:01:41 for 5 s.
    rows = ["36000,100,", "36010,10,", "36101,5,"]
    report = _run("engine", rows, citizen_first=citizen_first)
    # Operator-first holds the operator while the citizen's phone rings: D is told to expect
    # a long wait and takes a callback too. Citizen-first leaves the operator to D, who is
    # answered at once and done before the citizen picks up.
    keys = ("answered", "callbacks_requested", "callbacks_on_time")
    assert _pick(report, *keys) == expected
    assert report["max_queue_wait_s"] == 5.0  # B's offer: nobody else waited
