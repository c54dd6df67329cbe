"""`callcenter notify`: loading reports bad rows without stopping, `--status` prints JSON, and a
broken file is refused with a clear message before anything is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callcenter.cli import main

SETTINGS = """
name: pension-2026
message: "Ваше заявление {number} рассмотрено."
allowed_hours: "21:00-06:00"
retry_delay_s: 60
"""
CSV = "phone,email,number\n+79161234501,a@example.ru,17\nабв,not-an-address,18\n+79161234502,,19\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALLCENTER_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    monkeypatch.setenv("CALLCENTER_SOUNDS_DIR", str(tmp_path / "sounds"))
    return tmp_path


def test_csv_with_settings_loads_reports_bad_rows_and_shows_status(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (env / "settings.yaml").write_text(SETTINGS, encoding="utf-8")
    (env / "list.csv").write_text(CSV, encoding="utf-8")
    args = ["notify", "--campaign", str(env / "list.csv"), "--settings", str(env / "settings.yaml")]
    assert main([*args, "--load-only"]) == 0
    err = capsys.readouterr().err
    assert "строка 2" in err
    assert "'абв'" in err
    assert "not-an-address" in err

    assert main(["notify", "--status", "pension-2026"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["states"] == {"pending": 2, "invalid_number": 1}
    assert status["emails"] == {"pending": 1}
    assert status["settings"]["allowed_hours"] == "21:00-06:00"
    first = status["recipients"][0]
    assert (first["number"], first["email"]) == ("+79161234501", "a@example.ru")

    # loading the same campaign again changes nothing
    assert main([*args, "--load-only"]) == 0
    assert "already loaded" in capsys.readouterr().err
    assert main(["notify", "--status", "pension-2026"]) == 0
    assert len(json.loads(capsys.readouterr().out)["recipients"]) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: x\nmessage: '{doc}'\nrecipients: [{phone: '+79161234501'}]\n", "no value for doc"),
        ("name: x\nmessage: m\nrecipients: []\n", "no recipients"),
        ("name: x\nmessage: m\nallowed_hours: all day\nrecipients: [{phone: '1'}]\n", "HH:MM"),
        ("name: x\nmessage: m\nspeed: 3\nrecipients: [{phone: '1'}]\n", "unknown setting"),
        ("name: 'с пробелом'\nmessage: m\nrecipients: [{phone: '1'}]\n", "name"),
    ],
)
def test_a_broken_campaign_file_is_refused_and_nothing_stored(
    env: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (env / "c.yaml").write_text(content, encoding="utf-8")
    assert main(["notify", "--campaign", str(env / "c.yaml"), "--load-only"]) == 2
    assert message in capsys.readouterr().err
    assert main(["notify", "--status", "x"]) == 1


def test_status_of_an_unknown_campaign_says_so(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["notify", "--status", "nope"]) == 1
    assert "no campaign named 'nope'" in capsys.readouterr().err
