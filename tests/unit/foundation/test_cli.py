import subprocess
import sys

import pytest

from callcenter.cli import SUBCOMMANDS, build_parser


def test_all_subcommands_of_the_design_are_registered() -> None:
    assert {"demo", "serve", "emulate", "simulate", "migrate"} <= set(SUBCOMMANDS)


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_each_subcommand_parses_its_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser([name, "--help"]).parse_args([name, "--help"])
    assert exit_info.value.code == 0
    assert "usage: callcenter " + name in capsys.readouterr().out


def test_python_dash_m_runs_the_console_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "callcenter", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for name in SUBCOMMANDS:
        assert name in done.stdout
