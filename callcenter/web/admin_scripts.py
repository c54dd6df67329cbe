"""Call scripts edited by an administrator in the app: `/admin/scripts` and its API.

    GET /api/admin/scripts              every script: id, title, topics, edited, yaml
    PUT /api/admin/scripts/{script_id}  {"yaml": "..."}: checked like the shipped files, then
                                        used for the next call and kept across restarts

The checks and the storage are the `ScriptEditor` port's (see `callcenter/wiring`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from callcenter.scripting.errors import ScriptingError
from callcenter.web.auth import USER, require_role
from callcenter.web.errors import ApiError, NotFound
from callcenter.web.workplace_http import read_json, reply

PAGE = Path(__file__).resolve().parent / "pages" / "admin_scripts.html"
MAX_SCRIPT_BYTES = 200_000


@dataclass(frozen=True)
class ScriptInfo:
    id: str
    title: str
    topics: tuple[str, ...]
    edited: bool  # saved by an administrator (else: as shipped)
    yaml: str


class ScriptEditor(Protocol):
    def scripts(self) -> list[ScriptInfo]: ...

    async def save(self, script_id: str, text: str, by: str) -> ScriptInfo:
        """Raises `ScriptingError` (naming the key) when the text is not a valid script."""
        ...


EDITOR = web.AppKey("script_editor", ScriptEditor)


def add_script_admin_routes(app: web.Application, editor: ScriptEditor) -> None:
    app[EDITOR] = editor
    app.router.add_get("/admin/scripts", get_page)
    app.router.add_get("/api/admin/scripts", get_scripts)
    app.router.add_put("/api/admin/scripts/{script_id}", put_script)


@require_role("admin")
async def get_page(request: web.Request) -> web.Response:
    return web.Response(text=PAGE.read_text(encoding="utf-8"), content_type="text/html")


@require_role("admin")
async def get_scripts(request: web.Request) -> web.Response:
    return reply([asdict(s) for s in request.app[EDITOR].scripts()])


@require_role("admin")
async def put_script(request: web.Request) -> web.Response:
    script_id = request.match_info["script_id"]
    body: Any = await read_json(request)
    text = body.get("yaml") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise ApiError("invalid_input", "Передайте текст сценария в поле «yaml»", {"field": "yaml"})
    if len(text.encode()) > MAX_SCRIPT_BYTES:
        raise ApiError("invalid_input", "Сценарий слишком большой", {"field": "yaml"})
    editor = request.app[EDITOR]
    if script_id not in {s.id for s in editor.scripts()}:
        raise NotFound("unknown_script", f"Сценарий «{script_id}» не найден", {})
    try:
        saved = await editor.save(script_id, text, request[USER].id)
    except ScriptingError as exc:
        raise ApiError(
            "invalid_script", f"Сценарий не сохранён: {exc.message}", exc.details
        ) from exc
    return reply(asdict(saved))
