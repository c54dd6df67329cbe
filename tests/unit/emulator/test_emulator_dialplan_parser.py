"""Reading extensions.conf: priorities, labels, patterns, includes, errors; the shipped file."""

import re
from pathlib import Path

import pytest

from callcenter.emulator.conf import CONF_DIR
from callcenter.emulator.dialplan.apps import APPS
from callcenter.emulator.dialplan.functions import READERS, WRITERS
from callcenter.emulator.dialplan.parser import DialplanError, load, parse

SMALL = """
[general]
static=yes ; a comment
[globals]
ENGINE=engine:4573
Mixed_Case=Value;with comment
[from-citizens]
exten => _X.,1,NoOp(call ${EXTEN})
 same => n,Answer
 same => n(again),Playback(hello\\;world)
 same => 10,Goto(again)
 same => n,Hangup()
exten => failopen,1,Queue(citizens,c,,,300)
exten => 101,hint,PJSIP/101
include => other
[other]
exten => _1XX,1,Dial(PJSIP/${EXTEN},30)
exten => _NXXN.,1,NoOp(long)
exten => _[1-3]5!,1,NoOp(bracket)
exten => s,1,Verbose,1,old style arguments
"""


def test_priorities_labels_and_same_lines() -> None:
    plan = parse(SMALL, "small.conf")
    ext = plan.contexts["from-citizens"].extensions["_X."]
    assert [(s.priority, s.label, s.app, s.data) for s in ext.steps.values()] == [
        (1, "", "NoOp", "call ${EXTEN}"),
        (2, "", "Answer", ""),
        (3, "again", "Playback", "hello;world"),
        (10, "", "Goto", "again"),
        (11, "", "Hangup", ""),
    ]
    assert ext.labels == {"again": 3}
    assert plan.general == {"static": "yes"}
    assert plan.globals == {"ENGINE": "engine:4573", "Mixed_Case": "Value"}
    old = plan.contexts["other"].extensions["s"].steps[1]
    assert (old.app, old.data) == ("Verbose", "1,old style arguments")


@pytest.mark.parametrize(
    ("exten", "found"),
    [
        ("failopen", "failopen"),
        ("5000", "_X."),
        ("101", "_X."),  # the context's own pattern comes before an included context
        ("", None),
    ],
)
def test_exact_names_then_patterns_then_includes(exten: str, found: str | None) -> None:
    ext = parse(SMALL).find("from-citizens", exten)
    assert (ext.name if ext else None) == found


@pytest.mark.parametrize(
    ("exten", "found"),
    [
        ("101", "_1XX"),  # more specific than _NXXN. would be, were it to match
        ("23456", "_NXXN."),
        ("2345", None),  # N X X N then at least one more
        ("1234", None),
        ("15", "_[1-3]5!"),
        ("3599", "_[1-3]5!"),
        ("45", None),
        ("s", "s"),
    ],
)
def test_pattern_matching(exten: str, found: str | None) -> None:
    ext = parse(SMALL).find("other", exten)
    assert (ext.name if ext else None) == found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[c]\nexten => s,1\n", "missing application"),
        ("[c]\nexten => s,x,NoOp()\n", "bad priority 'x'"),
        ("[c]\nsame => n,NoOp()\n", "'same =>' without an 'exten =>'"),
        ("[c]\nexten => s,1,NoOp(\n", "unbalanced parentheses"),
        ("[c]\nexten => s,1,NoOp()\nexten => s,1,NoOp()\n", "priority 1 of 's' defined twice"),
        ("[c]\nswitch => IAX2/box\n", "'switch' is not supported"),
        ("exten => s,1,NoOp()\n", "expected '[context]'"),
        ("[c]\nexten => _1[2,1,NoOp()\n", "without ']'"),
        ("[c]\n[c]\n", "defined twice"),
    ],
)
def test_malformed_lines_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(DialplanError, match=r"bad\.conf:\d+: ") as info:
        parse(text, "bad.conf")
    assert message in str(info.value)
    line = int(str(info.value).split(":")[1])
    assert line == text.count("\n")  # the last line is the bad one in each case


def test_the_shipped_dialplan_parses_and_uses_only_what_the_emulator_implements() -> None:
    plan = load(CONF_DIR / "extensions.conf")
    assert {"from-citizens", "cc-act", "cc-callback-offer", "cc-overflow-out"} <= set(plan.contexts)
    assert plan.globals["ENGINE"] == "127.0.0.1:4573"
    extensions = [e for c in plan.contexts.values() for e in c.extensions.values()]
    steps = [s for e in extensions for s in e.steps.values()]
    apps = {s.app for s in steps}
    apps |= {m for s in steps if s.app == "ExecIf" for m in re.findall(r"[?:](\w+)\(", s.data)}
    assert {a for a in apps if a.lower() not in APPS} == set()
    text = (CONF_DIR / "extensions.conf").read_text(encoding="utf-8")
    functions = set(re.findall(r"\$\{([A-Z_]+)\(", text))
    functions |= set(re.findall(r"Set\(([A-Z_]+)\(", text))
    assert functions  # CALLERID, PJSIP_HEADER
    assert {f for f in functions if f not in READERS and f not in WRITERS} == set()


def test_a_file_that_cannot_be_read_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "extensions.conf"
    bad.write_text("[c]\nexten => s,n(,NoOp()\n", encoding="utf-8")
    with pytest.raises(DialplanError, match=r"extensions\.conf:2: bad priority"):
        load(bad)
