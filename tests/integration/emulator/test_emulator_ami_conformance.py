"""Every event the emulator writes in four scenarios (answered call, abandoned call, callback
Originate, Redirect) carries the headers shared/asterisk/ami_spec.json lists for it, in that
order, with its Privilege and a Timestamp (manager.conf has timestampevents = yes).

Read by a plain-socket client logged in as `engine` with the shipped manager.conf."""

from __future__ import annotations

import json
from pathlib import Path

from emulator_helpers import RawAmi, event_is

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import Headers, get

# shared/asterisk/ami_spec.json events.<Name>.wire, snapshot blocks expanded ("?" = optional);
# tests/unit/pbx checks this copy against the shared spec.
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ami" / "adapter_spec_events.json"
SPEC = json.loads(FIXTURE.read_text(encoding="utf-8"))


def expected_headers(event: str) -> list[str]:
    """The headers the spec's wire order requires (optional and custom ones left out)."""
    order = SPEC["events"][event]["header_order"]
    return [h for h in order if not h.endswith("?") and not h.startswith("<")]


def check(message: Headers) -> list[str]:
    """What is wrong with one broadcast event ([] when it conforms)."""
    event = get(message, "Event")
    keys = [k for k, _ in message]
    problems = []
    wire = SPEC["events"].get(event)
    if wire is None:
        return [f"{event}: not in the spec"]
    if keys[:3] != ["Event", "Privilege", "Timestamp"]:
        problems.append(f"{event}: starts {keys[:3]}")
    if get(message, "Privilege") != wire["privilege"]:
        problems.append(f"{event}: Privilege {get(message, 'Privilege')!r}")
    body = keys[3:]
    want = expected_headers(event)
    missing = [h for h in want if h not in body]
    if missing:
        problems.append(f"{event}: missing {missing}")
    elif [h for h in body if h in want] != want:
        problems.append(f"{event}: order {body}")
    return problems


async def _engine(emu: Emulator) -> RawAmi:
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    await client.next()  # FullyBooted
    return client


async def _member(client: RawAmi, emu: Emulator, interface: str, answers: bool = True) -> None:
    emu.add_operator(interface, "Оператор", answer_delay_s=1, handle_s=(4, 4), answers=answers)
    await client.send(
        ("Action", "QueueAdd"),
        ("Queue", "citizens"),
        ("Interface", interface),
        ("MemberName", "Оператор"),
        ("ActionID", "add"),
    )
    await client.until(event_is("QueueMemberAdded"))


def _assert_conforms(seen: list[Headers]) -> set[str]:
    events = [m for m in seen if get(m, "Event") and not get(m, "ActionID")]
    problems = [p for m in events for p in check(m)]
    assert problems == []
    return {get(m, "Event") for m in events}


async def test_answered_and_abandoned_calls_conform(emulator: Emulator) -> None:
    client = await _engine(emulator)
    await _member(client, emulator, "PJSIP/101")
    seen = []
    uid = emulator.place_call(CallerScript(number="+79990000001", name="Пётр Ильич", talk_s=3))
    seen += await client.until(event_is("Hangup", Uniqueid=uid))
    await client.send(("Action", "QueuePause"), ("Interface", "PJSIP/101"), ("Paused", "true"))
    seen += await client.until(event_is("QueueMemberPause"))
    lost = emulator.place_call(CallerScript(number="+79990000002", name="Анна", patience_s=3))
    seen += await client.until(event_is("Hangup", Uniqueid=lost))
    names = _assert_conforms(seen)
    assert {"AgentConnect", "AgentComplete", "BridgeEnter", "QueueCallerAbandon"} <= names
    join = next(m for m in seen if get(m, "Event") == "QueueCallerJoin")
    assert get(join, "CallerIDName") == "Пётр Ильич"
    await client.close()


async def test_callback_originate_and_redirect_conform(emulator: Emulator) -> None:
    client = await _engine(emulator)
    emulator.add_operator("PJSIP/102", "Оператор", answer_delay_s=1, handle_s=(3, 3))
    await client.send(
        ("Action", "Originate"),
        ("Channel", "PJSIP/102"),
        ("Context", "cc-callback-out"),
        ("Exten", "+79990000003"),
        ("Priority", "1"),
        ("Async", "true"),
        ("CallerID", '"Обратный звонок" <1000>'),
        ("Variable", "CC_CALLBACK_ID=cb-1"),
        ("ActionID", "o1"),
    )
    seen = await client.until(event_is("OriginateResponse"))
    response = seen[-1]
    assert [k for k, _ in response][:4] == ["Event", "Privilege", "Timestamp", "ActionID"]
    assert get(response, "CallerIDName") == "Обратный звонок"
    seen += await client.until(event_is("Hangup", Uniqueid=get(response, "Uniqueid")))
    uid = emulator.place_call(CallerScript(number="+79990000004", name="Иван"))
    seen += await client.until(event_is("QueueCallerJoin", Uniqueid=uid))
    await client.send(
        ("Action", "Redirect"),
        ("Channel", emulator.pbx.channels[uid].name),
        ("Context", "cc-transfer"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("ActionID", "r"),
    )
    seen += await client.until(event_is("Hangup", Uniqueid=uid))
    names = _assert_conforms([m for m in seen if get(m, "Event") != "OriginateResponse"])
    assert {"DialBegin", "DialEnd", "VarSet", "Newexten", "QueueCallerLeave"} <= names
    await client.close()


def test_the_check_itself_catches_a_missing_or_misplaced_header() -> None:
    snapshot = [(h, "x") for h in expected_headers("Newchannel")]
    good = [("Event", "Newchannel"), ("Privilege", "call,all"), ("Timestamp", "1.0"), *snapshot]
    assert check(good) == []
    assert check([m for m in good if m[0] != "Linkedid"]) == ["Newchannel: missing ['Linkedid']"]
    swapped = [*good[:3], snapshot[1], snapshot[0], *snapshot[2:]]
    assert check(swapped)[0].startswith("Newchannel: order")
    assert check([("Event", "Newchannel"), ("Privilege", "agent,all"), *snapshot])[:2] == [
        "Newchannel: starts ['Event', 'Privilege', 'Channel']",
        "Newchannel: Privilege 'agent,all'",
    ]
