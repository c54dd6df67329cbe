"""The event table: complete against the Asterisk spec, fixtures in spec header order, and the
facts each recorded transcript translates to."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, TypeVar

import pytest

from callcenter.pbx import facts as f
from callcenter.pbx.ami_events import EVENT_TRANSLATORS, ignore, translate
from callcenter.pbx.ami_wire import AmiFrameDecoder, AmiMessage

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ami"
SPEC_COPY = json.loads((FIXTURES / "adapter_spec_events.json").read_text(encoding="utf-8"))
SHARED_SPEC = Path("/work/shared/asterisk/ami_spec.json")


def messages(name: str) -> list[Any]:
    data = (FIXTURES / name).read_text(encoding="utf-8").replace("\n", "\r\n").encode()
    return AmiFrameDecoder().feed(data)


def facts_of(name: str) -> list[f.Fact]:
    return [fact for m in messages(name) if (fact := translate(m)) is not None]


T = TypeVar("T", bound=f.Fact)


def first(facts: list[f.Fact], kind: type[T]) -> T:
    return next(x for x in facts if isinstance(x, kind))


def test_every_event_of_the_asterisk_spec_has_an_entry() -> None:
    missing = sorted(set(SPEC_COPY["events"]) - set(EVENT_TRANSLATORS))
    assert missing == []
    assert len(SPEC_COPY["events"]) >= 50


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="shared spec not on this machine")
def test_the_fixture_copy_of_the_spec_names_the_same_events() -> None:
    shared = json.loads(SHARED_SPEC.read_text(encoding="utf-8"))
    assert set(shared["events"]) == set(SPEC_COPY["events"])


# ami_spec.json FullyBooted note: the copy sent right after Login is written as
# Uptime, LastReload, Status (the header_order is the boot-time JSON order).
AFTER_LOGIN_ORDER = {"FullyBooted": ["Uptime", "LastReload", "Status"]}


def _in_spec_order(keys: list[str], order: list[str]) -> bool:
    """Every header present in spec order; only optional ('?') ones may be absent."""
    position = 0
    for key in keys:
        while position < len(order) and order[position].rstrip("?") != key:
            if not order[position].endswith("?"):
                return False
            position += 1
        if position == len(order):
            return False
        position += 1
    return all(rest.endswith("?") for rest in order[position:])


@pytest.mark.parametrize(
    "name", sorted(p.name for p in FIXTURES.glob("adapter_*.txt")), ids=lambda n: n
)
def test_fixture_events_follow_the_spec_header_order(name: str) -> None:
    checked = 0
    for message in messages(name):
        spec = SPEC_COPY["events"].get(message.get("Event"))
        if spec is None or any(h.startswith("<") for h in spec["header_order"]):
            continue
        order = AFTER_LOGIN_ORDER.get(message["Event"], spec["header_order"])
        keys = [k for k in message if k not in ("Event", "Privilege", "ActionID", "content")]
        assert _in_spec_order(keys, order), message["Event"]
        checked += 1
    assert checked > 0


def test_answered_call_translates_to_the_queue_story() -> None:
    facts = facts_of("adapter_answered_call.txt")
    kinds = [type(x).__name__ for x in facts]
    assert kinds == [
        "ChannelCreated",
        "ChannelStateChanged",
        "VariableSet",  # CC_TOPIC only; QUEUENAME is not ours
        "CallerJoinedQueue",
        "ChannelCreated",
        "AgentCalled",
        "ChannelStateChanged",
        "QueueMemberStatusChanged",
        "ChannelStateChanged",
        "DialEnded",
        "CallerLeftQueue",
        "AgentConnected",
        "AgentCompleted",
        "ChannelHungUp",
        "ChannelHungUp",
        "QueueMemberStatusChanged",
    ]
    assert first(facts, f.VariableSet) == f.VariableSet(
        channel="PJSIP/trunk-00000001",
        uniqueid="1700000000.1",
        name="CC_TOPIC",
        value="Пособия и льготы",
    )
    joined = first(facts, f.CallerJoinedQueue)
    assert (joined.queue, joined.position, joined.count) == ("support", 1, 1)
    assert (joined.callerid_num, joined.callerid_name) == ("79001234567", "Пётр Ильич")
    connected = first(facts, f.AgentConnected)
    assert (connected.hold_time, connected.ring_time, connected.interface) == (12, 3, "PJSIP/101")
    assert connected.member_uniqueid == "1700000000.2"
    completed = first(facts, f.AgentCompleted)
    assert (completed.talk_time, completed.reason, completed.member_name) == (
        95,
        "caller",
        "Оператор Анна",
    )
    hung_up = first(facts, f.ChannelHungUp)
    assert (hung_up.cause, hung_up.cause_txt) == (16, "Normal Clearing")


def test_abandon_carries_hold_time_positions_and_unescaped_name() -> None:
    facts = facts_of("adapter_abandon.txt")
    joined = first(facts, f.CallerJoinedQueue)
    assert joined.callerid_name == 'Ольга Сергеевна "Ёлка"'
    abandoned = first(facts, f.CallerAbandoned)
    assert (abandoned.position, abandoned.original_position, abandoned.hold_time) == (1, 2, 41)
    no_answer = first(facts, f.AgentRingNoAnswer)
    assert (no_answer.interface, no_answer.ring_time_ms) == ("PJSIP/102", 15000)
    paused = first(facts, f.QueueMemberPaused)
    assert (paused.paused, paused.reason, paused.member.interface) == (
        True,
        "Auto-Pause",
        "PJSIP/102",
    )


def test_members_dtmf_transfer_user_event_and_originate() -> None:
    facts = facts_of("adapter_members_misc.txt")
    added = first(facts, f.QueueMemberAdded)
    assert (added.member.name, added.member.paused) == ("Вера", True)
    assert added.member.paused_reason == "Вход в систему"
    penalty = first(facts, f.QueueMemberPenaltyChanged)
    assert penalty.member.penalty == 2
    assert any(isinstance(x, f.QueueMemberRemoved) for x in facts)
    dtmf = [x for x in facts if isinstance(x, f.DtmfReceived)]
    assert dtmf == [f.DtmfReceived("PJSIP/trunk-00000001", "1700000000.1", "5", 120)]
    transfer = first(facts, f.BlindTransferred)
    assert (transfer.context, transfer.extension, transfer.is_external) == (
        "partners",
        "overflow-spb",
        True,
    )
    assert transfer.transferee_uniqueid == "1700000000.1"
    user = first(facts, f.UserEventReceived)
    assert (user.name, user.headers) == ("CcIvrChoice", (("Choice", "2"), ("Topic", "ЖКХ")))
    outcome = first(facts, f.OriginateOutcome)
    assert (outcome.action_id, outcome.ok, outcome.reason) == ("orig-1", False, 5)
    assert (outcome.reason_text, outcome.uniqueid) == ("busy", "")


def test_given_malformed_number_then_event_dropped_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad = AmiMessage.from_headers(
        {"Event": "QueueCallerJoin", "Queue": "support", "Position": "first"}
    )
    with caplog.at_level(logging.WARNING, logger="callcenter.pbx.ami_events"):
        assert translate(bad) is None
    assert "malformed AMI QueueCallerJoin event dropped" in caplog.text


def test_unknown_and_ignored_events_give_no_fact() -> None:
    assert translate(AmiMessage.from_headers({"Event": "PeerStatus", "Peer": "PJSIP/101"})) is None
    assert (
        translate(AmiMessage.from_headers({"Event": "BridgeCreate", "BridgeUniqueid": "b"})) is None
    )
    assert (
        translate(AmiMessage.from_headers({"Event": "DTMFEnd", "Digit": "1", "Direction": "Sent"}))
        is None
    )


class _ReadNames(dict[str, object]):
    """Fields that remember every name a translator asks for."""

    def __init__(self, fields: dict[str, object], asked: set[str]) -> None:
        super().__init__(fields)
        self.asked = asked

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)


# The two translated events no recorded transcript has, as Asterisk spells their headers.
AGENT_DUMP = {
    "Event": "AgentDump",
    "Uniqueid": "1700000000.1",
    "Queue": "support",
    "Interface": "PJSIP/101",
    "MemberName": "Оператор Анна",
}
ATTENDED_TRANSFER = {
    "Event": "AttendedTransfer",
    "Result": "Success",
    "OrigTransfererUniqueid": "1700000000.2",
    "SecondTransfererUniqueid": "1700000000.3",
    "TransfereeUniqueid": "1700000000.1",
    "TransferTargetUniqueid": "1700000000.4",
    "IsExternal": "No",
    "DestType": "Bridge",
}


def test_agent_dump_and_attended_transfer() -> None:
    dumped = translate(AmiMessage.from_headers(AGENT_DUMP))
    assert dumped == f.AgentDumped("support", "1700000000.1", "PJSIP/101", "Оператор Анна")
    transferred = translate(AmiMessage.from_headers(ATTENDED_TRANSFER))
    assert transferred == f.AttendedTransferred(
        result="Success",
        dest_type="Bridge",
        orig_transferer_uniqueid="1700000000.2",
        second_transferer_uniqueid="1700000000.3",
        transferee_uniqueid="1700000000.1",
        transfer_target_uniqueid="1700000000.4",
    )


def test_translators_read_lowercased_names_only() -> None:
    """Fields are keyed lowercased; a name read in another case would silently read ""."""
    asked: set[str] = set()
    events = set()
    every = [m for p in sorted(FIXTURES.glob("adapter_*.txt")) for m in messages(p.name)]
    every += [AmiMessage.from_headers(AGENT_DUMP), AmiMessage.from_headers(ATTENDED_TRANSFER)]
    for message in every:
        message.fields = _ReadNames(message.fields, asked)
        translate(message)
        events.add(message.get("Event"))
    used = {name for name, translator in EVENT_TRANSLATORS.items() if translator is not ignore}
    assert used <= events  # every translator ran
    assert {"event", "uniqueid", "calleridname", "queue", "interface"} <= asked
    assert sorted(k for k in asked if k != k.lower()) == []


def test_given_names_in_another_case_then_the_same_fact() -> None:
    usual = "Event: Hangup\nChannel: PJSIP/101-1\nUniqueid: 1.1\nCause: 16\nCause-txt: Normal\n\n"
    shouted = usual.replace("Uniqueid", "UNIQUEID").replace("Cause-txt", "cause-TXT")
    [fact] = [translate(m) for m in AmiFrameDecoder().feed(usual.encode())]
    assert fact == f.ChannelHungUp("PJSIP/101-1", "1.1", "", 16, "Normal")
    assert [translate(m) for m in AmiFrameDecoder().feed(shouted.encode())] == [fact]
