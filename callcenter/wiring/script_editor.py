"""Call scripts an administrator edits: checked against the knowledge base, kept in the
database, put into the running operator guide at once and again at every start."""

from __future__ import annotations

import logging
from pathlib import Path

from callcenter.scripting import OperatorGuide
from callcenter.scripting.errors import DataFileError, ScriptingError
from callcenter.scripting.scripts import Script, ScriptLibrary, parse_script_text
from callcenter.store.repositories import Store
from callcenter.web.admin_scripts import ScriptInfo

log = logging.getLogger(__name__)


class StoreScriptEditor:
    def __init__(self, guide: OperatorGuide, store: Store) -> None:
        self._guide = guide
        self._store = store
        self._edited: dict[str, str] = {}  # script id -> the text it was saved as

    def scripts(self) -> list[ScriptInfo]:
        return [self._info(s) for s in self._guide.scripts]

    async def save(self, script_id: str, text: str, by: str) -> ScriptInfo:
        script = self._checked(script_id, text)
        await self._store.scripts.save(script_id, text, by)
        await self._store.audit.append(by, "script_saved", {"script": script_id})
        self._guide.scripts.put(script)
        self._edited[script_id] = text
        return self._info(script)

    async def load(self) -> None:
        """At start-up: the saved edits replace the shipped scripts (a broken one is skipped)."""
        for saved in await self._store.scripts.all():
            try:
                script = self._checked(saved.id, saved.body)
            except ScriptingError as exc:
                log.error("edited script %s ignored, the shipped one is used: %s", saved.id, exc)
                continue
            self._guide.scripts.put(script)
            self._edited[saved.id] = saved.body

    def _checked(self, script_id: str, text: str) -> Script:
        source = f"script {script_id}"
        script = parse_script_text(source, text)
        if script.id != script_id:
            raise DataFileError(source, "id", f"must stay {script_id!r}, not {script.id!r}")
        kb = self._guide.knowledge_base
        ScriptLibrary([script]).check_references(
            faq_ids=kb.faq_ids(), agency_ids={agency.id for agency in kb.agencies}
        )
        return script

    def _info(self, script: Script) -> ScriptInfo:
        edited = script.id in self._edited
        text = self._edited[script.id] if edited else Path(script.source).read_text("utf-8")
        return ScriptInfo(script.id, script.title, script.topics, edited, text)
