"""The emulator's FastAGI client over real TCP, against a scripted raw FastAGI server: the
environment, variables and functions, EXEC, the flow commands, the AstDB, syntax errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastagi_helpers import (
    AgiCall,
    ScriptedAgi,
    Session,
    Talk,
    ended,
    newexten_data,
    varsets,
    write_dialplan,
)

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.version import ASTERISK_VERSION

MakeEmulator = Callable[..., Emulator]


@asynccontextmanager
async def agi_call(
    make_emulator: MakeEmulator, tmp_path: Path, *talks: Talk, **config: object
) -> AsyncIterator[AgiCall]:
    """An emulator running the test dialplan against `talks`; one call placed, run to its end."""
    server = ScriptedAgi(*talks)
    port = await server.start()
    emu = make_emulator(agi_port=port, dialplan=write_dialplan(tmp_path), **config)
    emu.keep_events = True
    await emu.start()
    try:
        uid = emu.place_call(CallerScript(number="+79990001122", name="Анна", dnid="1000"))
        channel = emu.pbx.channels[uid]
        await ended(emu, uid)
        yield AgiCall(emu, uid, server, channel)
    finally:
        await emu.stop()
        await server.stop()


async def quiet(s: Session) -> None:
    """A script that does nothing: the AGI ends at once."""


async def test_environment_is_the_one_asterisk_sends(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    async with agi_call(make_emulator, tmp_path, quiet) as call:
        env = call.server.sessions[0].env
        keys = [k for k, _ in env]
        assert keys == [
            "agi_network", "agi_network_script", "agi_request", "agi_channel", "agi_language",
            "agi_type", "agi_uniqueid", "agi_version", "agi_callerid", "agi_calleridname",
            "agi_callingpres", "agi_callingani2", "agi_callington", "agi_callingtns",
            "agi_dnid", "agi_rdnis", "agi_context", "agi_extension", "agi_priority",
            "agi_enhanced", "agi_accountcode", "agi_threadid", "agi_arg_1", "agi_arg_2",
        ]  # fmt: skip
        request = dict(env)
        # the AGI() argument as written (after substitution), not the configured engine address
        assert request["agi_request"] == "agi://engine:4573/entry?mode=day"
        assert request["agi_network_script"] == "entry?mode=day"
        assert request["agi_priority"] == "3"
        assert request["agi_version"] == ASTERISK_VERSION
        assert (request["agi_arg_1"], request["agi_arg_2"]) == ("один", "two")
        assert (request["agi_uniqueid"], request["agi_type"]) == (call.uid, "PJSIP")
        assert (request["agi_callerid"], request["agi_calleridname"]) == ("+79990001122", "Анна")
        second = call.server.sessions[1].request
        assert second["agi_priority"] == "4"
        assert "agi_arg_1" not in second


async def test_get_variable_reads_functions_builtins_and_earlier_results(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    replies: dict[str, str] = {}

    async def first(s: Session) -> None:
        for name in ("CALLERID(num)", "CALLERID(name)", "EXTEN", "CONTEXT", "PRIORITY"):
            replies[name] = await s.send(f"GET VARIABLE {name}")
        replies["waiting"] = await s.send("GET VARIABLE QUEUE_WAITING_COUNT(citizens)")
        replies["global"] = await s.send("GET VARIABLE ENGINE")
        replies["unset"] = await s.send("GET VARIABLE NOPE")
        replies["no such function"] = await s.send("get variable NOSUCHFUNC(x)")
        replies["full"] = await s.send('GET FULL VARIABLE "${CALLERID(num)} -> ${EXTEN}"')
        channel = s.request["agi_channel"]
        replies["full named"] = await s.send(f"GET FULL VARIABLE ${{CHANNEL}} {channel}")
        replies["full other"] = await s.send("GET FULL VARIABLE ${EXTEN} PJSIP/nobody-0001")

    async def second(s: Session) -> None:
        replies["AGISTATUS"] = await s.send("GET VARIABLE AGISTATUS")

    async with agi_call(make_emulator, tmp_path, first, second) as call:
        channel = call.server.sessions[0].request["agi_channel"]
    assert replies == {
        "CALLERID(num)": "200 result=1 (+79990001122)",
        "CALLERID(name)": "200 result=1 (Анна)",
        "EXTEN": "200 result=1 (1000)",
        "CONTEXT": "200 result=1 (from-citizens)",
        "PRIORITY": "200 result=1 (3)",
        "waiting": "200 result=1 (0)",
        "global": "200 result=1 (engine:4573)",
        "unset": "200 result=0",
        "no such function": "200 result=0",
        "full": "200 result=1 (+79990001122 -> 1000)",
        "full named": f"200 result=1 ({channel})",
        "full other": "200 result=0",
        "AGISTATUS": "200 result=1 (SUCCESS)",
    }


async def test_set_variable_writes_functions_and_inheritable_variables(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    replies: list[str] = []

    async def talk(s: Session) -> None:
        replies.append(await s.send('SET VARIABLE CALLERID(name) "Анна Петровна"'))
        replies.append(await s.send("GET VARIABLE CALLERID(name)"))
        replies.append(await s.send("SET VARIABLE __CC_TOPIC passport"))
        replies.append(await s.send("SET VARIABLE _CC_ONE once"))
        replies.append(await s.send("GET VARIABLE CC_TOPIC"))
        replies.append(await s.send("SET VARIABLE DB(cc/last) 42"))
        replies.append(await s.send("DATABASE GET cc last"))

    async with agi_call(make_emulator, tmp_path, talk, quiet) as call:
        assert ("CC_TOPIC", "passport") in varsets(call.emu)  # VarSet names it without the prefix
    assert replies == [
        "200 result=1",
        "200 result=1 (Анна Петровна)",
        "200 result=1",
        "200 result=1",
        "200 result=1 (passport)",
        "200 result=1",
        "200 result=1 (42)",
    ]
    # the marks Dial() reads to copy variables to the channel it creates
    assert call.channel.inheritable == {"CC_TOPIC": "__", "CC_ONE": "_"}


async def test_exec_runs_the_dialplan_application(
    make_emulator: MakeEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    replies: list[str] = []

    async def talk(s: Session) -> None:
        replies.append(await s.send('EXEC Set "CC_X=${CALLERID(num)}"'))
        replies.append(await s.send("GET VARIABLE CC_X"))
        replies.append(await s.send("SET VARIABLE AGIEXECFULL yes"))
        replies.append(await s.send('EXEC Set "CC_Y=${EXTEN}"'))
        replies.append(await s.send("GET VARIABLE CC_Y"))
        replies.append(await s.send("EXEC NoSuchApp whatever"))
        replies.append(await s.send("EXEC Goto elsewhere,s,lab"))

    with caplog.at_level(logging.ERROR):
        async with agi_call(make_emulator, tmp_path, talk) as call:
            data = newexten_data(call.emu)
    assert replies == [
        "200 result=0",
        "200 result=1 (${CALLERID(num)})",  # EXEC's options are not substituted by default
        "200 result=1",
        "200 result=0",
        "200 result=1 (1000)",
        "200 result=-2",
        "200 result=0",
    ]
    assert "CC_X=${CALLERID(num)}" in data  # the application ran: Newexten names it
    assert "NoSuchApp" in caplog.text
    # after AGI() the dialplan went on where Goto sent it; the next AGI never ran
    assert data[-2:] == ["at the label", ""]  # ([elsewhere] has no `h`)
    assert len(call.server.sessions) == 1


async def test_exec_hangup_ends_the_call_and_tells_the_script(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    replies: list[str] = []

    async def talk(s: Session) -> None:
        replies.append(await s.send("EXEC Hangup 17"))
        await s.until_hangup()
        replies.append(await s.send("ANSWER"))
        replies.append(await s.send("NOOP"))

    async with agi_call(make_emulator, tmp_path, talk) as call:
        hangup = next(dict(h) for e, h in call.emu.events() if e == "Hangup")
        sets = varsets(call.emu)
    assert replies == [
        "200 result=-1",
        "511 Command Not Permitted on a dead channel or intercept routine",
        "200 result=0",
    ]
    assert hangup["Cause"] == "17"
    assert ("AGISTATUS", "HANGUP") in sets


async def test_flow_commands_move_the_dialplan_on(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    replies: list[str] = []

    async def talk(s: Session) -> None:
        replies.append(await s.send("NOOP anything at all"))
        replies.append(await s.send("CHANNEL STATUS"))
        replies.append(await s.send("CHANNEL STATUS PJSIP/nobody-0001"))
        replies.append(await s.send("SET CONTEXT elsewhere"))
        replies.append(await s.send("SET EXTENSION s"))
        replies.append(await s.send("SET PRIORITY lab"))
        replies.append(await s.send("GET VARIABLE CONTEXT"))

    async with agi_call(make_emulator, tmp_path, talk) as call:
        data = newexten_data(call.emu)
    assert replies == [
        "200 result=0",
        "200 result=6",
        "200 result=-1",
        "200 result=0",
        "200 result=0",
        "200 result=0",
        "200 result=1 (elsewhere)",
    ]
    assert data[-2:] == ["at the label", ""]  # ([elsewhere] has no `h`)


async def test_set_priority_by_number_and_a_missing_label(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    replies: list[str] = []

    async def talk(s: Session) -> None:
        replies.append(await s.send("SET CONTEXT elsewhere"))
        replies.append(await s.send("SET EXTENSION 77"))
        replies.append(await s.send("SET PRIORITY nolabel"))
        replies.append(await s.send("SET PRIORITY 1"))

    async with agi_call(make_emulator, tmp_path, talk) as call:
        data = newexten_data(call.emu)
    assert replies[:2] == ["200 result=0", "200 result=0"]
    assert replies[2].startswith("520-Invalid command syntax.  Proper usage follows:\n")
    assert replies[2].endswith("\n520 End of proper usage.")
    assert replies[3] == "200 result=0"
    assert "moved to 77" in data


async def test_database_commands_keep_an_astdb(make_emulator: MakeEmulator, tmp_path: Path) -> None:
    replies: list[str] = []

    async def talk(s: Session) -> None:
        for line in (
            "DATABASE GET cc topic",
            'DATABASE PUT cc topic "паспорт РФ"',
            "DATABASE GET cc topic",
            "GET FULL VARIABLE ${DB(cc/topic)}",
            "DATABASE DEL cc topic",
            "DATABASE DEL cc topic",
            "DATABASE GET cc topic",
            "DATABASE PUT cc a 1",
            "DATABASE DELTREE cc",
            "DATABASE GET cc a",
            "DATABASE PUT cc",
        ):
            replies.append(await s.send(line))

    async with agi_call(make_emulator, tmp_path, talk, quiet):
        pass
    assert replies[:10] == [
        "200 result=0",
        "200 result=1",
        "200 result=1 (паспорт РФ)",
        "200 result=1 (паспорт РФ)",
        "200 result=1",
        "200 result=0",
        "200 result=0",
        "200 result=1",
        "200 result=0",  # DELTREE answers 0 when it deleted something, as res_agi does
        "200 result=0",
    ]
    assert replies[10].startswith("520-")


async def test_unknown_commands_and_syntax_errors_answer_as_asterisk(
    make_emulator: MakeEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    replies: list[str] = []

    async def talk(s: Session) -> None:
        for line in ("FOO BAR", "", "GET VARIABLE", "SAY NUMBER twelve 1", "SAY ALPHA abc 1"):
            replies.append(await s.send(line))

    with caplog.at_level(logging.ERROR):
        async with agi_call(make_emulator, tmp_path, talk, quiet):
            pass
    assert replies[0] == replies[1] == "510 Invalid or unknown command"
    for usage in replies[2:4]:
        first, *middle, last = usage.split("\n")
        assert first == "520-Invalid command syntax.  Proper usage follows:"
        assert middle
        assert last == "520 End of proper usage."
    assert replies[4] == "510 Invalid or unknown command"
    assert "SAY ALPHA abc 1" in caplog.text  # Asterisk has it, the emulator does not: loud


async def test_command_words_quotes_and_escapes_are_parsed_as_res_agi_does(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    replies: list[str] = []

    async def talk(s: Session) -> None:
        replies.append(await s.send('set   variable\tCC_A "two  words"'))
        replies.append(await s.send("GET VARIABLE CC_A"))
        replies.append(await s.send('SET VARIABLE CC_B it\\"s'))
        replies.append(await s.send("GET VARIABLE CC_B"))
        replies.append(await s.send("SET VARIABLE CC_C it's"))  # a single quote is a character
        replies.append(await s.send("GET VARIABLE CC_C"))
        replies.append(await s.send('SET VARIABLE CC_D ""'))
        replies.append(await s.send("GET VARIABLE CC_D"))
        replies.append(await s.send("SET VARIABLE CC_E two words"))

    async with agi_call(make_emulator, tmp_path, talk, quiet):
        pass
    assert replies[:8] == [
        "200 result=1",
        "200 result=1 (two  words)",
        "200 result=1",
        '200 result=1 (it"s)',
        "200 result=1",
        "200 result=1 (it's)",
        "200 result=1",
        "200 result=1 ()",
    ]
    assert replies[8].startswith("520-")


async def test_command_lines_split_at_every_byte_offset_get_the_same_replies(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    """A transcript replayed in two writes, cut at each byte (inside Cyrillic characters too)."""
    transcript = 'SET VARIABLE CC_NAME "Анна Ивановна"\nGET VARIABLE CC_NAME\nNOOP\n'.encode()
    expected = ["200 result=1", "200 result=1 (Анна Ивановна)", "200 result=0"]
    rounds: list[list[str]] = []

    async def talk(s: Session) -> None:
        for cut in range(1, len(transcript)):
            s.writer.write(transcript[:cut])
            await s.writer.drain()
            await asyncio.sleep(0.001)
            s.writer.write(transcript[cut:])
            await s.writer.drain()
            lines = [await asyncio.wait_for(s.reader.readline(), 5) for _ in expected]
            rounds.append([line.decode().removesuffix("\n") for line in lines])

    async with agi_call(make_emulator, tmp_path, talk, quiet):
        pass
    assert len(rounds) == len(transcript) - 1
    assert all(r == expected for r in rounds)
