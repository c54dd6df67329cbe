"""`callcenter emulate --config FILE`: the TOML file's settings, flags over the file, and errors
that name the bad key (no sockets: the emulator is only built)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from callcenter.commands import emulate
from callcenter.commands.emulate_config import ConfigError, resolve

CONFIG = """
seed = 7
speed = 25.0
timezone = "Europe/Moscow"
sounds_dir = "sounds"

[network]
bind = "127.0.0.2"
ami_port = 0
control_port = 0

[asterisk]
queues_conf = "conf/queues.conf"

[operators]
count = 2
members = true
handle_s = [30, 40]
answer_p = 0.5
break_every = 4

[callers]
rate = 90
"""


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    emulate.add_arguments(parser)
    return parser.parse_args(list(argv))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "emulator.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_sets_what_no_flag_sets(tmp_path: Path) -> None:
    path = _write(tmp_path, CONFIG)
    args = resolve(_args("--config", str(path), "--seed", "11", "--bind", "127.0.0.1"))
    assert (args.seed, args.bind, args.speed) == (11, "127.0.0.1", 25.0)  # flags win
    assert (args.ami_port, args.control_port, args.timezone) == (0, 0, "Europe/Moscow")
    assert args.sounds_dir == tmp_path / "sounds"  # relative to the file
    assert args.queues_conf == tmp_path / "conf" / "queues.conf"
    assert (args.operators, args.members, args.handle_s, args.answer_p) == (
        2,
        True,
        (30.0, 40.0),
        0.5,
    )
    assert (args.break_every, args.break_s, args.hold_s) == (4, 0.0, 0.0)
    assert (args.rate, args.duration, args.agi) == (90.0, 8 * 3600.0, "127.0.0.1:4573")
    assert resolve(args) == args


def test_the_built_emulator_takes_the_file_settings(tmp_path: Path) -> None:
    path = _write(tmp_path, CONFIG.replace('queues_conf = "conf/queues.conf"', ""))
    emu = emulate.build(_args("--config", str(path)))
    assert (emu.config.ami_host, emu.config.ami_port, emu.config.seed) == ("127.0.0.2", 0, 7)
    assert (emu.config.timezone, emu.config.sounds_dir) == ("Europe/Moscow", tmp_path / "sounds")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sed = 1\n", "unknown key 'sed'"),
        ("[network]\nami_prot = 1\n", "unknown key 'network.ami_prot'"),
        ("[callers]\nrate = 'many'\n", "callers.rate: must be a number"),
        ("[operators]\nhandle_s = [9, 3]\n", "operators.handle_s: low must not exceed high"),
        ("[network]\nami_port = 50.5\n", "network.ami_port: must be a whole number"),
        ("[operators]\nmembers = 'yes'\n", "operators.members: must be true or false"),
        ("[callers]\nprofile = [1, 2]\n", "callers.profile: must be 24 hourly rates"),
        ("seed = \n", "not valid TOML"),
    ],
)
def test_a_bad_key_or_value_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        resolve(_args("--config", str(path)))


def test_the_command_reports_a_bad_file_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "[network]\nport = 1\n")
    assert emulate.run(_args("--config", str(path))) == 2
    assert "unknown key 'network.port'" in capsys.readouterr().err
    assert emulate.run(_args("--config", str(tmp_path / "missing.toml"))) == 2
    assert "cannot read" in capsys.readouterr().err
