"""`callcenter users`: people added from the command line can sign in to a running engine."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from callcenter.cli import main
from callcenter.store.repositories import open_store
from callcenter.wiring.users import StoreUserDirectory


def users(url: str, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", "--database-url", url, *args])


async def test_an_added_operator_signs_in_without_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}"
    add = ["add", "op101", "--name", "Иванова А.", "--sip", "PJSIP/101", "--password-stdin"]
    # The command runs its own event loop, as it does from a shell.
    assert (
        await _in_thread(lambda: users(url, *add, stdin="верный-пароль\n", monkeypatch=monkeypatch))
        == 0
    )
    assert await _in_thread(lambda: users(url, "list", monkeypatch=monkeypatch)) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "{" in line]
    assert listed == [
        {"login": "op101", "name": "Иванова А.", "role": "operator", "sip": "PJSIP/101"}
    ]

    now = [1000.0]
    store = open_store(url, clock=time.time)
    directory = StoreUserDirectory(store, clock=lambda: now[0])
    await directory.reload()
    supervisor = [
        "add",
        "chief",
        "--name",
        "Старший смены",
        "--role",
        "supervisor",
        "--password-stdin",
    ]
    assert (
        await _in_thread(
            lambda: users(url, *supervisor, stdin="пароль-старшего\n", monkeypatch=monkeypatch)
        )
        == 0
    )
    assert await directory.authenticate("chief", "пароль-старшего") is None  # read a moment ago
    now[0] += 10
    user = await directory.authenticate("chief", "пароль-старшего")
    assert user is not None
    assert user.role == "supervisor"
    assert await directory.authenticate("op101", "не тот пароль") is None
    assert directory.id_for_endpoint("PJSIP/101") == "op101"
    await store.close()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["add", "op1", "--name", "A", "--sip", "PJSIP/1", "--password-stdin"],
            "short\n",
            "at least 8",
        ),
        (["add", "op1", "--name", "A", "--password-stdin"], "long-enough-1\n", "needs --sip"),
        (
            ["add", "Op 1", "--name", "A", "--sip", "PJSIP/1", "--password-stdin"],
            "long-enough-1\n",
            "login",
        ),
        (
            ["add", "op1", "--name", "A", "--sip", "SIP/1", "--password-stdin"],
            "long-enough-1\n",
            "PJSIP",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}"
    assert users(url, *args, stdin=stdin, monkeypatch=monkeypatch) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "cc.db").exists()  # nothing half-written


async def _in_thread(call: Callable[[], int]) -> int:
    return await asyncio.to_thread(call)
