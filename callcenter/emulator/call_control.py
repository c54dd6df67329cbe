"""What people do from outside the dialplan: an operator's phone puts the call on hold or
drops off the network (unregisters), a citizen or an operator hangs up. Used by the control API
and by tests."""

from __future__ import annotations

from callcenter.emulator.members import NOT_INUSE, UNAVAILABLE, Devices
from callcenter.emulator.model import Channel, Pbx


class CallControlError(LookupError):
    """The call is not there, or not in a state that allows the request."""


def _channel(pbx: Pbx, uniqueid: str) -> Channel:
    ch = pbx.channels.get(uniqueid)
    if ch is None:
        raise CallControlError(f"no live channel {uniqueid}")
    return ch


def hold(pbx: Pbx, uniqueid: str, *, on: bool = True, music_class: str = "default") -> str:
    """The phone bridged with channel `uniqueid` (the operator's, for a citizen's call) presses
    hold or resumes: Hold/Unhold on that phone's channel, music on hold to `uniqueid`, as a
    bridge does when one side holds. Returns the holding channel's Uniqueid."""
    ch = _channel(pbx, uniqueid)
    bridge = pbx.bridge_of(ch)
    holder = next((c for c in bridge.members if c is not ch), None) if bridge else None
    if holder is None:
        raise CallControlError(f"{uniqueid} is not bridged with anyone")
    if on:
        pbx.hold(holder)
        pbx.moh_start(ch, music_class)
    else:
        pbx.unhold(holder)
        pbx.moh_stop(ch)
    return holder.uniqueid


def hang_up(pbx: Pbx, uniqueid: str) -> None:
    """The person on channel `uniqueid` hangs up their phone (a BYE: HangupRequest)."""
    pbx.request_hangup(_channel(pbx, uniqueid), remote=True)


def register(devices: Devices, interface: str, *, on: bool = True) -> None:
    """The softphone behind `interface` registers (reachable, not in use) or unregisters
    (unreachable: queues skip it, Dial and Originate find it CHANUNAVAIL); its queue
    memberships stay, with QueueMemberStatus telling the change, as on Asterisk."""
    if on:
        devices.known.add(interface)
        devices.change(interface, NOT_INUSE)
    else:
        devices.known.discard(interface)
        devices.change(interface, UNAVAILABLE)
