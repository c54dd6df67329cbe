"""AMI framing: split reads, bare LF, garbage and long lines."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.wire import MAX_LINE, MessageReader, encode, get, get_all


def test_encode_ends_with_blank_line_and_uses_crlf() -> None:
    assert encode([("Action", "Ping"), ("ActionID", "1")]) == b"Action: Ping\r\nActionID: 1\r\n\r\n"


@given(st.integers(min_value=1, max_value=200))
def test_any_split_of_cyrillic_message_decodes_the_same(cut: int) -> None:
    raw = encode([("Event", "VarSet"), ("Value", "Здравствуйте, гражданин")])
    cut = min(cut, len(raw) - 1)
    reader = MessageReader()
    messages = reader.feed(raw[:cut]) + reader.feed(raw[cut:])
    assert messages == [[("Event", "VarSet"), ("Value", "Здравствуйте, гражданин")]]


def test_bare_lf_garbage_and_long_lines_are_counted() -> None:
    reader = MessageReader()
    data = b"Action: Ping\nnot a header\n" + b"X: " + b"a" * MAX_LINE + b"\n\n"
    messages = reader.feed(data)
    assert messages == [[("Action", "Ping")]]
    assert (reader.garbage_lines, reader.long_lines) == (1, 1)


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
