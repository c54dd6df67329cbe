"""The header check of the conformance tests: every event carries the headers that
shared/asterisk/ami_spec.json lists for it, in that order (a uniquely named helper module)."""

from __future__ import annotations

import json
from pathlib import Path

from callcenter.emulator.wire import Headers, get

# shared/asterisk/ami_spec.json events.<Name>.wire, snapshot blocks expanded ("?" = optional);
# tests/unit/pbx checks this copy against the shared spec.
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ami" / "adapter_spec_events.json"
SPEC = json.loads(FIXTURE.read_text(encoding="utf-8"))
_SNAPSHOT = list(SPEC["events"]["Newchannel"]["header_order"])
# The Status list item is described with its action: actions.Status.wire.status_event_order.
STATUS_ORDER = [
    *_SNAPSHOT,
    *["Type", "DNID", "EffectiveConnectedLineNum", "EffectiveConnectedLineName", "TimeToHangup"],
    *["BridgeID", "Application", "Data", "Nativeformats", "Readformat", "Readtrans", "Writeformat"],
    *["Writetrans", "Callgroup", "Pickupgroup", "Seconds"],
]


def expected_headers(event: str) -> list[str]:
    """The headers the spec's wire order requires (optional and custom ones left out)."""
    if event == "Status":
        return STATUS_ORDER
    order = SPEC["events"][event]["header_order"]
    return [h for h in order if not h.endswith("?") and not h.startswith("<")]


def _order(event: str, body: list[str]) -> list[str]:
    want = expected_headers(event)
    missing = [h for h in want if h not in body]
    if missing:
        return [f"{event}: missing {missing}"]
    if [h for h in body if h in want] != want:
        return [f"{event}: order {body}"]
    return []


def check(message: Headers) -> list[str]:
    """What is wrong with one broadcast event ([] when it conforms)."""
    event = get(message, "Event")
    keys = [k for k, _ in message]
    problems = []
    wire = SPEC["events"].get(event)
    if wire is None:
        return [f"{event}: not in the spec"]
    if keys[:3] != ["Event", "Privilege", "Timestamp"]:
        problems.append(f"{event}: starts {keys[:3]}")
    if get(message, "Privilege") != wire["privilege"]:
        problems.append(f"{event}: Privilege {get(message, 'Privilege')!r}")
    return problems + _order(event, keys[3:])


def check_item(message: Headers) -> list[str]:
    """What is wrong with one list item of QueueStatus, CoreShowChannels or Status: no
    Privilege (Status alone says `Call`), the spec's headers in order, ActionID aside."""
    event = get(message, "Event")
    keys = [k for k, _ in message if k not in ("ActionID", "Variable")]
    privilege = get(message, "Privilege")
    problems = []
    if event == "Status":
        if privilege != "Call":
            problems.append(f"Status: Privilege {privilege!r}")
    elif "Privilege" in keys:
        problems.append(f"{event}: a list item with Privilege")
    return problems + _order(event, [k for k in keys[1:] if k != "Privilege"])
