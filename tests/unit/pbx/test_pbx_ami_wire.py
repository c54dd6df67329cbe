"""AMI framing and decoding: recorded transcripts replayed through the real decoder, split at
every byte offset (Cyrillic included), against panoramisk's own per-chunk decoding."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from panoramisk.ami_protocol import AMIProtocol

from callcenter.pbx.ami_wire import AmiFrameDecoder, AmiMessage

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ami"
TRANSCRIPTS = sorted(FIXTURES.glob("adapter_*.txt"))


def wire(path: Path) -> bytes:
    """Fixtures are stored with LF; Asterisk writes CRLF."""
    return path.read_text(encoding="utf-8").replace("\n", "\r\n").encode()


def as_dicts(messages: list[Any]) -> list[dict[str, Any]]:
    return [dict(m.items()) for m in messages]


def decode(*chunks: bytes) -> tuple[AmiFrameDecoder, list[Any]]:
    decoder = AmiFrameDecoder()
    out: list[Any] = []
    for chunk in chunks:
        out.extend(decoder.feed(chunk))
    return decoder, out


def test_transcripts_exist() -> None:
    assert len(TRANSCRIPTS) >= 4


def windows(data: bytes) -> list[bytes]:
    """Each pair of consecutive frames (the banner stays with the first): every byte offset of
    the transcript lies inside some window, and so does every frame boundary."""
    banner = b""
    if data.startswith(b"Asterisk Call Manager/"):
        end = data.index(b"\r\n") + 2
        banner, data = data[:end], data[end:]
    frames = [f + b"\r\n\r\n" for f in data.split(b"\r\n\r\n") if f]
    pairs = [frames[i] + frames[i + 1] for i in range(len(frames) - 1)] or frames
    return [banner + pairs[0], *pairs[1:]]


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.name)
def test_given_transcript_when_split_at_every_offset_then_same_messages(path: Path) -> None:
    for window in windows(wire(path)):
        _, whole = decode(window)
        expected = as_dicts(whole)
        assert len(expected) == 2
        for offset in range(len(window) + 1):
            _, split = decode(window[:offset], window[offset:])
            assert as_dicts(split) == expected, f"differs when split at byte {offset}"


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.name)
def test_given_whole_transcript_in_many_odd_chunks_then_same_messages(path: Path) -> None:
    data = wire(path)
    _, whole = decode(data)
    frames = path.read_text(encoding="utf-8").split("\n\n")
    assert len(whole) == len([f for f in frames if ":" in f])
    for size in (1, 2, 3, 7, 64, 1000):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        _, split = decode(*chunks)
        assert as_dicts(split) == as_dicts(whole), f"differs with {size}-byte chunks"


def test_given_cyrillic_name_split_inside_a_letter_then_it_arrives_whole() -> None:
    data = wire(FIXTURES / "adapter_answered_call.txt")
    cut = data.index("Пётр".encode()) + len("П".encode()) + 1  # inside the two bytes of "ё"
    _, messages = decode(data[:cut], data[cut:])
    assert messages[0]["CallerIDName"] == "Пётр Ильич"


def test_panoramisk_own_decoder_drops_the_split_letter() -> None:
    """Why we replace data_received: the released parser loses "ё" at the same cut."""
    data = wire(FIXTURES / "adapter_answered_call.txt")
    cut = data.index("Пётр".encode()) + len("П".encode()) + 1
    seen: list[Any] = []

    class Factory:
        def dispatch(self, message: Any) -> None:
            seen.append(message)

    protocol = AMIProtocol()
    protocol.connection_made(None)
    protocol.factory = Factory()
    protocol.encoding = "utf-8"
    protocol.data_received(data[:cut])
    protocol.data_received(data[cut:])
    assert seen[0]["CallerIDName"] == "Птр Ильич"


def test_given_byte_by_byte_feed_then_banner_and_messages_parse() -> None:
    data = wire(FIXTURES / "adapter_resync.txt")
    decoder = AmiFrameDecoder()
    messages: list[Any] = []
    for i in range(len(data)):
        messages.extend(decoder.feed(data[i : i + 1]))
    assert decoder.version == "9.0.0"
    assert messages[0]["Message"] == "Authentication accepted"
    assert messages[-1]["Event"] == "CoreShowChannelsComplete"


def test_given_bare_lf_line_endings_then_same_messages_as_crlf() -> None:
    path = FIXTURES / "adapter_abandon.txt"
    _, crlf = decode(wire(path))
    _, lf = decode(path.read_bytes())
    assert as_dicts(lf) == as_dicts(crlf)


def test_given_no_banner_then_version_is_empty_and_messages_flow() -> None:
    decoder, messages = decode(b"Response: Success\r\nMessage: Pong\r\n\r\n")
    assert decoder.version == ""
    assert messages[0]["Message"] == "Pong"


def test_given_garbage_frame_between_events_then_only_it_is_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream = (
        b"Event: Newstate\r\nUniqueid: 1.1\r\n\r\n"
        b"this is not AMI at all\r\n\xff\xfe\r\n\r\n"
        b"Event: Hangup\r\nUniqueid: 1.1\r\nbroken line\r\nCause: 16\r\n\r\n"
    )
    with caplog.at_level(logging.WARNING, logger="callcenter.pbx.ami_wire"):
        decoder, messages = decode(b"Asterisk Call Manager/9.0.0\r\n", stream)
    assert [m["Event"] for m in messages] == ["Newstate", "Hangup"]
    assert messages[1]["Cause"] == "16"
    assert decoder.dropped_frames == 1
    assert "without Event or Response" in caplog.text
    assert "malformed AMI line dropped: 'broken line'" in caplog.text


def test_given_oversized_frame_then_it_is_dropped_and_the_stream_resumes() -> None:
    decoder = AmiFrameDecoder(max_frame_chars=100)
    out = decoder.feed(b"Asterisk Call Manager/9.0.0\r\nEvent: Cdr\r\nLastData: " + b"x" * 200)
    out += decoder.feed(b"\r\n\r\nEvent: Newstate\r\nUniqueid: 2.2\r\n\r\n")
    assert [m["Event"] for m in out] == ["Newstate"]
    assert decoder.dropped_frames == 1


def test_repeated_headers_become_a_list() -> None:
    _, messages = decode(b"Response: Success\r\nOutput: a\r\nOutput: b\r\nOutput: c\r\n\r\n")
    assert messages[0]["Output"] == ["a", "b", "c"]


def test_names_are_case_insensitive_and_iterate_as_written() -> None:
    frame = b"Event: Hangup\r\nUniqueID: 1.1\r\nCause-txt: Normal Clearing\r\n\r\n"
    _, [message] = decode(frame)
    assert message.fields == {"event": "Hangup", "uniqueid": "1.1", "cause-txt": "Normal Clearing"}
    assert list(message) == ["Event", "UniqueID", "Cause-txt"]
    assert (message["cause-TXT"], message.get("UNIQUEID"), message.get("Missing")) == (
        "Normal Clearing",
        "1.1",
        None,
    )
    assert "EVENT" in message
    assert "Missing" not in message
    assert message == AmiMessage.from_headers(
        {"Event": "Hangup", "UniqueID": "1.1", "Cause-txt": "Normal Clearing"}
    )


def test_given_a_name_repeated_in_another_case_then_one_list_under_the_first_spelling() -> None:
    _, [message] = decode(b"Response: Success\r\nOutput: a\r\noutput: b\r\nOUTPUT:c\r\n\r\n")
    assert message.fields == {"response": "Success", "output": ["a", "b", "c"]}
    assert dict(message.items()) == {"Response": "Success", "Output": ["a", "b", "c"]}


def test_given_a_name_with_a_space_or_an_empty_name_then_only_that_line_is_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream = b"Event: Newstate\r\nNot a name: x\r\n: nothing\r\nUniqueid: 1.1\r\n\r\n"
    with caplog.at_level(logging.WARNING, logger="callcenter.pbx.ami_wire"):
        _, [message] = decode(stream)
    assert dict(message.items()) == {"Event": "Newstate", "Uniqueid": "1.1"}
    assert "malformed AMI line dropped: 'Not a name: x'" in caplog.text
    assert "malformed AMI line dropped: ': nothing'" in caplog.text


def test_given_wanted_events_then_others_are_dropped_unless_they_answer_an_action() -> None:
    stream = (
        b"Event: Newexten\r\nUniqueid: 1.1\r\n\r\n"  # nobody reads it
        b"Event: Hangup\r\nUniqueid: 1.1\r\n\r\n"
        b"Event: QueueStatusComplete\r\nActionID: 7\r\n\r\n"  # completes an action
        b"Event: CoreShowChannelsComplete\r\nactionid: 8\r\n\r\n"  # the same, in another case
        b"Privilege: call,all\r\nEvent: Newexten\r\n\r\n"  # not in Asterisk's order: parsed
        b"Response: Success\r\nActionID: 9\r\n\r\n"
    )
    decoder = AmiFrameDecoder(wanted_events=frozenset({"Hangup"}))
    messages = decoder.feed(stream)
    assert [m.get("Event") or m["Response"] for m in messages] == [
        "Hangup",
        "QueueStatusComplete",
        "CoreShowChannelsComplete",
        "Newexten",
        "Success",
    ]
    assert decoder.dropped_frames == 0
    assert len(AmiFrameDecoder().feed(stream)) == 6  # no list given: every event
