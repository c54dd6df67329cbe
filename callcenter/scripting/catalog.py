"""Loads the shipped guidance data into one `OperatorGuide` (built on request, never at import).

Layout under `data_dir`: `kb/*.yaml|csv` (knowledge base), `scripts/*.yaml` (call scripts),
`classifier/*.yaml` (merged in name order), `wrapup.yaml` (result codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from callcenter.scripting.classifier import ClassifierTree
from callcenter.scripting.kb_loader import FileKnowledgeSource, KnowledgeSource
from callcenter.scripting.kb_model import FaqEntry
from callcenter.scripting.knowledge_base import KnowledgeBase
from callcenter.scripting.script_run import ScriptRun
from callcenter.scripting.scripts import ScriptLibrary, Step
from callcenter.scripting.wrapup import WrapUpCatalog

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class OperatorGuide:
    """Everything the operator workplace needs: KB + search, scripts, classifier, wrap-up."""

    knowledge_base: KnowledgeBase
    scripts: ScriptLibrary
    classifier: ClassifierTree
    wrapup: WrapUpCatalog

    @classmethod
    def load(
        cls, *, data_dir: Path = DATA_DIR, knowledge_source: KnowledgeSource | None = None
    ) -> OperatorGuide:
        """Load and cross-check all data; `knowledge_source` replaces the KB files (e.g. a DB)."""
        source = knowledge_source or FileKnowledgeSource.from_directory(data_dir / "kb")
        knowledge_base = KnowledgeBase.from_source(source)
        scripts = ScriptLibrary.from_directory(data_dir / "scripts")
        scripts.check_references(
            faq_ids=knowledge_base.faq_ids(),
            agency_ids={agency.id for agency in knowledge_base.agencies},
        )
        classifier = ClassifierTree.from_files(sorted((data_dir / "classifier").glob("*.yaml")))
        wrapup = WrapUpCatalog.from_file(data_dir / "wrapup.yaml")
        return cls(knowledge_base, scripts, classifier, wrapup)

    def start_script(self, topic: str | None) -> ScriptRun:
        """A fresh run of the script for the caller's topic (the `general` script if none fits)."""
        return ScriptRun(self.scripts.for_topic(topic))

    def topic_title(self, topic: str) -> str:
        """The Russian title of a caller's topic (its script's title), else the code itself."""
        script = self.scripts.for_topic(topic)
        return script.title if topic in script.topics else topic

    def faq_for_step(self, step: Step) -> tuple[FaqEntry, ...]:
        """The FAQ answers the script inserts at this step, in the script's order."""
        return tuple(self.knowledge_base.faq(faq_id) for faq_id in step.faq)
