"""One AMI transcript with Cyrillic, split at every byte offset, read by the emulator's reader
and by the engine's client parser (callcenter/pbx): the same messages every time."""

from __future__ import annotations

from typing import Any

import pytest

from callcenter.emulator.wire import Headers, MessageReader, encode
from callcenter.pbx.ami_wire import AmiFrameDecoder

BANNER = b"Asterisk Call Manager/9.0.0\r\n"
MESSAGES: list[Headers] = [
    [("Response", "Success"), ("ActionID", "login-1"), ("Message", "Authentication accepted")],
    [
        ("Event", "Newchannel"),
        ("Privilege", "call,all"),
        ("Timestamp", "1700000000.000001"),
        ("Channel", "PJSIP/citizen-00000001"),
        ("CallerIDNum", "+79990000001"),
        ("CallerIDName", "Пётр Ильич Чайковский"),
        ("Uniqueid", "1700000000.1"),
    ],
    [("Event", "UserEvent"), ("Privilege", "user,all"), ("UserEvent", "Ёлка"), ("Текст", "й ё ъ")],
    [
        ("Response", "Success"),
        ("ActionID", "c"),
        ("Message", "Command output follows"),
        ("Output", "   Members: "),
        ("Output", "      Оператор 101 (PJSIP/101)"),
    ],
]
TRANSCRIPT = b"".join(encode(m) for m in MESSAGES)


def _emulator_reader(chunks: list[bytes]) -> list[Headers]:
    reader = MessageReader(for_client=True)
    return [m for chunk in chunks for m in reader.feed(chunk)]


def _engine_parser(chunks: list[bytes]) -> list[list[tuple[str, Any]]]:
    decoder = AmiFrameDecoder()
    messages = [m for chunk in chunks for m in decoder.feed(chunk)]
    return [[(k, v) for k, v in m.items() if k != "content"] for m in messages]


def _as_engine_sees(headers: Headers) -> list[tuple[str, Any]]:
    """The engine's parser folds repeated headers into one list value."""
    out: dict[str, Any] = {}
    for key, value in headers:
        old = out.get(key)
        out[key] = (
            value if old is None else ([*old, value] if isinstance(old, list) else [old, value])
        )
    return list(out.items())


@pytest.mark.parametrize("cut", range(1, len(TRANSCRIPT)))
def test_every_split_reads_the_same_in_both_parsers(cut: int) -> None:
    chunks = [TRANSCRIPT[:cut], TRANSCRIPT[cut:]]
    assert _emulator_reader(chunks) == MESSAGES
    assert _engine_parser([BANNER + chunks[0], chunks[1]]) == [_as_engine_sees(m) for m in MESSAGES]


def test_the_server_reader_splits_client_actions_the_same_at_every_offset() -> None:
    action = encode(
        [("Action", "Setvar"), ("Variable", "ИМЯ"), ("Value", "Пётр"), ("ActionID", "1")]
    )
    data = action + b"\r\n" + action  # a lone blank line between: an empty message
    whole = MessageReader().feed_requests(data)
    assert [r.headers for r in whole] == [
        [("Action", "Setvar"), ("Variable", "ИМЯ"), ("Value", "Пётр"), ("ActionID", "1")],
        [],
        [("Action", "Setvar"), ("Variable", "ИМЯ"), ("Value", "Пётр"), ("ActionID", "1")],
    ]
    for cut in range(1, len(data)):
        reader = MessageReader()
        assert reader.feed_requests(data[:cut]) + reader.feed_requests(data[cut:]) == whole
