"""Small inline dialplans run by the emulator, seen over real AMI: Newexten/VarSet sequences,
branches, Gosub/Return, GotoIfTime on the injected clock, Dial statuses, loud failures."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from emulator_helpers import RawAmi, event_is

from callcenter.clock import ScaledClock
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator, EmulatorConfig
from callcenter.emulator.wire import Headers, get


def moscow(day: str, hhmm: str) -> float:
    return (
        datetime.fromisoformat(f"{day}T{hhmm}")
        .replace(tzinfo=ZoneInfo("Europe/Moscow"))
        .timestamp()
    )


HEAD = "[general]\nstatic=yes\n\n[globals]\nGREETING=hello\n\n"


async def _run(
    tmp_path: Path,
    body: str,
    script: CallerScript | None = None,
    *,
    at: float = 1_700_000_000.0,
    operators: dict[str, bool] | None = None,
) -> tuple[list[Headers], Emulator]:
    """Places one call into [from-citizens] of `body`; every message up to its Hangup."""
    conf = tmp_path / "extensions.conf"
    conf.write_text(HEAD + body, encoding="utf-8")
    emu = Emulator(
        EmulatorConfig(
            clock=ScaledClock(start=at, speed=40.0), dialplan=conf, timezone="Europe/Moscow"
        )
    )
    for interface, answers in (operators or {}).items():
        emu.add_operator(interface, answer_delay_s=1, handle_s=(2, 2), answers=answers)
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        uid = emu.place_call(script or CallerScript(number="+79161234567", name="Пётр"))
        seen = await client.until(event_is("Hangup", Uniqueid=uid))
    finally:
        await client.close()
        await emu.stop()
    return seen, emu


def _steps(seen: list[Headers], channel_prefix: str = "PJSIP/citizen") -> list[tuple[str, ...]]:
    return [
        (
            get(m, "Context"),
            get(m, "Exten"),
            get(m, "Priority"),
            get(m, "Application"),
            get(m, "AppData"),
        )
        for m in seen
        if get(m, "Event") == "Newexten" and get(m, "Channel").startswith(channel_prefix)
    ]


def _vars(seen: list[Headers]) -> list[tuple[str, str]]:
    return [(get(m, "Variable"), get(m, "Value")) for m in seen if get(m, "Event") == "VarSet"]


def _user_events(seen: list[Headers]) -> list[dict[str, str]]:
    return [dict(m) for m in seen if get(m, "Event") == "UserEvent"]


BRANCHES = """
[from-citizens]
exten => _X.,1,NoOp(${CALLERID(num):1:4} ${CALLERID(name)} ${EXTEN})
 same => n,Set(N=$[${LEN(${GREETING})} + 1])
 same => n,GotoIf($[${N} > 5]?big:small)
 same => n(small),Set(SIZE=small)
 same => n,Goto(done)
 same => n(big),Set(SIZE=big)
 same => n(done),Gosub(sub,s,1(a,b))
 same => n,Set(AFTER=${GOSUB_RETVAL}/${ARG1}/${IF($[${N} = 6]?six:other)})
 same => n,UserEvent(Probe,Size: ${SIZE},After: ${AFTER})

[sub]
exten => s,1,Set(IN=${ARG1}${ARG2})
 same => n,Return(r-${IN})
"""


async def test_newexten_and_varset_follow_branches_and_gosub(tmp_path: Path) -> None:
    seen, _ = await _run(tmp_path, BRANCHES)
    assert _steps(seen) == [
        ("from-citizens", "1000", "1", "NoOp", "7916 Пётр 1000"),
        ("from-citizens", "1000", "2", "Set", "N=6"),
        ("from-citizens", "1000", "3", "GotoIf", "1?big:small"),
        ("from-citizens", "1000", "6", "Set", "SIZE=big"),
        ("from-citizens", "1000", "7", "Gosub", "sub,s,1(a,b)"),
        ("sub", "s", "1", "Set", "IN=ab"),
        ("sub", "s", "2", "Return", "r-ab"),
        ("from-citizens", "1000", "8", "Set", "AFTER=r-ab//six"),
        ("from-citizens", "1000", "9", "UserEvent", "Probe,Size: big,After: r-ab//six"),
    ]
    assert _vars(seen) == [
        ("N", "6"),
        ("SIZE", "big"),
        ("IN", "ab"),
        ("GOSUB_RETVAL", "r-ab"),
        ("AFTER", "r-ab//six"),  # ARG1 is gone again after Return
    ]
    (probe,) = _user_events(seen)
    assert (probe["UserEvent"], probe["Size"], probe["After"]) == ("Probe", "big", "r-ab//six")
    assert probe["Privilege"] == "user,all"
    assert get(seen[-1], "Event") == "Hangup"  # fell off the end after priority 9


NIGHT_OR_DAY = """
[from-citizens]
exten => _X.,1,GotoIfTime(09:00-18:00,mon-fri,*,*?day)
 same => n,UserEvent(Mode,Is: night)
 same => n,Hangup()
 same => n(day),UserEvent(Mode,Is: day)
"""


@pytest.mark.parametrize(("at", "mode"), [("12:00", "day"), ("00:30", "night")])
async def test_goto_if_time_reads_the_injected_clock(tmp_path: Path, at: str, mode: str) -> None:
    seen, _ = await _run(tmp_path, NIGHT_OR_DAY, at=moscow("2026-11-24", at))
    assert [e["Is"] for e in _user_events(seen)] == [mode]


DIALS = """
[from-citizens]
exten => _X.,1,Answer()
 same => n,Dial(PJSIP/102,3)
 same => n,Dial(PJSIP/999,3)
 same => n,Dial(PJSIP/101,10,g)
 same => n,Dial(PJSIP/555@nowhere,5)
 same => n,UserEvent(Done,Status: ${DIALSTATUS})
"""


async def test_dial_statuses(tmp_path: Path) -> None:
    seen, _ = await _run(tmp_path, DIALS, operators={"PJSIP/101": True, "PJSIP/102": False})
    statuses = [v for k, v in _vars(seen) if k == "DIALSTATUS"]
    assert statuses == ["NOANSWER", "CHANUNAVAIL", "ANSWER", "CHANUNAVAIL"]
    begins = [get(m, "DialString") for m in seen if get(m, "Event") == "DialBegin"]
    assert begins == ["102", "999", "101", "555@nowhere"]
    names = [get(m, "Event") for m in seen]
    assert names.count("BridgeEnter") == 2  # only the answered leg was bridged
    # With option g the caller goes on after the operator hung up.
    assert [e["Status"] for e in _user_events(seen)] == ["CHANUNAVAIL"]


async def test_an_unknown_application_hangs_up_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = (
        "[from-citizens]\nexten => _X.,1,Answer()\n"
        " same => n,Frobnicate(x)\n same => n,Set(NEVER=1)\n"
    )
    with caplog.at_level(logging.ERROR):
        seen, _ = await _run(tmp_path, body)
    assert ("NEVER", "1") not in _vars(seen)
    assert _steps(seen)[-1][3:] == ("Frobnicate", "x")
    assert "Frobnicate" in caplog.text
    assert "not implemented" in caplog.text
    assert "extensions.conf:9" in caplog.text


async def test_an_unknown_function_hangs_up_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = "[from-citizens]\nexten => _X.,1,Set(X=${NOPE(1)})\n same => n,Set(NEVER=1)\n"
    with caplog.at_level(logging.ERROR):
        seen, _ = await _run(tmp_path, body)
    assert ("NEVER", "1") not in _vars(seen)
    assert "function NOPE() is not implemented" in caplog.text


MEDIA = """
[from-citizens]
exten => _X.,1,Answer()
 same => n,MusicOnHold(default,2)
 same => n,Read(NUMBER,cc-enter-number,11)
 same => n,Background(cc-menu)
 same => n,WaitExten(5)
exten => 2,1,UserEvent(Chose,Number: ${NUMBER},Read: ${READSTATUS})
exten => h,1,UserEvent(Bye)
"""


async def test_media_digits_and_the_h_extension(tmp_path: Path) -> None:
    script = CallerScript(
        number="+79161234567", digits={"cc-enter-number": "89991234567", "cc-menu": "2"}
    )
    seen, _ = await _run(tmp_path, MEDIA, script)
    names = [get(m, "Event") for m in seen]
    start = names.index("MusicOnHoldStart")
    assert get(seen[start], "Class") == "default"
    assert names.index("MusicOnHoldStop") > start
    events = _user_events(seen)
    assert [e["UserEvent"] for e in events] == ["Chose", "Bye"]
    assert (events[0]["Number"], events[0]["Read"]) == ("89991234567", "OK")
    assert names.index("UserEvent") < len(names) - 1  # h ran before the Hangup event
    assert _steps(seen)[-1][:4] == ("from-citizens", "h", "1", "UserEvent")


async def test_cc_notify_of_the_shipped_dialplan_plays_and_reports(
    make_emulator: object,
) -> None:
    emu = make_emulator()  # type: ignore[operator]
    emu.add_citizen(CallerScript(number="+79161112233"))
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        await client.send(
            ("Action", "Originate"),
            ("Channel", "PJSIP/79161112233@citizen-trunk"),
            ("Context", "cc-notify"),
            ("Exten", "s"),
            ("Priority", "1"),
            ("Async", "true"),
            ("Timeout", "30000"),
            ("Variable", "CC_NOTIFY_ID=n-7,CC_NOTIFY_PROMPT=flood"),
            ("ActionID", "n"),
        )
        response = (await client.until(event_is("OriginateResponse")))[-1]
        assert (get(response, "Response"), get(response, "Reason")) == ("Success", "4")
        seen = await client.until(event_is("Hangup", Uniqueid=get(response, "Uniqueid")))
        plays = [s for s in _steps(seen, "PJSIP/citizen-trunk") if s[3] == "Playback"]
        assert [s[4] for s in plays] == ["callcenter/flood", "callcenter/flood"]
        (delivered,) = _user_events(seen)
        assert (delivered["UserEvent"], delivered["Id"]) == ("NotifyDelivered", "n-7")
    finally:
        await client.close()
        await emu.stop()
