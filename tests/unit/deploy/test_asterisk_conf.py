"""The Asterisk configuration we ship: linted by asterisklint, consistent with the engine."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from callcenter.emulator.conf import ConfError, manager_users, read_conf
from callcenter.runtime import dialplan

CONF = Path(__file__).resolve().parents[3] / "asterisk_conf"


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("asterisklint") or str(Path(sys.executable).with_name("asterisklint"))
    return subprocess.run(
        [tool, "dialplan-check", str(path)], capture_output=True, text=True, timeout=60
    )


def test_extensions_conf_passes_asterisklint() -> None:
    done = lint(CONF / "extensions.conf")
    assert done.returncode == 0, done.stdout + done.stderr


def test_asterisklint_catches_a_broken_dialplan(tmp_path: Path) -> None:
    broken = tmp_path / "extensions.conf"
    text = (CONF / "extensions.conf").read_text(encoding="utf-8")
    broken.write_text(text.replace("Gosub(cc-act,s,1)", "Gosub(cc-nowhere,s,1)", 1))
    assert lint(broken).returncode != 0


def test_every_context_the_engine_redirects_to_exists() -> None:
    defined = {sec.name for sec in read_conf(CONF / "extensions.conf")}
    assert set(dialplan.CONTEXTS) <= defined
    assert {"from-citizens", "from-partners", "cc-notify", "operators"} <= defined


@pytest.mark.parametrize(
    "name", ["extensions.conf", "queues.conf", "manager.conf", "pjsip.conf", "musiconhold.conf"]
)
def test_each_file_parses(name: str) -> None:
    assert read_conf(CONF / name)


def test_a_line_that_is_no_setting_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.conf"
    bad.write_text("[general]\nthis is not a setting\n")
    with pytest.raises(ConfError, match=r"x\.conf:2"):
        read_conf(bad)


def test_manager_users_engine_may_act_monitor_only_reads() -> None:
    sections = {sec.name: sec for sec in read_conf(CONF / "manager.conf")}
    assert {"originate", "call", "agent"} <= set(sections["engine"].get("write").split(","))
    assert sections["monitor"].get("write") == ""
    assert "call" in sections["monitor"].get("read").split(",")
    assert manager_users(CONF / "manager.conf") == {
        "engine": "change-me-engine",
        "monitor": "change-me-monitor",
    }


def test_the_queue_the_engine_uses_is_defined() -> None:
    queues = {sec.name for sec in read_conf(CONF / "queues.conf")}
    assert "citizens" in queues
