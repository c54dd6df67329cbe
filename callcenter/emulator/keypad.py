"""A caller pressing keys: each digit raises DTMFBegin, lasts DTMF_MS, then DTMFEnd, as Asterisk
reports digits received from a phone (Direction Received).

The dialplan's Background, WaitExten and Read call `press`; the FastAGI client is to call it too
for the digits a caller enters during STREAM FILE, GET DATA and WAIT FOR DIGIT.
"""

from __future__ import annotations

from callcenter.emulator.model import DTMF_MS, Channel, Pbx

BETWEEN_S = 0.15  # pause between two keypresses of one entry


async def press(pbx: Pbx, ch: Channel, digits: str) -> None:
    """The caller presses `digits` one after another on channel `ch` (in the clock's time)."""
    for n, digit in enumerate(digits):
        if ch.uniqueid not in pbx.channels:
            return
        if n:
            await pbx.clock.sleep(BETWEEN_S)
        pbx.dtmf(ch, digit, begin=True)
        await pbx.clock.sleep(DTMF_MS / 1000)
        pbx.dtmf(ch, digit, begin=False)
