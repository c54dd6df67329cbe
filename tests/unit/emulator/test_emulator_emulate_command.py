"""`callcenter emulate` argument handling (no sockets: the emulator is only built)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from callcenter.clock import ScaledClock, SystemClock
from callcenter.commands import emulate
from callcenter.emulator.dialplan.parser import DialplanError


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    emulate.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults_match_asterisk_ports_and_real_time() -> None:
    args = _parse()
    emu = emulate.build(args)
    assert (emu.config.ami_port, emu.config.agi_host, emu.config.agi_port) == (
        5038,
        "127.0.0.1",
        4573,
    )
    assert isinstance(emu.clock, SystemClock)
    assert args.control_port == 8088


def test_speed_and_agi_address_are_applied() -> None:
    emu = emulate.build(_parse("--agi", "10.0.0.5:4600", "--speed", "30", "--ami-port", "0"))
    assert (emu.config.agi_host, emu.config.agi_port, emu.config.ami_port) == ("10.0.0.5", 4600, 0)
    assert isinstance(emu.clock, ScaledClock)
    assert emu.clock.speed == 30


def test_the_shipped_dialplan_by_default_and_another_on_request(tmp_path: Path) -> None:
    assert emulate.build(_parse()).plan.plan.contexts.keys() >= {"from-citizens", "cc-act"}
    own = tmp_path / "extensions.conf"
    own.write_text("[general]\n[globals]\n[from-citizens]\nexten => _X.,1,Hangup()\n")
    emu = emulate.build(_parse("--dialplan", str(own)))
    assert set(emu.plan.plan.contexts) == {"from-citizens"}
    own.write_text("[from-citizens]\nexten => _X.,1\n")
    with pytest.raises(DialplanError, match=r"extensions\.conf:2"):
        emulate.build(_parse("--dialplan", str(own)))
