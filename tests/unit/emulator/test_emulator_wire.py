"""AMI framing: split reads, bare LF, garbage and long lines."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.wire import (
    LINE_TOO_LONG,
    MAX_HEADERS,
    MAX_LINE,
    TOO_MANY_LINES,
    MessageReader,
    encode,
    escape_c,
    get,
    get_all,
)


def test_encode_ends_with_blank_line_and_uses_crlf() -> None:
    assert encode([("Action", "Ping"), ("ActionID", "1")]) == b"Action: Ping\r\nActionID: 1\r\n\r\n"


@given(st.integers(min_value=1, max_value=200))
def test_any_split_of_cyrillic_message_decodes_the_same(cut: int) -> None:
    raw = encode([("Event", "VarSet"), ("Value", "Здравствуйте, гражданин")])
    cut = min(cut, len(raw) - 1)
    reader = MessageReader()
    messages = reader.feed(raw[:cut]) + reader.feed(raw[cut:])
    assert messages == [[("Event", "VarSet"), ("Value", "Здравствуйте, гражданин")]]


def test_bare_lf_garbage_and_long_lines_are_taken_in_as_asterisk_does() -> None:
    reader = MessageReader()
    data = b"Action: Ping\nnot a header\n\n\n" + b"X: " + b"a" * MAX_LINE + b"\nActionID: 7\n\n"
    requests = reader.feed_requests(data)
    assert [(r.headers, r.problem) for r in requests] == [
        ([("Action", "Ping"), ("not a header", "")], ""),
        ([], ""),  # a lone blank line is an (empty) message
        ([("ActionID", "7")], LINE_TOO_LONG),
    ]


def test_a_long_line_split_across_reads_is_dropped_up_to_its_end() -> None:
    reader = MessageReader()
    first = reader.feed_requests(b"Action: Ping\r\nX: " + b"b" * (MAX_LINE + 10))
    rest = reader.feed_requests(b"bbb\r\nActionID: 8\r\n\r\n")
    assert first == []
    assert [(r.headers, r.problem) for r in rest] == [
        ([("Action", "Ping"), ("ActionID", "8")], LINE_TOO_LONG)
    ]


def test_more_than_128_lines_make_the_message_too_long() -> None:
    reader = MessageReader()
    data = b"".join(b"H%d: v\r\n" % i for i in range(MAX_HEADERS + 1)) + b"\r\n"
    (request,) = reader.feed_requests(data)
    assert request.problem == TOO_MANY_LINES


def test_caller_names_and_values_are_c_escaped_like_asterisk() -> None:
    assert escape_c('Пётр "Иванов"\nи т.д.?') == 'Пётр \\"Иванов\\"\\nи т.д.\\?'
    assert escape_c("Здравствуйте") == "Здравствуйте"


def test_header_lookup_is_case_insensitive_and_keeps_repeats() -> None:
    headers = [("Variable", "A=1"), ("variable", "B=2"), ("ActionID", "x")]
    assert get(headers, "actionid") == "x"
    assert get_all(headers, "VARIABLE") == ["A=1", "B=2"]


def test_caller_script_digits_by_prompt_or_in_order() -> None:
    by_prompt = CallerScript(number="1", digits={"cc-menu": "25"})
    assert by_prompt.keys("cc-menu-main", single=True) == "2"
    assert by_prompt.keys("cc-other", single=False) == ""
    ordered = CallerScript(number="1", digits=["3", "8999"])
    assert ordered.keys("any", single=True) == "3"
    assert ordered.keys("any", single=True) == "8"
    assert ordered.keys("any", single=False) == "999"
    assert ordered.keys("any", single=False) == ""
    assert ordered.pressed == [("any", "3"), ("any", "8"), ("any", "999")]
