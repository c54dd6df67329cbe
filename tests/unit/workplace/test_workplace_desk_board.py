"""DeskBoard: operator states, call ownership and the wrap-up rule, against a fake clock."""

from __future__ import annotations

import pytest

from callcenter.scripting import ScriptRun
from callcenter.scripting.scripts import parse_script
from callcenter.web.errors import Conflict
from callcenter.web.workplace_desk import DeskBoard
from callcenter.web.workplace_model import ScreenPop

SCRIPT = parse_script("inline", {
    "id": "general", "title": "Общий", "steps": [
        {"id": "hello", "kind": "greeting", "text": "Здравствуйте", "next": "name"},
        {"id": "name", "kind": "identification", "text": "Имя?", "mandatory": True,
         "input": True, "next": "bye"},
        {"id": "bye", "kind": "closing", "text": "До свидания"},
    ],
})  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def board_with(clock: Clock, wrapup_s: float = 60.0) -> DeskBoard:
    return DeskBoard(clock=clock, start_script=lambda topic: ScriptRun(SCRIPT), wrapup_s=wrapup_s)


def pop(call_id: str = "c1", topic: str | None = "housing") -> ScreenPop:
    return ScreenPop(call_id, "+79123456789", 1000.0, 12.0, topic)


def test_a_new_desk_is_offline_and_an_answered_call_makes_it_talking() -> None:
    clock = Clock()
    board = board_with(clock)
    assert board.desk("op1").state == "offline"
    session = board.answered("op1", pop())
    assert board.desk("op1").state == "talking"
    assert board.current("op1") is session
    assert session.facts == {"topic": "housing"}
    assert board.answered("op1", pop(topic=None)) is session  # a repeated report keeps the run


def test_leaving_is_refused_while_talking() -> None:
    board = board_with(Clock())
    board.answered("op1", pop())
    with pytest.raises(Conflict) as caught:
        board.check_leave("op1", "available")
    assert caught.value.error_id == "on_call"


@pytest.mark.parametrize(
    ("elapsed", "refused"), [(0.0, True), (59.9, True), (60.0, False), (300.0, False)]
)
def test_wrapup_holds_the_operator_until_its_time_has_passed(elapsed: float, refused: bool) -> None:
    clock = Clock()
    board = board_with(clock)
    board.answered("op1", pop())
    session = board.ended("op1", "c1")
    assert session is not None
    assert board.desk("op1").state == "wrapup"
    clock.now += elapsed
    if refused:
        with pytest.raises(Conflict) as caught:
            board.check_leave("op1", "available")
        assert caught.value.error_id == "wrapup_required"
        assert caught.value.details["remaining_s"] == pytest.approx(60.0 - elapsed, abs=0.05)
    else:
        assert board.check_leave("op1", "available") is session


def test_a_finished_wrapup_frees_the_desk_at_once() -> None:
    clock = Clock()
    board = board_with(clock, wrapup_s=30.0)
    board.answered("op1", pop())
    session = board.ended("op1", "c1")
    assert session is not None
    board.finish(session)
    assert board.pending_wrapup("op1") is None
    assert board.check_leave("op1", "available") is None
    assert board.remaining_s(session) == 0.0


def test_an_end_reported_for_someone_else_or_twice_is_ignored() -> None:
    clock = Clock()
    board = board_with(clock)
    board.answered("op1", pop())
    assert board.ended("op2", "c1") is None
    assert board.ended("op1", "unknown") is None
    assert board.ended("op1", "c1") is not None
    clock.now += 10
    assert board.ended("op1", "c1") is None  # the deadline is not pushed back
    assert board.session("c1") is not None
    assert board.remaining_s(board.session("c1")) == 50.0  # type: ignore[arg-type]


def test_only_the_newest_finished_calls_are_kept() -> None:
    board = DeskBoard(
        clock=Clock(), start_script=lambda topic: ScriptRun(SCRIPT), wrapup_s=1.0, keep_finished=2
    )
    for call_id in ["c1", "c2", "c3"]:
        board.answered("op1", pop(call_id))
        session = board.ended("op1", call_id)
        assert session is not None
        board.finish(session)
    assert board.session("c1") is None
    assert board.session("c2") is not None
    assert board.session("c3") is not None
