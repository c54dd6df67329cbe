"""The operator's screen pop says how the caller came: their menu choices, or that this is the
callback they asked for (issue 6)."""

from pathlib import Path

from live_center import live_center

from callcenter.emulator.callers import CallerScript


async def test_the_pop_shows_the_menu_choices_of_a_day_caller(tmp_path: Path) -> None:
    async with live_center(tmp_path, operators={"PJSIP/101": 30.0}) as center:
        uid = center.emulator.place_call(
            CallerScript(number="+79161234567", digits={"day_topics": "1"}, talk_s=60)
        )
        await center.wait_for(lambda: center.answered(uid), virtual_s=60, label="answered")
        pop = (await center.operator_view("op101", uid))["pop"]
        assert pop["arrival"]["kind"] == "direct"
        assert pop["arrival"]["ivr_choices"] == ["паспорт"]
        assert pop["topic"] == "passport"


async def test_the_pop_of_a_callback_names_it(tmp_path: Path) -> None:
    async with live_center(tmp_path, at="10:00", operators={"PJSIP/101": 40.0}) as center:
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
        assert view["pop"]["arrival"]["kind"] == "callback"
        assert view["pop"]["arrival"]["callback_id"] == callback_id
        assert view["pop"]["number"] == "+79161110002"
