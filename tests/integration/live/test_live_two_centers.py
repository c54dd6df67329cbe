"""Two centers, each an emulator and a whole application, linked by a SIP trunk and the partner
API (issue 9): overflow with context, a refusal turned into a callback offer, a silent partner,
and no call sent back where it came from."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from live_center import Center, free_port, live_center, local_epoch

from callcenter.bootstrap import FEDERATION
from callcenter.clock import ScaledClock
from callcenter.emulator.callers import CallerScript
from callcenter.federation.config import default_secret_env
from callcenter.store.records import CallRecord
from callcenter.web.reports import ReportLine, build_report
from callcenter.wiring.web_sources import StoreReportSource

SECRET = "a-shared-secret-of-the-pair-0123456789"
TRUNK_NUMBER = "9000"

Partners = Callable[..., Awaitable[None]]


def partners_file(
    path: Path, *, me: str, partner: str, port: int, poll_s: float, stale_s: float, hops: int = 1
) -> str:
    path.write_text(
        f"""
[federation]
center_id = "{me}"
timezone = "Europe/Moscow"
max_hops = {hops}
poll_interval_s = {poll_s}
stale_after_s = {stale_s}
request_timeout_s = 1

[partners.{partner}]
api_url = "http://127.0.0.1:{port}"
priority = 10
trunk = {{ name = "trunk-{partner}", dial_number = "{TRUNK_NUMBER}" }}
""",
        encoding="utf-8",
    )
    return str(path)


@asynccontextmanager
async def two_centers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    poll_s: float = 0.3,
    stale_s: float = 15.0,
    b_operators: dict[str, float] | None = None,
    a_operators: dict[str, float] | None = None,
    max_hops: int = 1,
) -> AsyncIterator[tuple[Center, Center]]:
    """A with one operator (busy calls last 10 minutes); B with its own operators."""
    for center in ("center-a", "center-b"):
        monkeypatch.setenv(default_secret_env(center), SECRET)
    port_a, port_b = free_port(), free_port()
    files = {}
    for me, partner, port in (("center-a", "center-b", port_b), ("center-b", "center-a", port_a)):
        (tmp_path / me).mkdir()
        files[me] = partners_file(
            tmp_path / me / "partners.toml",
            me=me,
            partner=partner,
            port=port,
            poll_s=poll_s,
            stale_s=stale_s,
            hops=max_hops,
        )
    clock = ScaledClock(start=local_epoch("2026-11-24", "12:00"), speed=20.0)
    async with AsyncExitStack() as stack:
        # B first: A's first poll (the only one when polling is slow) must find B up.
        b = await stack.enter_async_context(
            live_center(
                tmp_path / "center-b",
                operators=b_operators or {"PJSIP/102": 60.0, "PJSIP/103": 60.0},
                center_id="center-b",
                web_port=port_b,
                federation_config=files["center-b"],
                clock=clock,
            )
        )
        a = await stack.enter_async_context(
            live_center(
                tmp_path / "center-a",
                operators=a_operators or {"PJSIP/101": 600.0},
                center_id="center-a",
                web_port=port_a,
                federation_config=files["center-a"],
                clock=clock,
            )
        )
        a.emulator.link_trunk("trunk-center-b", b.emulator)
        b.emulator.link_trunk("trunk-center-a", a.emulator)
        await a.wait_for(lambda: accepting(a, "center-b"), virtual_s=30, label="A hears B")
        yield a, b


def accepting(center: Center, partner: str) -> bool:
    known = center.runtime.engine.state.partners.get(partner)
    return known is not None and known.accepting


async def callback_taken_at_a(a: Center, b: Center, uid: str) -> CallRecord:
    """The caller at A took the callback offered instead of B, and B never saw the call."""
    await a.wait_for(lambda: a.ended(uid), virtual_s=120, label="caller took the callback")
    assert inbound_calls(b) == []
    record = await a.call_record(uid)
    assert record.outcome == "callback"
    return record


async def partner_line(center: Center, partner: str) -> ReportLine:
    rows = await StoreReportSource(center.store, limit_of=lambda q: 40.0)(0, center.clock.now() + 1)
    lines = build_report(rows, "partner", center.settings.tz)
    return next(line for line in lines if line.key == partner)


async def metrics_text(center: Center) -> str:
    async with aiohttp.ClientSession() as http, http.get(f"{center.url}/metrics") as response:
        return await response.text()


async def dashboard_partner(center: Center, partner: str, *, sent: int, received: int) -> bool:
    """The partner's overflow counts as the supervisor's API pushes them (once a second)."""
    headers = {"X-API-Key": center.settings.api_key}
    seen: dict[str, Any] = {}
    async with aiohttp.ClientSession(center.url, headers=headers) as http:
        for _ in range(40):
            async with http.get("/api/supervisor/snapshot") as resp:
                assert resp.status == 200
                snapshot = await resp.json() or {}
            views = [p for p in snapshot.get("partners", []) if p["id"] == partner]
            seen = views[0] if views else {}
            if (seen.get("sent"), seen.get("received")) == (sent, received):
                return True
            await asyncio.sleep(0.1)
    raise AssertionError(f"dashboard of {center.settings.center_id} shows {seen}")


def inbound_calls(center: Center) -> list[str]:
    return [t.uniqueid for t in center.emulator.truth.all() if t.caller == "+79165550000"]


async def test_overload_at_a_goes_to_b_before_40_s_with_its_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with two_centers(tmp_path, monkeypatch) as (a, b):
        await a.busy_operator()
        uid = a.emulator.place_call(
            CallerScript(number="+79165550000", name="Анна", digits={"": "1"}, talk_s=30)
        )
        await b.wait_for(lambda: bool(inbound_calls(b)), virtual_s=60, label="call reaches B")
        remote_id = inbound_calls(b)[0]
        await b.wait_for(
            lambda: b.emulator.truth.get(remote_id).answered_at is not None,  # type: ignore[union-attr]
            virtual_s=60,
            label="B answers",
        )
        remote = b.emulator.truth.get(remote_id)
        assert remote is not None
        assert remote.answered_by in ("PJSIP/102", "PJSIP/103")
        pop = (await b.operator_view(f"op{remote.answered_by[-3:]}", remote_id))["pop"]
        assert pop["arrival_title"] == "Перенаправлен из другого центра"
        assert pop["arrival"]["overflow_from"] == "center-a"
        shown = dict(pop["arrival"]["overflow_context"])
        assert shown["Центр обращения"] == "center-a"
        assert shown["История звонков"] == f"center-a:{uid}"
        assert shown["Переходов между центрами"] == "1"
        # What the caller chose in A's menu travels with the call.
        assert shown["Тема"] == "passport"
        assert shown["Выбор в меню"] == ", ".join(pop["arrival"]["ivr_choices"])
        assert pop["arrival"]["ivr_choices"]

        mine = a.emulator.truth.get(uid)
        assert mine is not None
        assert mine.joined_at is not None
        assert mine.outcome == "overflow"
        assert mine.answered_at is None  # A's operator never took it: B did

        await b.runtime.recorder.drain()
        received = await b.store.calls.get_call(remote.uniqueid)
        assert received is not None
        assert (received.origin_center, received.hops) == ("center-a", 1)
        assert received.overflow_direction == "in"
        assert received.overflow_partner == "center-a"  # who handed it over
        # B put the partner's caller ahead of its own callers.
        queued = [e for e in await b.store.calls.timeline(remote.uniqueid) if e.kind == "queued"]
        assert [e.details["priority"] for e in queued] == [
            b.runtime.engine.config.overflow_priority
        ]
        assert b.runtime.engine.config.overflow_priority > 0
        # The engine raised its priority and the operator's screen pop names where it came from.
        call = b.runtime.engine.call(remote.uniqueid)
        assert call is None or call.hops == 1

        await a.runtime.recorder.drain()
        sent = await a.store.calls.get_call(uid)
        assert sent is not None
        assert (sent.outcome, sent.overflow_partner) == ("overflowed", "center-b")
        assert sent.wait_s is not None
        assert sent.wait_s < 40
        assert a.runtime.partner_counts("center-b") == (1, 0)
        assert b.runtime.partner_counts("center-a") == (0, 1)
        # The supervisors' dashboards show it per partner.
        assert await dashboard_partner(a, "center-b", sent=1, received=0)
        assert await dashboard_partner(b, "center-a", sent=0, received=1)

        # B told A what became of the call; both report it under the other center.
        async def reported() -> list[dict[str, object]]:
            await a.runtime.recorder.drain()
            timeline = await a.store.calls.timeline(uid)
            return [dict(e.details) for e in timeline if e.kind == "partner_outcome"]

        for _ in range(50):
            if await reported():
                break
            await asyncio.sleep(0.05)
        assert [(r["partner"], r["outcome"]) for r in await reported()] == [
            ("center-b", "answered")
        ]
        kept = await a.store.calls.get_call(uid)
        assert kept is not None
        assert kept.partner_outcome == "answered"
        assert kept.partner_wait_s is not None
        sent_line, received_line = (
            await partner_line(a, "center-b"),
            await partner_line(b, "center-a"),
        )
        assert (sent_line.overflow_out, sent_line.overflow_out_answered) == (1, 1)
        assert sent_line.overflow_out_wait_s == pytest.approx(kept.partner_wait_s)
        assert (received_line.overflow_in, received_line.overflow_in_answered) == (1, 1)
        assert 'outcome="answered",partner="center-b"' in await metrics_text(a)


async def test_b_near_its_limit_refuses_and_a_offers_a_callback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A polls once at the start and then holds B's "accepting" for a long while, so that the
    # handoff itself meets B's refusal.
    async with two_centers(
        tmp_path, monkeypatch, poll_s=600, stale_s=3600, b_operators={"PJSIP/102": 600.0}
    ) as (a, b):
        await b.busy_operator()  # B's only operator is now busy for ten minutes
        assert accepting(a, "center-b")
        await a.busy_operator()
        uid = a.emulator.place_call(
            CallerScript(number="+79165550000", accept_callback=True, talk_s=30)
        )
        record = await callback_taken_at_a(a, b, uid)
        assert record.overflow_partner is None
        timeline = await a.store.calls.timeline(uid)
        events = [e.kind for e in timeline]
        assert events.index("overflow") < events.index("overflow_refused")
        assert events.index("overflow_refused") < events.index("callback_offer")
        refusal = timeline[events.index("overflow_refused")].details
        assert refusal == {"partner": "center-b", "reason": "not_accepting"}
        assert not accepting(a, "center-b")
        stats = b.app[FEDERATION].stats()
        # B's own wait would pass its admission share of the limit: it is not accepting.
        assert stats["in"]["center-a"]["refused"] == {"not_accepting": 1}


async def test_a_stops_sending_within_seconds_when_b_goes_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with two_centers(tmp_path, monkeypatch, poll_s=0.3, stale_s=15.0) as (a, b):
        stopped_at = a.clock.now()
        await b.stop_engine()
        await a.wait_for(
            lambda: not accepting(a, "center-b"), virtual_s=40, label="A gives up on B"
        )
        noticed_after = a.clock.now() - stopped_at
        assert noticed_after < 30, noticed_after  # stale after 15 s, plus a poll and a timeout
        await a.busy_operator()
        uid = a.emulator.place_call(
            CallerScript(number="+79165550000", accept_callback=True, talk_s=30)
        )
        await callback_taken_at_a(a, b, uid)
        assert "overflow" not in [e.kind for e in await a.store.calls.timeline(uid)]


async def test_a_call_is_not_sent_back_to_the_center_it_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two hops allowed, so only the rule "never back where the caller dialled" can stop B.
    operators = {"PJSIP/101": 600.0, "PJSIP/104": 60.0}
    async with two_centers(tmp_path, monkeypatch, max_hops=2, a_operators=operators) as (a, b):
        for bot in b.emulator.bots.values():
            bot.answers = False  # B's operators ring but never pick up: its caller waits on
        on_break = await a.runtime.ami.queue_pause(interface="PJSIP/104", paused=True, reason="x")
        assert on_break.ok
        await a.busy_operator()
        uid = a.emulator.place_call(
            CallerScript(number="+79165550000", digits={"": "1"}, accept_callback=True)
        )
        await b.wait_for(lambda: bool(inbound_calls(b)), virtual_s=60, label="call reaches B")
        remote_id = inbound_calls(b)[0]
        # While the caller waits at B, A's second operator comes back and A says it is free...
        back = await a.runtime.ami.queue_pause(interface="PJSIP/104", paused=False)
        assert back.ok
        await b.wait_for(lambda: accepting(b, "center-a"), virtual_s=10, label="B hears A free")
        # ...and B's operators go on a break: B's prediction for the caller passes the limit.
        for interface in b.emulator.bots:
            assert (await b.runtime.ami.queue_pause(interface=interface, paused=True)).ok
        await b.wait_for(lambda: b.ended(remote_id), virtual_s=120, label="B's way out")
        timeline = [e.kind for e in await b.store.calls.timeline(remote_id)]
        # ...yet B offers a callback instead of sending the caller back to A.
        assert "callback_offer" in timeline
        assert "overflow" not in timeline
        assert (await b.call_record(remote_id)).outcome == "callback"
        assert [t.caller for t in a.emulator.truth.all()].count("+79165550000") == 1
        assert a.emulator.truth.get(uid).outcome == "overflow"  # type: ignore[union-attr]
