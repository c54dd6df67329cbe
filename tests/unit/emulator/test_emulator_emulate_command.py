"""`callcenter emulate` argument handling (no sockets: the emulator is only built)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from callcenter.clock import ScaledClock, SystemClock
from callcenter.commands import emulate, emulate_config
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
    assert emulate_config.resolve(args).control_port == 8088


def test_speed_and_agi_address_are_applied() -> None:
    emu = emulate.build(_parse("--agi", "10.0.0.5:4600", "--speed", "30", "--ami-port", "0"))
    assert (emu.config.agi_host, emu.config.agi_port, emu.config.ami_port) == ("10.0.0.5", 4600, 0)
    assert isinstance(emu.clock, ScaledClock)
    assert emu.clock.speed == 30


def test_trace_profile_and_queue_log_options(tmp_path: Path) -> None:
    args = _parse(
        "--trace", str(tmp_path / "t.csv"), "--work-dir", str(tmp_path), "--ami-port", "0"
    )
    emu = emulate.build(args)
    assert args.trace == tmp_path / "t.csv"
    assert emu.queue_log.path == tmp_path / "queue_log"
    profile = ",".join(["0"] * 9 + ["120"] + ["10"] * 14)
    assert _parse("--profile", profile).profile[9] == 120


def test_a_profile_needs_24_rates() -> None:
    with pytest.raises(SystemExit):
        _parse("--profile", "1,2,3")


def test_an_unreadable_trace_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = tmp_path / "t.csv"
    trace.write_text("0,60,abc\n", encoding="utf-8")
    assert emulate.run(_parse("--trace", str(trace), "--work-dir", str(tmp_path))) == 2
    assert "t.csv:1: patience must be a number" in capsys.readouterr().err


def test_the_shipped_dialplan_by_default_and_another_on_request(tmp_path: Path) -> None:
    assert emulate.build(_parse()).plan.plan.contexts.keys() >= {"from-citizens", "cc-act"}
    own = tmp_path / "extensions.conf"
    own.write_text("[general]\n[globals]\n[from-citizens]\nexten => _X.,1,Hangup()\n")
    emu = emulate.build(_parse("--dialplan", str(own)))
    assert set(emu.plan.plan.contexts) == {"from-citizens"}
    own.write_text("[from-citizens]\nexten => _X.,1\n")
    with pytest.raises(DialplanError, match=r"extensions\.conf:2"):
        emulate.build(_parse("--dialplan", str(own)))
