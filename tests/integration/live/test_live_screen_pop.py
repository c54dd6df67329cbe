"""The operator's screen pop says how the caller came: their menu choices, or that this is the
callback they asked for (issue 6)."""

from pathlib import Path

import aiohttp
import pytest
from live_center import CALLBACK_MODES, Center, live_center

from callcenter.emulator.callers import CallerScript
from callcenter.scripting.catalog import DATA_DIR

GREETING = "Контакт-центр госуслуг, оператор {operator_name}. Слушаю вас."


async def edit_passport_greeting(center: Center) -> None:
    """The administrator rewrites the greeting of the passport script in the app."""
    shipped = (DATA_DIR / "scripts" / "passport.yaml").read_text(encoding="utf-8")
    text = shipped.replace(
        "text: Единый контакт-центр, оператор {operator_name}, здравствуйте! Чем могу помочь?",
        f"text: {GREETING}",
    )
    assert text != shipped
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(center.url, cookie_jar=jar) as http:
        form = {"login": "admin", "password": "admin", "next": ""}
        async with http.post("/login", data=form, allow_redirects=False) as resp:
            assert resp.status == 302
        async with http.put("/api/admin/scripts/passport", json={"yaml": text}) as resp:
            assert resp.status == 200, await resp.text()


async def test_the_pop_shows_the_menu_choices_and_the_edited_script(tmp_path: Path) -> None:
    async with live_center(tmp_path, operators={"PJSIP/101": 30.0}) as center:
        await edit_passport_greeting(center)
        uid = center.emulator.place_call(
            CallerScript(number="+79161234567", digits={"day_topics": "1"}, talk_s=60)
        )
        await center.wait_for(lambda: center.answered(uid), virtual_s=60, label="answered")
        view = await center.operator_view("op101", uid)
        pop = view["pop"]
        assert pop["arrival"]["kind"] == "direct"
        assert pop["arrival"]["ivr_choices"] == ["паспорт"]
        assert pop["topic"] == "passport"
        # The script the operator follows is the one the administrator just saved.
        assert view["script"]["step"]["text"] == GREETING.format(operator_name="Оператор 101")


@pytest.mark.parametrize("mode", CALLBACK_MODES)
async def test_the_pop_of_a_callback_names_it(tmp_path: Path, mode: str) -> None:
    async with live_center(
        tmp_path, at="10:00", operators={"PJSIP/101": 40.0}, callback_mode=mode
    ) as center:
        await center.busy_operator()
        uid = center.emulator.place_call(
            CallerScript(number="+79161110002", accept_callback=True, talk_s=30)
        )
        callback_id = f"cb-{uid}"

        async def dialled() -> bool:
            await center.runtime.recorder.drain()
            return bool(await center.store.callbacks.attempts(callback_id))

        for _ in range(200):
            if await dialled():
                break
            await center.clock.sleep(3)
        await center.wait_for(
            lambda: center.runtime.engine.callbacks.desk.requests.get(callback_id) is None,
            virtual_s=60,
            label="callback connected",
        )
        view = await center.operator_view("op101", callback_id)
        pop = view["pop"]
        assert pop["arrival"]["kind"] == "callback"
        assert pop["arrival"]["callback_id"] == callback_id
        assert pop["number"] == "+79161110002"
        # Citizen-first: taken from the queue the caller had been in, after a short wait there.
        assert pop["queue"] == ("citizens" if mode == "citizen_first" else "")
        assert len(center.dials(callback_id)) == 1
