"""The IVR runner's port (`callcenter.ivr.channel.IvrChannel`) over a FastAGI session."""

from __future__ import annotations

import logging

from callcenter.ivr.channel import ChannelHungUp as IvrHungUp
from callcenter.ivr.channel import Recording
from callcenter.pbx.agi import AgiChannel, AgiCommandFailed, AgiError
from callcenter.pbx.agi import ChannelHungUp as AgiHungUp

log = logging.getLogger(__name__)

_FROM_REQUEST = {
    "CALLERID(num)": lambda ch: ch.request.callerid,
    "CALLERID(name)": lambda ch: ch.request.calleridname,
}


class AgiIvrChannel:
    def __init__(self, channel: AgiChannel) -> None:
        self._channel = channel

    async def stream_file(self, name: str, escape_digits: str = "") -> str:
        try:
            return await self._channel.stream_file(name, escape_digits)
        except AgiHungUp as exc:
            raise IvrHungUp(str(exc)) from exc

    async def get_data(self, prompt: str, timeout_ms: int, max_digits: int) -> str:
        try:
            return await self._channel.get_data(prompt, timeout_ms, max_digits)
        except AgiHungUp as exc:
            raise IvrHungUp(str(exc)) from exc

    async def record_file(
        self, name: str, fmt: str, escape_digits: str, timeout_ms: int, silence_s: int
    ) -> Recording:
        try:
            path, digit = await self._channel.record_file(
                name, fmt, escape_digits, timeout_ms, silence_s
            )
        except AgiHungUp as exc:
            raise IvrHungUp(str(exc)) from exc
        except AgiCommandFailed as exc:  # e.g. a full disk: the caller answers by keys instead
            log.warning("RECORD FILE %s failed: %s", name, exc)
            return Recording("")
        return Recording(path, digit)

    async def set_variable(self, name: str, value: str) -> None:
        try:
            await self._channel.set_variable(name, value)
        except AgiError as exc:
            raise IvrHungUp(str(exc)) from exc

    async def get_variable(self, name: str) -> str | None:
        try:
            value = await self._channel.get_variable(name)
        except AgiError as exc:
            raise IvrHungUp(str(exc)) from exc
        if value is None and name in _FROM_REQUEST:
            # Asterisk sent the caller id in the session's environment already.
            return _FROM_REQUEST[name](self._channel) or None
        return value
