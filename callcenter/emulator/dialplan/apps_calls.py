"""Applications that reach out: AGI (the engine over FastAGI), Queue (the app_queue model) and
Dial (operators, partner trunks, the citizens' trunk; see `callcenter.emulator.dial`)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from callcenter.emulator.agi_client import AgiSession
from callcenter.emulator.dialplan.state import (
    App,
    ChannelHangup,
    DialplanFailure,
    Run,
    Target,
    parse_target,
    split_args,
)

if TYPE_CHECKING:
    from callcenter.emulator.dialplan.interpreter import Interpreter

log = logging.getLogger(__name__)


async def agi(ip: Interpreter, run: Run, data: str) -> Target | None:
    url, *args = split_args(data)
    url = url.strip()
    if urlsplit(url).scheme != "agi":
        raise DialplanFailure(f"AGI({url}): only agi:// (FastAGI) is emulated")
    status = "FAILURE"
    if ip.agi is not None:  # the configured engine stands for whatever host the URL names
        session = AgiSession(ip=ip, run=run)
        task = asyncio.ensure_future(session.run(ip.agi, url, args))
        try:
            # Shielded: a hang-up or Redirect interrupts the dialplan, the session goes on.
            status = await asyncio.shield(task)
        except asyncio.CancelledError:
            if run.ch.interrupt == "hangup":
                await _after_hangup(ip, run, session, task)
            elif run.ch.interrupt != "redirect":
                task.cancel()  # the emulator is stopping
            raise
    ip.set_variable(run.ch, "AGISTATUS", status)
    if status == "HANGUP":
        raise ChannelHangup()
    return None


async def _after_hangup(
    ip: Interpreter, run: Run, session: AgiSession, task: asyncio.Future[str]
) -> None:
    """As in Asterisk, a hang-up does not end AGI(): the script is told (HANGUP) and may go on
    in dead mode; once it closes, AGISTATUS=HANGUP is set and the `h` extension can read it."""
    session.channel_hung_up()
    try:
        status = await asyncio.shield(task)
    except asyncio.CancelledError:
        task.cancel()
        raise
    ip.set_variable(run.ch, "AGISTATUS", status)


async def queue(ip: Interpreter, run: Run, data: str) -> Target | None:
    args = [*split_args(data), *[""] * 10]
    name, options, timeout, position = args[0].strip(), args[1], args[4].strip(), args[9]
    try:
        seconds = float(timeout) if timeout else 0.0
        place = int(position) if position.strip() else 0
    except ValueError:
        raise DialplanFailure(f"Queue({data}): bad timeout or position") from None
    status = await ip.queues.run(run.ch, name, seconds, options, position=place)
    if not ip.alive(run.ch):
        raise ChannelHangup()  # answered without option c: the caller left with the operator
    if status:  # after an answered call Asterisk leaves QUEUESTATUS as it was
        ip.set_variable(run.ch, "QUEUESTATUS", status)
    return None


async def dial(ip: Interpreter, run: Run, data: str) -> Target | None:
    args = [*split_args(data), "", ""]
    targets, timeout, options = args[0].strip(), args[1].strip(), dial_options(args[2])
    if "&" in targets:
        raise DialplanFailure(f"Dial({targets}): several destinations are not emulated")
    try:
        seconds = float(timeout) if timeout else None
    except ValueError:
        raise DialplanFailure(f"Dial({data}): bad timeout {timeout!r}") from None
    if ip.dialer is None:
        raise DialplanFailure("Dial() needs the emulator's dialer")
    predial = None
    if "b" in options:
        where, _, rest = options["b"].replace("^", ",").partition("(")
        predial = (parse_target(where), split_args(rest[:-1]) if rest.endswith(")") else [])
    status = await ip.dialer.dial(run.ch, targets, seconds, predial=predial, go_on="g" in options)
    truth = ip.truth.get(run.ch.uniqueid)
    if truth is not None and truth.direction == "outbound":  # a callback reaching the citizen
        ip.truth.update(
            run.ch.uniqueid, outcome="answered" if status == "ANSWER" else status.lower()
        )
    if not ip.alive(run.ch):
        raise ChannelHangup()
    ip.set_variable(run.ch, "DIALSTATUS", status)
    return None


def dial_options(text: str) -> dict[str, str]:
    """`b(ctx^s^1(a^b))gT` -> {"b": "ctx^s^1(a^b)", "g": "", "T": ""}."""
    options: dict[str, str] = {}
    i = 0
    while i < len(text):
        letter = text[i]
        i += 1
        value = ""
        if i < len(text) and text[i] == "(":
            depth, start = 0, i
            while i < len(text):
                depth += (text[i] == "(") - (text[i] == ")")
                i += 1
                if depth == 0:
                    break
            value = text[start + 1 : i - 1]
        if not letter.isspace():
            options[letter] = value
    unknown = set(options) - {"b", "g", "t", "T", "r", "k", "K", "h", "H"}
    if unknown:
        log.warning("Dial options %s are ignored by the emulator", "".join(sorted(unknown)))
    return options


APPS = (App("AGI", agi), App("Queue", queue), App("Dial", dial))
