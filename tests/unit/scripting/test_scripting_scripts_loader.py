"""Script YAML schema: shipped scripts load; bad files fail naming the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from callcenter.scripting import DataFileError, OperatorGuide, ScriptingError, ScriptLibrary
from callcenter.scripting.scripts import load_script_file, parse_script

DEMO_SCRIPTS = {"passport", "housing", "social", "medical", "transport", "general", "complaint"}


def _valid() -> dict[str, Any]:
    return {
        "id": "demo",
        "title": "Демо",
        "steps": [
            {"id": "greeting", "kind": "greeting", "text": "Здравствуйте", "next": "ask"},
            {
                "id": "ask",
                "kind": "question",
                "text": "Вопрос?",
                "mandatory": True,
                "choices": [
                    {"id": "yes", "label": "Да", "next": "closing"},
                    {"id": "no_", "label": "Нет", "next": "closing"},
                ],
            },
            {"id": "closing", "kind": "closing", "text": "До свидания"},
        ],
    }


def _error(data: dict[str, Any]) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        parse_script("scripts/demo.yaml", data)
    return info.value


def test_shipped_scripts_cover_demo_topics_and_cite_existing_faq(guide: OperatorGuide) -> None:
    assert set(guide.scripts.ids()) == DEMO_SCRIPTS
    for script in guide.scripts:
        assert script.step(script.start).kind == "greeting"
        assert any(step.mandatory for step in script.steps.values())
        assert any(step.faq for step in script.steps.values())
    transfers = {s.transfer_to for sc in guide.scripts for s in sc.steps.values() if s.transfer_to}
    assert {"agency.migration", "agency.housing_dispatch", "agency.sfr"} <= transfers


def test_valid_script_parses_with_defaults() -> None:
    script = parse_script("x.yaml", _valid())
    assert script.start == "greeting"
    assert script.topics == ("demo",)
    assert script.step("ask").choice("да") is not None
    assert script.step("ask").successors() == ("closing", "closing")


def test_unknown_key_is_named_with_its_path() -> None:
    data = _valid()
    data["steps"][1]["choices"][0]["nxt"] = "closing"
    error = _error(data)
    assert error.source == "scripts/demo.yaml"
    assert error.key == "steps[1].choices[0].nxt"
    assert "scripts/demo.yaml: steps[1].choices[0].nxt: unknown key" in str(error)


def test_missing_required_key() -> None:
    data = _valid()
    del data["steps"][0]["text"]
    assert _error(data).key == "steps[0].text"


def test_reference_to_unknown_step() -> None:
    data = _valid()
    data["steps"][1]["choices"][1]["next"] = "clsoe"
    error = _error(data)
    assert error.key == "steps[1].choices[1].next"
    assert "'clsoe'" in error.problem


@pytest.mark.parametrize(
    ("mutate", "key", "problem"),
    [
        (lambda d: d["steps"].append(dict(d["steps"][0])), "steps[3].id", "duplicate step id"),
        (lambda d: d["steps"][1].update(kind="quiz"), "steps[1].kind", "unknown step kind"),
        (lambda d: d["steps"][1].update(mandatory="yes"), "steps[1].mandatory", "true/false"),
        (lambda d: d["steps"][2].update(next="ask"), "steps[2]", "closing step"),
        (lambda d: d["steps"][0].pop("next"), "steps[0]", "needs 'next' or 'choices'"),
        (lambda d: d["steps"][1].update(next="closing"), "steps[1]", "must not also have"),
        (lambda d: d["steps"][2].update(kind="info", next="greeting"), "steps", "no closing"),
        (lambda d: d.update(start="nowhere"), "start", "unknown step"),
        (lambda d: d["steps"][1]["choices"][1].update(id="yes"), "steps[1].choices", "duplicate"),
        (lambda d: d.update(steps="greeting"), "steps", "expected a list"),
    ],
)
def test_schema_violations(mutate: Any, key: str, problem: str) -> None:
    data = _valid()
    mutate(data)
    error = _error(data)
    assert (error.key, problem in error.problem) == (key, True), str(error)


def test_unreachable_step_is_rejected() -> None:
    data = _valid()
    data["steps"].insert(2, {"id": "orphan", "kind": "info", "text": "?", "next": "closing"})
    assert "orphan" in _error(data).problem


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"broken\.yaml: <file>: invalid YAML"):
        load_script_file(path)


def test_library_picks_script_by_topic_and_falls_back_to_general(tmp_path: Path) -> None:
    general = _valid() | {"id": "general"}
    housing = _valid() | {"id": "housing", "topics": ["housing", "zhkh"]}
    for data in (general, housing):
        (tmp_path / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    library = ScriptLibrary.from_directory(tmp_path)
    assert library.for_topic("zhkh").id == "housing"
    assert library.for_topic("unknown").id == "general"
    assert library.for_topic(None).id == "general"
    with pytest.raises(ScriptingError, match="unknown script"):
        library.get("nope")


def test_duplicate_script_ids_across_files_are_rejected() -> None:
    first = parse_script("a.yaml", _valid())
    second = parse_script("b.yaml", _valid())
    with pytest.raises(DataFileError, match=r"b.yaml: id: duplicate script id \(also in a.yaml\)"):
        ScriptLibrary([first, second])


def test_faq_reference_check_names_the_step() -> None:
    data = _valid()
    data["steps"][0]["faq"] = ["faq.missing"]
    library = ScriptLibrary([parse_script("demo.yaml", data)])
    with pytest.raises(DataFileError, match=r"demo.yaml: steps\[0\].faq\[0\]: unknown FAQ id"):
        library.check_references(faq_ids={"faq.other"}, agency_ids=set())


def test_transfer_reference_check_names_the_step() -> None:
    data = _valid()
    data["steps"][0]["transfer_to"] = "agency.ghost"
    library = ScriptLibrary([parse_script("demo.yaml", data)])
    with pytest.raises(DataFileError, match=r"steps\[0\].transfer_to: unknown agency id"):
        library.check_references(faq_ids=set(), agency_ids={"agency.mfc"})
    library.check_references(faq_ids=set(), agency_ids={"agency.ghost"})


def test_render_fills_placeholders_and_keeps_unknown_ones() -> None:
    step = parse_script("demo.yaml", _valid()).step("greeting")
    step = type(step)(step.id, step.kind, "Оператор {operator_name}, {center}")
    assert step.render({"operator_name": "Анна"}) == "Оператор Анна, {center}"
