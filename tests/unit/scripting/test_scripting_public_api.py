"""The package's public surface is pinned, every module imports on its own, data ships."""

from __future__ import annotations

import importlib
import pkgutil

import callcenter.scripting
from callcenter.scripting import DATA_DIR

PUBLIC = {
    "DATA_DIR", "Agency", "Choice", "ClassNode", "Classification", "ClassifierError",
    "ClassifierTree", "DataFileError", "FaqEntry", "FaqHit", "FileKnowledgeSource",
    "KnowledgeBase", "KnowledgeBaseError", "KnowledgeData", "KnowledgeSource", "OperatorGuide",
    "OutdatedReport", "PathEntry", "ResultCode", "Script", "ScriptLibrary", "ScriptPath",
    "ScriptRun", "ScriptRunError", "ScriptingError", "SearchOptions", "Service", "Step",
    "WrapUpCatalog", "WrapUpError", "WrapUpField", "import_faq_csv", "import_yaml",
}  # fmt: skip


def test_all_is_pinned() -> None:
    assert set(callcenter.scripting.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(callcenter.scripting, name)


def test_each_module_imports_on_its_own() -> None:
    for info in pkgutil.walk_packages(callcenter.scripting.__path__, "callcenter.scripting."):
        importlib.import_module(info.name)


def test_data_directories_are_packages_so_setuptools_ships_their_yaml() -> None:
    for sub in ("", "kb", "scripts", "classifier"):
        assert (DATA_DIR / sub / "__init__.py").is_file()
    assert len(list((DATA_DIR / "kb").glob("*.yaml"))) >= 3
    assert list(DATA_DIR.rglob("*.csv")) == []  # package data patterns ship *.yaml only


def test_error_ids_are_stable() -> None:
    errors = {
        cls.__name__: cls.error_id
        for cls in (
            callcenter.scripting.ScriptingError,
            callcenter.scripting.DataFileError,
            callcenter.scripting.ScriptRunError,
            callcenter.scripting.ClassifierError,
            callcenter.scripting.KnowledgeBaseError,
            callcenter.scripting.WrapUpError,
        )
    }
    assert errors == {
        "ScriptingError": "scripting_error",
        "DataFileError": "data_file_invalid",
        "ScriptRunError": "script_run_invalid",
        "ClassifierError": "classifier_invalid",
        "KnowledgeBaseError": "knowledge_base_invalid",
        "WrapUpError": "wrapup_invalid",
    }
