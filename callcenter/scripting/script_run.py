"""`ScriptRun`: walks an operator through one call script, step by step.

Pure object: no I/O, no clock. The web layer keeps one per active call, calls `answer()` as
the operator clicks, and stores `path` (step ids + answers) with the call record at wrap-up.

Mandatory rule: the call may be closed when the run reached a closing step, or earlier (the
caller hung up, the call was transferred) as long as no mandatory step is left that the call
could no longer avoid: the current step if mandatory, and every mandatory step that lies on all
remaining routes to a closing step.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.scripting.errors import ScriptRunError
from callcenter.scripting.scripts import Choice, Script, Step, reachable_from


@dataclass(frozen=True)
class PathEntry:
    """One answered step: `answer` is the choice id or the typed text ("" for info steps)."""

    step_id: str
    answer: str
    label: str = ""  # the choice label shown to the operator, kept for reports


@dataclass(frozen=True)
class ScriptPath:
    """What is stored with the call: the script, the answered steps in order, how it ended."""

    script_id: str
    entries: tuple[PathEntry, ...]
    completed: bool  # True when the run reached a closing step

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(e.step_id for e in self.entries)

    def as_dict(self) -> dict[str, object]:
        return {
            "script_id": self.script_id,
            "completed": self.completed,
            "steps": [
                {"step_id": e.step_id, "answer": e.answer, "label": e.label} for e in self.entries
            ],
        }


class ScriptRun:
    """The state of one operator following one script during one call."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self._current = script.start
        self._entries: list[PathEntry] = []
        self._closed = False

    @property
    def current_step(self) -> Step:
        return self.script.step(self._current)

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.current_step.choices

    @property
    def finished(self) -> bool:
        return self.current_step.is_closing

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def path(self) -> ScriptPath:
        return ScriptPath(self.script.id, tuple(self._entries), completed=self.finished)

    def answer(self, step_id: str, choice_or_text: str = "") -> Step:
        """Record the operator's answer on the current step and move on; returns the new step."""
        step = self._expect_current(step_id)
        entry, next_id = self._resolve(step, choice_or_text)
        self._entries.append(entry)
        self._current = next_id
        return self.current_step

    def back(self) -> Step:
        """Undo the last answer (the operator clicked the wrong choice)."""
        if self._closed:
            raise ScriptRunError("the script run is already closed")
        if not self._entries:
            raise ScriptRunError("nothing to undo: the run is at its first step")
        self._current = self._entries.pop().step_id
        return self.current_step

    def missing_mandatory(self) -> tuple[Step, ...]:
        """Mandatory steps that must still be answered before the call can be closed."""
        if self.finished:
            return ()
        missing = [self.current_step] if self.current_step.mandatory else []
        for step in self.script.steps.values():
            if step.mandatory and step.id != self._current and self._unavoidable(step.id):
                missing.append(step)
        return tuple(missing)

    def close(self) -> ScriptPath:
        """Finish the run; fails naming the unanswered mandatory questions."""
        if self._closed:
            raise ScriptRunError("the script run is already closed")
        missing = self.missing_mandatory()
        if missing:
            names = "; ".join(f"{s.id} ({s.text})" for s in missing)
            raise ScriptRunError(
                f"cannot close: mandatory questions not answered: {names}",
                details={"missing": [s.id for s in missing]},
            )
        self._closed = True
        return self.path

    def _unavoidable(self, step_id: str) -> bool:
        closings = {s.id for s in self.script.steps.values() if s.is_closing}
        if step_id not in reachable_from(self.script, self._current):
            return False
        return not closings & reachable_from(self.script, self._current, without=step_id)

    def _expect_current(self, step_id: str) -> Step:
        if self._closed:
            raise ScriptRunError("the script run is already closed")
        if step_id != self._current:
            raise ScriptRunError(
                f"step {step_id!r} is not the current step (current: {self._current!r})",
                details={"current": self._current},
            )
        step = self.current_step
        if step.is_closing:
            raise ScriptRunError(f"step {step_id!r} closes the script: call close() instead")
        return step

    def _resolve(self, step: Step, value: str) -> tuple[PathEntry, str]:
        if step.choices:
            choice = step.choice(value)
            if choice is None:
                allowed = ", ".join(c.id for c in step.choices)
                raise ScriptRunError(
                    f"step {step.id!r}: {value!r} is not one of the choices ({allowed})",
                    details={"choices": [c.id for c in step.choices]},
                )
            return PathEntry(step.id, choice.id, choice.label), choice.next
        text = value.strip()
        if step.input and step.mandatory and not text:
            raise ScriptRunError(f"step {step.id!r}: the answer is mandatory ({step.text})")
        assert step.next is not None  # guaranteed by the loader for non-closing steps
        return PathEntry(step.id, text), step.next
