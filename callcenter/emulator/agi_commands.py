"""AGI commands on variables, the AstDB, the channel and its dialplan location, and EXEC.

Each command answers as res_agi's handler does (see ../shared/asterisk/agi_spec.json): the reply
line, and for the AMI mirror whether it succeeded. `Usage` is res_agi's RESULT_SHOWUSAGE (a 520
reply). Variables and functions go through the dialplan interpreter, so a script reads and
writes exactly what the dialplan would. EXEC is in `agi_exec`, the media commands in `agi_media`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callcenter.emulator.dialplan.state import DialplanFailure
from callcenter.emulator.dialplan.substitution import substitute
from callcenter.emulator.model import UP, Channel

if TYPE_CHECKING:
    from callcenter.emulator.agi_client import AgiSession

log = logging.getLogger(__name__)


class Usage(Exception):
    """Wrong arguments: the command answers 520 with its usage."""


@dataclass(frozen=True)
class Reply:
    line: str  # without the newline
    outcome: str = "Success"  # AGIExecEnd Result: Success, Failure or Unknown Result


Handler = Callable[["AgiSession", list[str]], Awaitable[Reply]]


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]  # lower case, e.g. ("get", "full", "variable")
    run: Handler
    dead: bool  # allowed on a dead channel
    usage: str  # what a 520 reply shows (res_agi's text is the command's description)


def number(text: str) -> int:
    """sscanf("%d"): a leading integer, else the command's usage."""
    digits = text.strip()
    sign = digits[:1] if digits[:1] in "+-" else ""
    body = digits[len(sign) :]
    end = len(body) - len(body.lstrip("0123456789"))
    if end == 0:
        raise Usage()
    return int(sign + body[:end])


def atoi(text: str) -> int:
    """C atoi: a leading integer, 0 when there is none."""
    try:
        return number(text)
    except Usage:
        return 0


def _value(value: str | None) -> Reply:
    return Reply("200 result=0" if value is None else f"200 result=1 ({value})")


# variables --------------------------------------------------------------------------------------


async def get_variable(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) != 3:
        raise Usage()
    name = argv[2]
    if not name.endswith(")"):
        return _value(s.ip.functions.find(s.ch, name))
    try:
        return _value(s.ip.functions.read(s.ch, name))
    except DialplanFailure as exc:  # Asterisk: "Function X not registered", result=0
        log.error("AGI GET VARIABLE %s on %s: %s", name, s.ch.name, exc)
        return _value(None)


async def get_full_variable(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) not in (4, 5):
        raise Usage()
    ch: Channel | None = s.ch
    if len(argv) == 5:
        ch = s.ip.pbx.by_name(argv[4])
    if ch is None:
        return _value(None)
    return _value(evaluate(s, ch, argv[3]))


def evaluate(s: AgiSession, ch: Channel, text: str) -> str:
    """`${...}` substituted as the dialplan does; what cannot be read is logged and empty."""

    def lookup(expr: str) -> str:
        try:
            return s.ip.functions.read(ch, expr)
        except DialplanFailure as exc:
            log.error("AGI: ${%s} on %s: %s", expr, ch.name, exc)
            return ""

    try:
        return substitute(text, lookup)
    except ValueError as exc:
        log.error("AGI: cannot substitute %r on %s: %s", text, ch.name, exc)
        return ""


async def set_variable(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) != 4:
        raise Usage()
    try:
        s.ip.set_variable(s.ch, argv[2], argv[3])  # functions and _/__ inheritance included
    except DialplanFailure as exc:
        log.error("AGI SET VARIABLE %s on %s: %s", argv[2], s.ch.name, exc)
    return Reply("200 result=1")


# AstDB ------------------------------------------------------------------------------------------


async def database_get(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) != 4:
        raise Usage()
    return _value(s.ip.functions.astdb.get(f"/{argv[2]}/{argv[3]}"))


async def database_put(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) != 5:
        raise Usage()
    s.ip.functions.astdb[f"/{argv[2]}/{argv[3]}"] = argv[4]
    return Reply("200 result=1")


async def database_del(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) != 4:
        raise Usage()
    found = s.ip.functions.astdb.pop(f"/{argv[2]}/{argv[3]}", None) is not None
    return Reply(f"200 result={int(found)}")


async def database_deltree(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) not in (3, 4):
        raise Usage()
    prefix = "/" + "/".join(argv[2:])
    db = s.ip.functions.astdb
    gone = [k for k in db if k == prefix or k.startswith(prefix + "/")]
    for key in gone:
        del db[key]
    return Reply(f"200 result={0 if gone else 1}")  # inverted, as res_agi answers


# the channel ------------------------------------------------------------------------------------


async def noop(s: AgiSession, argv: list[str]) -> Reply:
    return Reply("200 result=0")


async def verbose(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) < 2:
        raise Usage()
    log.info("%s: %s", s.ch.app_data, argv[1])
    return Reply("200 result=1")


async def answer(s: AgiSession, argv: list[str]) -> Reply:
    if s.ch.state != UP:
        s.ip.pbx.set_state(s.ch, UP)
    return Reply("200 result=0")


async def hangup(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) > 2:
        raise Usage()
    ch = s.ch if len(argv) == 1 else s.ip.pbx.by_name(argv[1])
    if ch is None:
        return Reply("200 result=-1")
    s.ip.pbx.request_hangup(ch)
    return Reply("200 result=1")


async def channel_status(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) > 3:
        raise Usage()
    ch = s.ch if len(argv) == 2 else s.ip.pbx.by_name(argv[2])
    return Reply(f"200 result={-1 if ch is None else ch.state}")


async def set_context(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) != 3:
        raise Usage()
    s.ch.context = argv[2]  # unchecked, as in Asterisk; the dialplan goes on there after AGI()
    return Reply("200 result=0")


async def set_extension(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) != 3:
        raise Usage()
    s.ch.exten = argv[2]
    return Reply("200 result=0")


async def set_priority(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) != 3:
        raise Usage()
    try:
        priority = number(argv[2])
    except Usage:
        ext = s.ip.plan.find(s.ch.context, s.ch.exten)
        if ext is None or argv[2] not in ext.labels:
            raise
        priority = ext.labels[argv[2]]
    # ast_explicit_goto on a channel in the pbx loop: one less, the loop adds it back
    s.ch.priority = priority - 1
    return Reply("200 result=0")


async def asyncagi_break(s: AgiSession, argv: list[str]) -> Reply:
    return Reply("200 result=0")  # meaningful for async AGI only


def ast_true_var(s: AgiSession, name: str) -> bool:
    return s.variable(name).strip().lower() in ("yes", "true", "y", "t", "1", "on")


def _c(words: str, run: Handler, usage: str, *, dead: bool = False) -> Command:
    return Command(tuple(words.split()), run, dead, usage)


COMMANDS = (
    _c("answer", answer, "Answers channel if not already in answer state."),
    _c("asyncagi break", asyncagi_break, "Interrupts Async AGI.", dead=True),
    _c("channel status", channel_status, "Returns the status of the specified channelname."),
    _c("database del", database_del, "Deletes an entry in the Asterisk database.", dead=True),
    _c("database deltree", database_deltree, "Deletes a family or keytree.", dead=True),
    _c("database get", database_get, "Retrieves an entry in the Asterisk database.", dead=True),
    _c("database put", database_put, "Adds or updates an entry in the database.", dead=True),
    _c("get full variable", get_full_variable, "Evaluates the given expression.", dead=True),
    _c("get variable", get_variable, "Returns 0 if variablename is not set.", dead=True),
    _c("hangup", hangup, "Hangs up the specified channel."),
    _c("noop", noop, "Does nothing.", dead=True),
    _c("set context", set_context, "Sets the context for continuation upon exiting the app."),
    _c("set extension", set_extension, "Changes the extension for continuation."),
    _c("set priority", set_priority, "Changes the priority for continuation."),
    _c("set variable", set_variable, "Sets a variable to the current channel.", dead=True),
    _c("verbose", verbose, "Sends message to the console via verbose message system.", dead=True),
)
