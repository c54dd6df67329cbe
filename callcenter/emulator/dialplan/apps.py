"""Dialplan applications: flow control and variables here; media in `apps_media`, calls
(AGI, Queue, Dial) in `apps_calls`. `APPS` maps the lower-cased name to the application."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from callcenter.emulator.dialplan import apps_calls, apps_media, timespec
from callcenter.emulator.dialplan.state import (
    App,
    ChannelHangup,
    DialplanFailure,
    Frame,
    Run,
    SubroutineDone,
    Target,
    is_true,
    parse_target,
    split_args,
    split_outside_parens,
)
from callcenter.emulator.model import UP

if TYPE_CHECKING:
    from callcenter.emulator.dialplan.interpreter import Interpreter

log = logging.getLogger(__name__)


async def noop(ip: Interpreter, run: Run, data: str) -> Target | None:
    return None


async def verbose(ip: Interpreter, run: Run, data: str) -> Target | None:
    level, message = split_outside_parens(data, ",")
    log.info("%s: %s", run.ch.name, message if message is not None else level)
    return None


async def answer(ip: Interpreter, run: Run, data: str) -> Target | None:
    if run.ch.state != UP:
        ip.pbx.set_state(run.ch, UP)
    return None


async def hangup(ip: Interpreter, run: Run, data: str) -> Target | None:
    cause = data.strip()
    raise ChannelHangup(int(cause) if cause.isdigit() else 16)


async def set_(ip: Interpreter, run: Run, data: str) -> Target | None:
    name, sep, value = data.partition("=")
    if not sep or not name.strip():
        raise DialplanFailure(f"Set({data}): expected name=value")
    ip.set_variable(run.ch, name, value)
    return None


async def goto(ip: Interpreter, run: Run, data: str) -> Target | None:
    return parse_target(data)


async def goto_if(ip: Interpreter, run: Run, data: str) -> Target | None:
    condition, branches = split_outside_parens(data, "?")
    yes, _, no = (branches or "").partition(":")
    chosen = yes if is_true(condition) else no
    return parse_target(chosen) if chosen.strip() else None


async def goto_if_time(ip: Interpreter, run: Run, data: str) -> Target | None:
    spec, branches = split_outside_parens(data, "?")
    yes, _, no = (branches or "").partition(":")
    fields = split_args(spec)
    zone = ZoneInfo(fields[4].strip() if len(fields) > 4 and fields[4].strip() else ip.timezone)
    now = datetime.fromtimestamp(ip.pbx.clock.now(), zone)
    try:
        chosen = yes if timespec.matches(fields[:4], now) else no
    except ValueError as exc:
        raise DialplanFailure(str(exc)) from None
    return parse_target(chosen) if chosen.strip() else None


async def exec_if(ip: Interpreter, run: Run, data: str) -> Target | None:
    condition, branches = split_outside_parens(data, "?")
    yes, no = split_outside_parens(branches or "", ":")
    chosen = yes if is_true(condition) else (no or "")
    if not chosen.strip():
        return None
    name, _, rest = chosen.strip().partition("(")
    app = APPS.get(name.strip().lower())
    if app is None:
        raise DialplanFailure(f"application {name.strip()}() is not implemented by the emulator")
    return await app.run(ip, run, rest[:-1] if rest.endswith(")") else rest)


async def gosub(ip: Interpreter, run: Run, data: str) -> Target | None:
    where, sep, rest = data.partition("(")
    args = split_args(rest[:-1]) if sep and rest.endswith(")") else []
    ch = run.ch
    run.stack.append(Frame(ch.context, ch.exten, ch.priority + 1, {}))
    ip.set_args(run, args)
    return parse_target(where)


async def return_(ip: Interpreter, run: Run, data: str) -> Target | None:
    if not run.stack:
        raise DialplanFailure("Return() without Gosub()")
    frame = run.stack.pop()
    for key, old in frame.saved.items():
        if old is None:
            run.ch.variables.pop(key, None)
        else:
            run.ch.variables[key] = old
    ip.set_variable(run.ch, "GOSUB_RETVAL", data)
    if frame.stop:
        raise SubroutineDone()
    return Target(frame.context, frame.exten, str(frame.priority))


async def user_event(ip: Interpreter, run: Run, data: str) -> Target | None:
    name, *pairs = split_args(data)
    headers = [(k.strip(), v.strip()) for k, _, v in (p.partition(":") for p in pairs) if k]
    body = [*run.ch.snapshot(), ("UserEvent", name.strip()), *headers]
    ip.pbx.publish("UserEvent", "user,all", body)
    return None


APPS: dict[str, App] = {
    app.name.lower(): app
    for app in (
        App("NoOp", noop),
        App("Verbose", verbose),
        App("Answer", answer),
        App("Hangup", hangup),
        App("Set", set_),
        App("Goto", goto),
        App("GotoIf", goto_if),
        App("GotoIfTime", goto_if_time),
        App("ExecIf", exec_if),
        App("Gosub", gosub),
        App("Return", return_),
        App("UserEvent", user_event),
        *apps_media.APPS,
        *apps_calls.APPS,
    )
}
