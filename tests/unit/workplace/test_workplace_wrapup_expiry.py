"""`expire_wrapup`: what the PBX side calls when a call's wrap-up time is over or another call
reached the operator first. The call is recorded as timed out, never lost (issue 6)."""

from __future__ import annotations

import pytest

from callcenter.scripting import OperatorGuide
from callcenter.web.workplace_calls import expire_wrapup
from callcenter.web.workplace_memory import InMemoryWorkplaceStore, in_memory_workplace
from callcenter.web.workplace_model import WRAPUP_TIMEOUT_CODE, ScreenPop
from callcenter.web.workplace_ports import Workplace

T0 = 1_790_000_000.0


@pytest.fixture(scope="module")
def guide() -> OperatorGuide:
    return OperatorGuide.load()


@pytest.fixture
def wp(guide: OperatorGuide) -> Workplace:
    return in_memory_workplace(guide, clock=lambda: T0, store=InMemoryWorkplaceStore())


def _store(wp: Workplace) -> InMemoryWorkplaceStore:
    assert isinstance(wp.store, InMemoryWorkplaceStore)
    return wp.store


def _talk_and_end(wp: Workplace, call_id: str) -> None:
    wp.hub.pop("op101", ScreenPop(call_id, "+79123456789", T0, 5.0, "passport"))
    wp.hub.board.session(call_id).run.answer("greeting", "")  # type: ignore[union-attr]
    wp.hub.call_ended("op101", call_id)


async def test_the_wrapup_time_ends_the_call_is_recorded(wp: Workplace) -> None:
    _talk_and_end(wp, "c1")
    assert await expire_wrapup(wp, "op101", "c1")
    (wrapup,) = _store(wp).wrapups
    assert (wrapup.call_id, wrapup.result_code, wrapup.timed_out) == (
        "c1",
        WRAPUP_TIMEOUT_CODE,
        True,
    )
    assert ("topic", "passport") in wrapup.fields
    assert _store(wp).script_paths["c1"][1].step_ids == ("greeting",)
    assert wp.hub.board.desk("op101").state == "available"
    assert not await expire_wrapup(wp, "op101", "c1")  # once only
    assert len(_store(wp).wrapups) == 1


async def test_a_call_that_arrives_first_does_not_lose_the_pending_one(wp: Workplace) -> None:
    _talk_and_end(wp, "c1")
    wp.hub.pop("op101", ScreenPop("c2", "+79123456780", T0, 1.0))
    assert await expire_wrapup(wp, "op101", "c1")
    assert [w.call_id for w in _store(wp).wrapups] == ["c1"]
    desk = wp.hub.board.desk("op101")
    assert (desk.state, desk.call_id) == ("talking", "c2")


async def test_nothing_is_recorded_for_a_call_wrapped_up_or_still_on(wp: Workplace) -> None:
    wp.hub.pop("op101", ScreenPop("c1", "+79123456789", T0, 5.0))
    assert not await expire_wrapup(wp, "op101", "c1")  # still talking
    assert not await expire_wrapup(wp, "op102", "c1")  # not theirs
    assert not await expire_wrapup(wp, "op101", "c9")  # unknown
    assert _store(wp).wrapups == []
