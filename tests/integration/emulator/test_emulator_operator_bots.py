"""Operator bots' own behaviour: answer probability and jitter, handle times, after-call work
(`wrapup_s`) that keeps the queue from ringing them, breaks taken as queue pauses."""

from __future__ import annotations

import random
import statistics

from emulator_helpers import RawAmi, event_is

from callcenter.emulator.bots import OperatorBot
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import get


def test_answer_probability_jitter_and_handle_times_follow_the_options() -> None:
    bot = OperatorBot(
        "PJSIP/101",
        "Оператор",
        answer_delay_s=2,
        rng=random.Random(4),
        answer_p=0.3,
        answer_jitter_s=3,
        handle_mean_s=120,
    )
    delays = [bot.answer_delay() for _ in range(3000)]
    answered = [d for d in delays if d is not None]
    assert 0.26 < len(answered) / len(delays) < 0.34
    assert min(answered) >= 2
    assert max(answered) <= 5
    assert 1.3 < statistics.mean(answered) - 2 < 1.7  # uniform jitter over 0..3 s
    assert 110 < statistics.mean(bot.handle_time() for _ in range(3000)) < 130
    never = OperatorBot("PJSIP/102", "", answers=False)
    assert never.answer_delay() is None


async def _member(emu: Emulator, ami: RawAmi, interface: str) -> None:
    await ami.send(("Action", "QueueAdd"), ("Queue", "citizens"), ("Interface", interface))
    await ami.until(event_is("QueueMemberAdded", Interface=interface))


async def test_wrapup_keeps_the_operator_from_being_rung(emulator: Emulator) -> None:
    emulator.add_operator("PJSIP/101", answer_delay_s=1, handle_s=(4, 4), wrapup_s=30)
    ami = await RawAmi.connect(emulator.ami_port)
    await ami.login()
    await _member(emulator, ami, "PJSIP/101")
    first = emulator.place_call(CallerScript(number="+79990000400"))
    connect = (await ami.until(event_is("AgentConnect", Uniqueid=first)))[-1]
    member = get(connect, "DestUniqueid")
    ended = (await ami.until(event_is("Hangup", Uniqueid=member)))[-1]
    second = emulator.place_call(CallerScript(number="+79990000401"))
    called = (await ami.until(event_is("AgentCalled", Uniqueid=second), within=10))[-1]
    waited = float(get(called, "Timestamp")) - float(get(ended, "Timestamp"))
    # 30 s of the bot's own after-call work (longer than the queue's wrapuptime of 5 s), then
    # the caller's next look (RECHECK 1 s) and scheduling slack.
    assert 30 <= waited < 34
    await ami.close()


async def test_answer_probability_mixes_no_answers_and_answers(emulator: Emulator) -> None:
    emulator.add_operator("PJSIP/101", answer_delay_s=1, handle_s=(1, 1), answer_p=0.5)
    ami = await RawAmi.connect(emulator.ami_port)
    await ami.login()
    await _member(emulator, ami, "PJSIP/101")
    outcomes = []
    for n in range(6):
        uid = emulator.place_call(CallerScript(number=f"+7999000041{n}", talk_s=1))
        seen = await ami.until(event_is("AgentConnect", Uniqueid=uid), within=20)
        outcomes += [get(m, "Event") for m in seen if get(m, "Uniqueid") == uid]
        await ami.until(event_is("Hangup", Uniqueid=uid))
    assert outcomes.count("AgentConnect") == 6
    assert outcomes.count("AgentRingNoAnswer") >= 1  # rings missed on the way
    await ami.close()


async def test_an_operator_takes_breaks_as_queue_pauses(emulator: Emulator) -> None:
    emulator.add_operator("PJSIP/101", answer_delay_s=1, handle_s=(3, 3), break_every=1, break_s=20)
    ami = await RawAmi.connect(emulator.ami_port)
    await ami.login()
    await _member(emulator, ami, "PJSIP/101")
    emulator.place_call(CallerScript(number="+79990000420"))
    pause = (await ami.until(event_is("QueueMemberPause", Paused="1")))[-1]
    back = (await ami.until(event_is("QueueMemberPause", Paused="0")))[-1]
    assert get(pause, "PausedReason") == "перерыв"
    assert 19.5 < float(get(back, "Timestamp")) - float(get(pause, "Timestamp")) < 21
    log = [line.split("|")[4:6] for line in emulator.queue_log.lines]
    assert ["PAUSEALL", "перерыв"] in log
    assert ["UNPAUSEALL", "перерыв"] in log
    await ami.close()


async def test_an_operator_holds_the_caller_mid_call(emulator: Emulator) -> None:
    emulator.add_operator("PJSIP/101", answer_delay_s=1, handle_s=(10, 10), hold_s=4)
    ami = await RawAmi.connect(emulator.ami_port)
    await ami.login()
    await _member(emulator, ami, "PJSIP/101")
    uid = emulator.place_call(CallerScript(number="+79990000430"))
    member = get((await ami.until(event_is("AgentConnect", Uniqueid=uid)))[-1], "DestUniqueid")
    seen = await ami.until(event_is("AgentComplete", Uniqueid=uid))
    who = {uid: "caller", member: "operator"}
    story = [
        (get(m, "Event"), who.get(get(m, "Uniqueid")), float(get(m, "Timestamp")))
        for m in seen
        if get(m, "Event") in ("Hold", "Unhold", "MusicOnHoldStart", "MusicOnHoldStop")
    ]
    assert [s[:2] for s in story] == [
        ("Hold", "operator"),
        ("MusicOnHoldStart", "caller"),
        ("Unhold", "operator"),
        ("MusicOnHoldStop", "caller"),
    ]
    assert 3.5 < story[2][2] - story[0][2] < 4.5
    complete = seen[-1]
    assert get(complete, "TalkTime") in ("9", "10")  # the hold is part of the 10 s call
    await ami.close()
