"""Call wrap-up result codes (data) and the fields each one makes mandatory.

The operator picks a result code when the call ends; `WrapUpCatalog.validate` says which
mandatory fields are still empty, so the web form can refuse to close the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from callcenter.scripting.classifier import ClassifierTree
from callcenter.scripting.errors import ScriptingError
from callcenter.scripting.schema import read_yaml, root

CLASSIFICATION_FIELD = "classification"


@dataclass(frozen=True)
class WrapUpField:
    name: str
    label: str


@dataclass(frozen=True)
class ResultCode:
    code: str
    label: str
    required: tuple[str, ...]
    description: str = ""


class WrapUpError(ScriptingError):
    """The wrap-up form misses mandatory fields or names an unknown result code."""

    error_id = "wrapup_invalid"


class WrapUpCatalog:
    def __init__(self, fields: Mapping[str, WrapUpField], codes: Mapping[str, ResultCode]) -> None:
        self.fields = dict(fields)
        self.codes = dict(codes)

    @classmethod
    def from_file(cls, path: Path) -> WrapUpCatalog:
        return cls.parse(str(path), read_yaml(path))

    @classmethod
    def parse(cls, source: str, data: object) -> WrapUpCatalog:
        top = root(source, data)
        top.mapping({"fields", "result_codes"})
        fields: dict[str, WrapUpField] = {}
        for node in top.get("fields").items():
            node.mapping({"name", "label"})
            name = node.get("name").text()
            if name in fields:
                raise node.get("name").fail(f"duplicate field {name!r}")
            fields[name] = WrapUpField(name, node.get("label").text())
        codes: dict[str, ResultCode] = {}
        for node in top.get("result_codes").items():
            node.mapping({"code", "label", "required", "description"})
            code = node.get("code").text()
            if code in codes:
                raise node.get("code").fail(f"duplicate result code {code!r}")
            required = node.get("required", required=False).texts()
            for i, name in enumerate(required):
                if name not in fields:
                    raise node.get("required").items()[i].fail(f"unknown field {name!r}")
            description = node.get("description", required=False).opt_text()
            codes[code] = ResultCode(code, node.get("label").text(), required, description)
        return cls(fields, codes)

    def result_code(self, code: str) -> ResultCode:
        try:
            return self.codes[code]
        except KeyError:
            raise WrapUpError(f"unknown result code {code!r}", details={"code": code}) from None

    def missing_fields(self, code: str, values: Mapping[str, str]) -> tuple[WrapUpField, ...]:
        result = self.result_code(code)
        return tuple(self.fields[n] for n in result.required if not values.get(n, "").strip())

    def validate(
        self, code: str, values: Mapping[str, str], *, classifier: ClassifierTree | None = None
    ) -> ResultCode:
        """Fail naming every missing mandatory field; also checks a classification path."""
        missing = self.missing_fields(code, values)
        if missing:
            names = ", ".join(f"{f.name} ({f.label})" for f in missing)
            raise WrapUpError(
                f"result {code!r} needs: {names}", details={"missing": [f.name for f in missing]}
            )
        if classifier is not None and values.get(CLASSIFICATION_FIELD, "").strip():
            classifier.validate(values[CLASSIFICATION_FIELD])
        return self.result_code(code)
