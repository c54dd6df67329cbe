"""`${...}` substitution, `$[...]` expressions, argument splitting and GotoIfTime's time spec."""

from datetime import datetime

import pytest

from callcenter.emulator.dialplan import timespec
from callcenter.emulator.dialplan.expressions import ExpressionError, evaluate
from callcenter.emulator.dialplan.state import is_true, parse_target, split_args
from callcenter.emulator.dialplan.substitution import substitute

VARS = {"A": "hello", "B": "A", "N": "5", "EMPTY": "", "STATUS": "FAILURE"}


def lookup(name: str) -> str:
    if name.startswith("LEN("):
        return str(len(name[4:-1]))
    return VARS.get(name, "")


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ('"FAILURE" = "FAILURE"', "1"),
        ('"" = "FAILURE"', "0"),
        ('"" != ""', "0"),
        ("1 + 2 * 3", "7"),
        ("(1+2)*3", "9"),
        ("-7 / 2", "-3"),  # C division truncates toward zero
        ("7 % 3", "1"),
        ("10 > 9", "1"),  # numbers compare as numbers...
        ('"10" < "9"', "1"),  # ...quoted too, as Asterisk does
        ("abc < abd", "1"),
        ("2 >= 2 & 3 < 1", "0"),
        ("a & b", "a"),
        ("0 | x", "x"),
        ("0 | 0", "0"),
        ("!0", "1"),
        ("", ""),
    ],
)
def test_expressions(expression: str, value: str) -> None:
    assert evaluate(expression) == value


@pytest.mark.parametrize("expression", ["1 +", "(1", "a + 1", "1 / 0", '"open'])
def test_bad_expressions_are_errors(expression: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(expression)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("${A}", "hello"),
        ("${${B}}", "hello"),  # nested: the name itself is expanded first
        ("${A:1:3}", "ell"),
        ("${A:-2}", "lo"),
        ("${A:1}", "ello"),
        ("${A:0:-1}", "hell"),
        ("$[${N} + 1]", "6"),
        ('$["${STATUS}" = "FAILURE"]', "1"),
        ('$["${EMPTY}" != ""]', "0"),
        ("x${MISSING}y", "xy"),
        ("${LEN(${A})}", "5"),
        ("no dollars", "no dollars"),
        ("$[$[1 + 1] * 3]", "6"),
    ],
)
def test_substitution(text: str, value: str) -> None:
    assert substitute(text, lookup) == value


def test_an_unterminated_variable_is_an_error() -> None:
    with pytest.raises(ValueError, match="unterminated"):
        substitute("${A", lookup)


@pytest.mark.parametrize(
    ("data", "args"),
    [
        ("citizens,c,,,300", ["citizens", "c", "", "", "300"]),
        ("PJSIP/1@t,30,b(ctx^s^1(a,b))", ["PJSIP/1@t", "30", "b(ctx^s^1(a,b))"]),
        ('"a,b",c', ["a,b", "c"]),
        ("a\\,b,c", ["a,b", "c"]),
        ("", [""]),
    ],
)
def test_argument_splitting(data: str, args: list[str]) -> None:
    assert split_args(data) == args


def test_jump_targets_and_conditions() -> None:
    assert parse_target("done") == parse_target(" done ")
    assert (parse_target("failopen,1").exten, parse_target("failopen,1").priority) == (
        "failopen",
        "1",
    )
    assert parse_target("from-citizens,failopen,1").context == "from-citizens"
    assert [is_true(v) for v in ("", "0", " 0 ", "1", "abc", "-1")] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]


@pytest.mark.parametrize(
    ("spec", "when", "result"),
    [
        (["09:00-18:00", "mon-fri", "*", "*"], "2026-11-24T12:00", True),  # a Tuesday
        (["09:00-18:00", "mon-fri", "*", "*"], "2026-11-28T12:00", False),  # a Saturday
        (["09:00-18:00", "*", "*", "*"], "2026-11-24T18:30", False),
        (["00:00-06:00", "*", "*", "*"], "2026-11-24T00:30", True),
        (["22:00-06:00", "*", "*", "*"], "2026-11-24T23:10", True),  # over midnight
        (["*", "sat-mon", "*", "*"], "2026-11-30T10:00", True),  # a Monday, range wraps
        (["*", "*", "1-10", "nov"], "2026-11-05T10:00", True),
        (["*", "*", "1-10", "dec"], "2026-11-05T10:00", False),
        (["*", "*", "*", "jan&nov"], "2026-11-05T10:00", True),
    ],
)
def test_time_spec(spec: list[str], when: str, result: bool) -> None:
    assert timespec.matches(spec, datetime.fromisoformat(when)) is result


def test_a_bad_time_spec_is_an_error() -> None:
    with pytest.raises(ValueError, match="GotoIfTime"):
        timespec.matches(["9am-5pm"], datetime(2026, 11, 24, 12, 0))
