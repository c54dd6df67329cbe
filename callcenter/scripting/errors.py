"""Errors of the operator guidance module, each with a stable `error_id`.

Hierarchy:

    ScriptingError (ValueError)
    ├── DataFileError        a shipped/imported data file is malformed (names file and key)
    ├── ScriptRunError       an operator action does not fit the running script
    ├── ClassifierError      an appeal classification path or tree merge is invalid
    └── KnowledgeBaseError   an unknown entry id or a broken reference in the KB

The `error_id` strings are API: the web layer maps them to HTTP answers in one place.
"""

from __future__ import annotations


class ScriptingError(ValueError):
    """Base of all errors raised by `callcenter.scripting`."""

    error_id = "scripting_error"

    def __init__(self, message: str, *, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, object] = dict(details or {})


class DataFileError(ScriptingError):
    """A data file (YAML/CSV) does not match its schema."""

    error_id = "data_file_invalid"

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(
            f"{source}: {key}: {problem}", details={"file": source, "key": key, "problem": problem}
        )
        self.source = source
        self.key = key
        self.problem = problem


class ScriptRunError(ScriptingError):
    """The operator's action does not fit the current state of a script run."""

    error_id = "script_run_invalid"


class ClassifierError(ScriptingError):
    """An appeal classification path or a classifier tree merge is invalid."""

    error_id = "classifier_invalid"


class KnowledgeBaseError(ScriptingError):
    """An entry id is unknown or a reference between KB entries is broken."""

    error_id = "knowledge_base_invalid"
