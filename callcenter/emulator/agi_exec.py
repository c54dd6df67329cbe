"""AGI EXEC: runs a dialplan application of the interpreter on the channel, as pbx_exec does
from inside res_agi; an application the emulator lacks answers -2 and is logged as an error."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from callcenter.emulator.agi_commands import Command, Reply, Usage, ast_true_var, evaluate
from callcenter.emulator.dialplan.state import ChannelHangup, DialplanFailure

if TYPE_CHECKING:
    from callcenter.emulator.agi_client import AgiSession

log = logging.getLogger(__name__)


async def exec_(s: AgiSession, argv: list[str]) -> Reply:
    if len(argv) < 2:
        raise Usage()
    name, data = argv[1], argv[2] if len(argv) > 2 else ""
    if ast_true_var(s, "AGIEXECFULL"):
        data = evaluate(s, s.ch, data)
    app = s.ip.application(name)
    if app is None:
        log.error(
            "AGI EXEC: could not find application %s (not in Asterisk or not emulated) on %s",
            name,
            s.ch.name,
        )
        return Reply("200 result=-2", "Unknown Result")
    code = await _run_app(s, app.name, data)
    return Reply(f"200 result={code}", "Success" if code == 0 else "Unknown Result")


async def _run_app(s: AgiSession, name: str, data: str) -> int:
    """pbx_exec from inside AGI: the application runs on the channel and its location changes
    (Goto) take effect when AGI() returns. 0, or -1 when it hung up or failed."""
    ch, ip = s.ch, s.ip
    saved = ch.application, ch.app_data
    ip.pbx.newexten(ch, name, data)
    app = ip.application(name)
    assert app is not None
    task = asyncio.ensure_future(app.run(ip, s.run_state, data))
    hung_up = asyncio.ensure_future(s.hungup.wait())
    try:
        await asyncio.wait({task, hung_up}, return_when="FIRST_COMPLETED")
        if not task.done():  # the caller hung up: the application stops, as it would
            task.cancel()
            await asyncio.wait({task})
            with contextlib.suppress(BaseException):
                task.result()  # whatever it ended with, the answer is -1
            return -1
        jump = task.result()
    except ChannelHangup as stop:
        ch.hangup_cause = ch.hangup_cause or stop.cause
        ip.pbx.request_hangup(ch)
        return -1
    except DialplanFailure as exc:
        log.error("AGI EXEC %s(%s) on %s: %s", name, data, ch.name, exc)
        return -1
    finally:
        hung_up.cancel()
        task.cancel()
        ch.application, ch.app_data = saved
    if jump is not None:
        try:
            context, exten, priority = ip.resolve(ch, jump)
        except DialplanFailure as exc:
            log.error("AGI EXEC %s(%s) on %s: %s", name, data, ch.name, exc)
            return -1
        ip.pbx.goto(ch, context, exten, priority - 1)
    return 0


COMMANDS = (Command(("exec",), exec_, True, "Executes application with given options."),)
