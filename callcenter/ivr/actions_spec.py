"""The actions a menu node may invoke, and the kind of each parameter (for validation).

Kinds: `prompt` names a prompt id of the menu, `node` a node id of the menu, `topic` one of
`TOPICS`, `time` a local time "HH:MM", `int` a positive integer, `text` free Russian text
(may hold `{placeholders}` the action fills in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ParamKind = Literal["prompt", "node", "topic", "time", "int", "text"]

TOPICS: tuple[str, ...] = ("passport", "housing", "social", "medical", "transport", "general")

OUTCOMES: tuple[str, ...] = (
    "self_served",
    "to_operator",
    "callback_requested",
    "emergency_transfer",
    "hung_up",
    "failed",
)


@dataclass(frozen=True)
class ActionSpec:
    required: dict[str, ParamKind]
    optional: dict[str, ParamKind] = field(default_factory=dict)
    # A terminal action ends the run with an outcome; it needs no `next`.
    terminal: bool = False

    def kind_of(self, param: str) -> ParamKind | None:
        return self.required.get(param) or self.optional.get(param)


ACTIONS: dict[str, ActionSpec] = {
    "faq_answer": ActionSpec(required={"faq_id": "text"}),
    "application_status": ActionSpec(
        required={"ask_prompt": "prompt", "not_found_prompt": "prompt"},
        optional={"max_digits": "int"},
    ),
    "book_appointment": ActionSpec(
        required={
            "service": "text",
            "choose_prompt": "prompt",
            "no_slots_prompt": "prompt",
            "confirm_text": "text",
        },
        optional={"taken_prompt": "prompt", "max_offers": "int"},
    ),
    "request_callback": ActionSpec(
        required={"confirm_prompt": "prompt"},
        optional={"not_before": "time", "ask_number_prompt": "prompt", "topic": "topic"},
    ),
    "transfer_emergency": ActionSpec(required={}, optional={"prompt": "prompt"}, terminal=True),
    "to_operator": ActionSpec(
        required={"otherwise": "node"}, optional={"prompt": "prompt"}, terminal=True
    ),
    "set_topic": ActionSpec(required={"topic": "topic"}),
}
