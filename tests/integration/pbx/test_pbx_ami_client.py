"""The AMI client against a fake AMI peer over real TCP: login, resync, live events (Cyrillic
split across TCP reads), reconnect with backoff, typed actions, failures as values."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import pytest
from pbx_fake_ami import FakeAmi

from callcenter.pbx import facts as f
from callcenter.pbx.ami import AmiClient
from callcenter.pbx.backoff import Backoff
from callcenter.pbx.snapshots import PbxResynced, ResyncFailed

T = TypeVar("T", bound=f.Fact)

JOIN = [
    ("Event", "QueueCallerJoin"),
    ("Privilege", "agent,all"),
    ("Channel", "PJSIP/trunk-00000009"),
    ("ChannelState", "6"),
    ("ChannelStateDesc", "Up"),
    ("CallerIDNum", "79001112233"),
    ("CallerIDName", "Пётр Ёжиков"),
    ("ConnectedLineNum", "<unknown>"),
    ("ConnectedLineName", "<unknown>"),
    ("Language", "ru"),
    ("AccountCode", ""),
    ("Context", "queues"),
    ("Exten", "s"),
    ("Priority", "5"),
    ("Uniqueid", "1700000000.9"),
    ("Linkedid", "1700000000.9"),
    ("Queue", "support"),
    ("Position", "2"),
    ("Count", "2"),
]


class Recorder:
    """The fact sink, plus the backoff delays the client asked to sleep."""

    def __init__(self) -> None:
        self.facts: list[f.Fact] = []
        self.delays: list[float] = []
        self.changed = asyncio.Event()

    def __call__(self, fact: f.Fact) -> None:
        self.facts.append(fact)
        self.changed.set()

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.changed.set()
        await asyncio.sleep(0.01)

    def of(self, kind: type[T]) -> list[T]:
        return [x for x in self.facts if isinstance(x, kind)]

    async def until(self, check: Callable[[], bool], seconds: float = 5.0) -> None:
        async with asyncio.timeout(seconds):
            while not check():
                self.changed.clear()
                await self.changed.wait()


ClientFactory = Callable[..., Awaitable[AmiClient]]


@pytest.fixture
async def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def make_client(fake_ami: FakeAmi, recorder: Recorder) -> AsyncIterator[ClientFactory]:
    clients: list[AmiClient] = []

    async def make(**overrides: Any) -> AmiClient:
        settings: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": fake_ami.port,
            "username": "engine",
            "secret": "s3cret",
            "sink": recorder,
            "backoff": Backoff(initial=0.5, maximum=4.0),
            "sleep": recorder.sleep,
            "action_timeout": 1.0,
        }
        client = AmiClient(**{**settings, **overrides})
        clients.append(client)
        await client.start()
        return client

    yield make
    for client in clients:
        await client.stop()


async def test_login_resync_then_live_event_with_cyrillic_split_across_reads(
    fake_ami: FakeAmi, recorder: Recorder, make_client: ClientFactory
) -> None:
    client = await make_client()
    assert await client.wait_ready(5.0)
    assert recorder.facts[0] == f.AmiConnected(version="9.0.0")
    snapshot = recorder.of(PbxResynced)[0]
    assert [q.queue for q in snapshot.queues] == ["support"]
    assert [(m.interface, m.paused, m.paused_reason) for m in snapshot.members] == [
        ("PJSIP/101", False, ""),
        ("PJSIP/102", True, "Обед"),
    ]
    assert [(e.uniqueid, e.callerid_name, e.wait) for e in snapshot.entries] == [
        ("1700000000.5", "Фёдор Достоевский", 17)
    ]
    assert [(c.uniqueid, c.application, c.duration_s) for c in snapshot.channels] == [
        ("1700000000.5", "Queue", 65)
    ]
    wire = b"".join(f"{k}: {v}\r\n".encode() for k, v in JOIN)
    cut = wire.index("Ёжиков".encode()) + 1  # inside the two bytes of "Ё"
    await fake_ami.send_event(JOIN, split_at=cut)
    await recorder.until(lambda: bool(recorder.of(f.CallerJoinedQueue)))
    joined = recorder.of(f.CallerJoinedQueue)[0]
    assert (joined.callerid_name, joined.position, joined.count) == ("Пётр Ёжиков", 2, 2)


async def test_dropped_connection_reconnects_with_backoff_and_resyncs(
    fake_ami: FakeAmi, recorder: Recorder, make_client: ClientFactory
) -> None:
    client = await make_client()
    assert await client.wait_ready(5.0)
    await fake_ami.drop()
    await recorder.until(lambda: len(recorder.of(PbxResynced)) == 2)
    kinds = [type(x).__name__ for x in recorder.facts if not isinstance(x, f.PbxFullyBooted)]
    assert kinds == [
        "AmiConnected",
        "PbxResynced",
        "AmiDisconnected",
        "AmiConnected",
        "PbxResynced",
    ]
    assert client.sessions == 2
    assert recorder.delays == [0.5]  # a session that worked restarts the backoff
    assert (fake_ami.count("Login"), fake_ami.count("QueueStatus")) == (2, 2)
    assert fake_ami.count("CoreShowChannels") == 2


async def test_backoff_grows_while_nobody_listens(
    recorder: Recorder, make_client: ClientFactory
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    await make_client(
        port=closed_port, backoff=Backoff(initial=0.5, maximum=4.0, jitter=0.5), rand=lambda: 1.0
    )
    await recorder.until(lambda: len(recorder.delays) >= 5)
    assert recorder.delays[:5] == [1.5, 3.0, 6.0, 6.0, 6.0]  # 1, 2, 4, 4, 4 with +50 % jitter
    assert recorder.facts == []


async def test_refused_login_is_retried_with_backoff_and_reports_nothing(
    fake_ami: FakeAmi, recorder: Recorder, make_client: ClientFactory
) -> None:
    client = await make_client(secret="wrong")
    await recorder.until(lambda: len(recorder.delays) >= 3)
    assert recorder.delays[:3] == [1.0, 2.0, 4.0]
    assert not client.logged_in
    assert fake_ami.count("Login") >= 3
    assert recorder.facts == []


async def test_actions_return_typed_results_and_failures_as_values(
    fake_ami: FakeAmi, make_client: ClientFactory
) -> None:
    client = await make_client()
    assert await client.wait_ready(5.0)
    added = await client.queue_add(queue="support", interface="PJSIP/105", member_name="Вера")
    assert (added.ok, added.message) == (True, "Added interface to queue")
    paused = await client.queue_pause(interface="PJSIP/105", paused=True, reason="Обед")
    assert paused.ok
    assert fake_ami.actions[-1]["Reason"] == "Обед"
    assert fake_ami.actions[-1]["Paused"] == "true"
    assert (await client.redirect(channel="PJSIP/trunk-1", context="overflow", exten="s")).ok
    assert fake_ami.actions[-1]["Priority"] == "1"
    assert (await client.queue_penalty(interface="PJSIP/105", penalty=2)).ok
    assert (await client.queue_remove(queue="support", interface="PJSIP/105")).ok
    assert (await client.setvar(channel="PJSIP/trunk-1", variable="CC_X", value="1")).ok
    assert (await client.hangup(channel="PJSIP/trunk-1", cause=16)).ok
    name = await client.getvar(channel="PJSIP/trunk-1", variable="CALLERID(name)")
    assert (name.ok, name.value) == (True, "Пётр")
    fake_ami.refuse["Redirect"] = "Channel does not exist: PJSIP/gone"
    refused = await client.redirect(channel="PJSIP/gone", context="overflow", exten="s")
    assert (refused.ok, refused.message) == (False, "Channel does not exist: PJSIP/gone")
    sent = len(fake_ami.actions)
    injected = await client.setvar(variable="CC_X", value="1\r\nAction: Hangup")
    assert (injected.ok, injected.message) == (False, "header Value contains a line break")
    assert len(fake_ami.actions) == sent
    assert (await client.ping()).ok


async def test_unanswered_action_times_out_as_a_value_and_the_link_carries_on(
    fake_ami: FakeAmi, make_client: ClientFactory
) -> None:
    client = await make_client(action_timeout=0.2)
    assert await client.wait_ready(5.0)
    fake_ami.silent.add("Getvar")
    result = await client.getvar(variable="CC_X")
    assert (result.ok, result.message, result.value) == (False, "no answer within 0.2 s", None)
    assert (await client.ping()).ok


async def test_not_connected_is_a_value() -> None:
    client = AmiClient(host="127.0.0.1", port=1, username="u", secret="s", sink=lambda _: None)
    result = await client.queue_pause(interface="PJSIP/101", paused=True)
    assert (result.ok, result.message) == (False, "not connected to AMI")


async def test_originate_outcome_is_correlated_by_action_id(
    fake_ami: FakeAmi, recorder: Recorder, make_client: ClientFactory
) -> None:
    client = await make_client()
    assert await client.wait_ready(5.0)
    outcomes: list[f.OriginateOutcome] = []
    queued = await client.originate(
        channel="Local/79001234567@callbacks",
        context="callback-connect",
        exten="s",
        variables={"CC_CALLBACK_ID": "cb-17", "CC_NAME": "Пётр"},
        timeout_ms=25_000,
        caller_id="Контакт-центр <1234>",
        on_outcome=outcomes.append,
    )
    assert (queued.ok, queued.message) == (True, "Originate successfully queued")
    await recorder.until(lambda: bool(outcomes))
    assert outcomes[0].action_id == queued.action_id
    assert (outcomes[0].ok, outcomes[0].reason_text, outcomes[0].uniqueid) == (
        True,
        "answered",
        "1700000000.42",
    )
    assert recorder.of(f.OriginateOutcome) == outcomes
    sent = fake_ami.actions[-1]
    assert sent["Variable"] == ["CC_CALLBACK_ID=cb-17", "CC_NAME=Пётр"]
    assert (sent["Async"], sent["Timeout"]) == ("true", "25000")


async def test_originate_outcome_is_unknown_when_the_link_drops_first(
    fake_ami: FakeAmi, recorder: Recorder, make_client: ClientFactory
) -> None:
    client = await make_client()
    assert await client.wait_ready(5.0)
    fake_ami.originate_reason = "none"

    def no_outcome(action: Any, aid: Any) -> list[Any]:
        return [[("Response", "Success"), *aid, ("Message", "Originate successfully queued")]]

    fake_ami._on_originate = no_outcome  # type: ignore[method-assign]
    outcomes: list[f.OriginateOutcome] = []
    queued = await client.originate(
        channel="Local/1@cb", context="cb", exten="s", on_outcome=outcomes.append
    )
    assert queued.ok
    await fake_ami.drop()
    await recorder.until(lambda: bool(outcomes))
    assert (outcomes[0].ok, outcomes[0].reason) == (False, -1)
    assert "outcome unknown" in outcomes[0].reason_text


async def test_events_inside_the_snapshot_window_follow_the_snapshot(
    fake_ami: FakeAmi, recorder: Recorder, make_client: ClientFactory
) -> None:
    fake_ami.before_list_items = [JOIN]
    client = await make_client()
    assert await client.wait_ready(5.0)
    kinds = [type(x).__name__ for x in recorder.facts]
    assert kinds.index("PbxFullyBooted") < kinds.index("PbxResynced")
    assert kinds.index("PbxResynced") < kinds.index("CallerJoinedQueue")


async def test_refused_snapshot_reports_resync_failed_and_events_still_flow(
    fake_ami: FakeAmi, recorder: Recorder, make_client: ClientFactory
) -> None:
    fake_ami.refuse["QueueStatus"] = "Permission denied"
    client = await make_client()
    assert await client.wait_ready(5.0)
    assert recorder.of(ResyncFailed) == [ResyncFailed(reason="Permission denied")]
    await fake_ami.send_event(JOIN)
    await recorder.until(lambda: bool(recorder.of(f.CallerJoinedQueue)))


async def test_a_failing_sink_does_not_stop_the_client(
    fake_ami: FakeAmi, make_client: ClientFactory
) -> None:
    joined = asyncio.Event()

    def sink(fact: f.Fact) -> None:
        if isinstance(fact, f.CallerJoinedQueue):
            joined.set()
        raise RuntimeError("engine bug")

    client = await make_client(sink=sink)
    assert await client.wait_ready(5.0)
    await fake_ami.send_event(JOIN)
    await asyncio.wait_for(joined.wait(), 5)
    assert (await client.ping()).ok


async def test_unanswered_ping_drops_the_link_and_reconnects(
    fake_ami: FakeAmi, recorder: Recorder, make_client: ClientFactory
) -> None:
    client = await make_client(ping_interval=0.1, action_timeout=0.2)
    assert await client.wait_ready(5.0)
    fake_ami.silent.add("Ping")
    await recorder.until(lambda: bool(recorder.of(f.AmiDisconnected)))
    fake_ami.silent.discard("Ping")
    await recorder.until(lambda: len(recorder.of(PbxResynced)) == 2)
    assert client.sessions == 2


async def test_late_list_items_of_a_timed_out_action_are_not_reported_as_news(
    fake_ami: FakeAmi, recorder: Recorder, make_client: ClientFactory
) -> None:
    client = await make_client(action_timeout=0.3)
    assert await client.wait_ready(5.0)
    fake_ami.silent.add("QueueStatus")
    result = await client.queue_status()
    assert (result.ok, result.message) == (False, "no answer within 0.3 s")
    before = len(recorder.facts)
    for frame in fake_ami.lists["QueueStatus"]:  # the answer turns up late
        body = [kv for kv in frame[1:] if kv[0] != "ActionID"]
        await fake_ami.send_event([frame[0], ("ActionID", result.action_id), *body])
    # and a broken one with two ActionIDs: dropped with a log, the link stays up
    await fake_ami.send_event([("Event", "QueueEntry"), ("ActionID", "a"), ("ActionID", "b")])
    await fake_ami.send_event(JOIN)
    await recorder.until(lambda: bool(recorder.of(f.CallerJoinedQueue)))
    assert [type(x) for x in recorder.facts[before:]] == [f.CallerJoinedQueue]
    assert client.sessions == 1
