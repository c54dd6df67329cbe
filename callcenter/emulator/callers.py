"""Scripted citizens: what each caller presses, how long they wait and talk.

`digits` is either a mapping from a prompt-name prefix to the digits pressed at that prompt,
or a list consumed in order by STREAM FILE (one digit) and GET DATA (one item).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OFFER_PROMPT = "cc-callback-offer"  # "1" accepts the callback the engine offers


@dataclass
class CallerScript:
    number: str
    name: str = ""
    patience_s: float | None = None
    digits: dict[str, str] | list[str] = field(default_factory=list)
    talk_s: float | None = None
    accept_callback: bool = False
    answers_callback: bool = True
    busy: bool = False  # an Originate to this number finds it busy
    wav: str | None = None
    dnid: str = "1000"

    def keys(self, prompt: str, *, single: bool) -> str:
        """Digits the caller enters at `prompt` ("" = none)."""
        if prompt.startswith(OFFER_PROMPT) and self.accept_callback:
            return "1"
        if isinstance(self.digits, dict):
            value = next((v for k, v in self.digits.items() if prompt.startswith(k)), "")
            return value[:1] if single else value
        if not self.digits:
            return ""
        item = self.digits.pop(0)
        if single and len(item) > 1:
            self.digits.insert(0, item[1:])
            return item[0]
        return item

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallerScript:
        allowed = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**allowed)
