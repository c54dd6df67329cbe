"""Operator guidance: call scripts, the FAQ knowledge base with Russian search, the appeal
classifier and call wrap-up codes. Pure Python over shipped data files; no web, no database.

Entry point: `OperatorGuide.load()` builds everything (nothing is built at import time).
"""

from callcenter.scripting.catalog import DATA_DIR, OperatorGuide
from callcenter.scripting.classifier import Classification, ClassifierTree, ClassNode
from callcenter.scripting.errors import (
    ClassifierError,
    DataFileError,
    KnowledgeBaseError,
    ScriptingError,
    ScriptRunError,
)
from callcenter.scripting.kb_loader import (
    FileKnowledgeSource,
    KnowledgeSource,
    import_faq_csv,
    import_yaml,
)
from callcenter.scripting.kb_model import (
    Agency,
    FaqEntry,
    KnowledgeData,
    OutdatedReport,
    Service,
)
from callcenter.scripting.knowledge_base import FaqHit, KnowledgeBase
from callcenter.scripting.script_run import PathEntry, ScriptPath, ScriptRun
from callcenter.scripting.scripts import Choice, Script, ScriptLibrary, Step
from callcenter.scripting.search import SearchOptions
from callcenter.scripting.wrapup import ResultCode, WrapUpCatalog, WrapUpError, WrapUpField

__all__ = [
    "DATA_DIR",
    "Agency",
    "Choice",
    "ClassNode",
    "Classification",
    "ClassifierError",
    "ClassifierTree",
    "DataFileError",
    "FaqEntry",
    "FaqHit",
    "FileKnowledgeSource",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "KnowledgeData",
    "KnowledgeSource",
    "OperatorGuide",
    "OutdatedReport",
    "PathEntry",
    "ResultCode",
    "Script",
    "ScriptLibrary",
    "ScriptPath",
    "ScriptRun",
    "ScriptRunError",
    "ScriptingError",
    "SearchOptions",
    "Service",
    "Step",
    "WrapUpCatalog",
    "WrapUpError",
    "WrapUpField",
    "import_faq_csv",
    "import_yaml",
]
