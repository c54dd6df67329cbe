"""An administrator edits a call script in the app: checked like the shipped files, kept in the
database, used after a restart; operators and supervisors cannot edit."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.bootstrap import BuildOptions, build
from callcenter.config import Settings
from callcenter.scripting.catalog import DATA_DIR

SHIPPED = (DATA_DIR / "scripts" / "passport.yaml").read_text(encoding="utf-8")
RENAMED = SHIPPED.replace("title: Паспорт и загранпаспорт", "title: Паспорта (новая редакция)")


Client = TestClient[web.Request, web.Application]


async def signed_in(app: web.Application, login: str) -> Client:
    client: Client = TestClient(TestServer(app))
    await client.start_server()
    form = {"login": login, "password": login, "next": ""}
    resp = await client.post("/login", data=form, allow_redirects=False)
    assert resp.status == 302
    return client


async def put(client: Client, text: str) -> aiohttp.ClientResponse:
    return await client.put("/api/admin/scripts/passport", json={"yaml": text})


async def test_an_edited_script_is_checked_saved_and_kept_across_a_restart(tmp_path: Path) -> None:
    settings = Settings(mode="demo", database_url=f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    client = await signed_in(build(settings, BuildOptions(with_runtime=False)), "admin")
    try:
        listed = {s["id"]: s for s in await (await client.get("/api/admin/scripts")).json()}
        assert listed["passport"]["edited"] is False
        assert listed["passport"]["yaml"] == SHIPPED

        broken = await put(client, SHIPPED.replace("next: identification", "next: nowhere"))
        assert broken.status == 400
        body = await broken.json()
        assert body["error_id"] == "invalid_script"
        assert "unknown step 'nowhere'" in body["message"]
        bad_faq = await put(client, SHIPPED.replace("faq: [", "faq: [faq.no.such, ", 1))
        assert bad_faq.status == 400
        assert "unknown FAQ id 'faq.no.such'" in (await bad_faq.json())["message"]
        renamed_id = await put(client, SHIPPED.replace("id: passport", "id: passport2", 1))
        assert renamed_id.status == 400
        assert "must stay 'passport'" in (await renamed_id.json())["message"]
        assert (await put(client, "steps: [")).status == 400  # not even YAML

        saved = await put(client, RENAMED)
        assert saved.status == 200, await saved.text()
        assert (await saved.json())["title"] == "Паспорта (новая редакция)"
        audit = await (await client.get("/api/supervisor/audit")).json()
        assert any(e["action"] == "script_saved" for e in audit)
    finally:
        await client.close()

    restarted = await signed_in(build(settings, BuildOptions(with_runtime=False)), "admin")
    try:
        listed = {s["id"]: s for s in await (await restarted.get("/api/admin/scripts")).json()}
        assert listed["passport"]["edited"] is True
        assert listed["passport"]["title"] == "Паспорта (новая редакция)"
        page = await restarted.get("/admin/scripts")
        assert page.status == 200
        assert "Сценарии разговора" in await page.text()
    finally:
        await restarted.close()


async def test_only_an_administrator_may_edit(tmp_path: Path) -> None:
    settings = Settings(mode="demo", database_url=f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    for login in ("op101", "supervisor"):
        client = await signed_in(build(settings, BuildOptions(with_runtime=False)), login)
        try:
            assert (await put(client, RENAMED)).status == 403
            assert (await client.get("/api/admin/scripts")).status == 403
        finally:
            await client.close()
