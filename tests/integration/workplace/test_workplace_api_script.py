"""The screen pop and the call script over the API: history newest first, script walked step by
step with FAQ answers at the right step, mistakes refused, the path stored at wrap-up."""

from __future__ import annotations

from workplace_support import CALLER, T0, WorkplaceWorld, api, passport_pop, sign_in

from callcenter.web.workplace_model import Arrival, HistoryEntry

SCRIPT = "/api/operator/calls/c1/script"


async def test_the_screen_pop_shows_how_the_caller_came_and_their_history_newest_first(
    world: WorkplaceWorld,
) -> None:
    world.store.seed_history(CALLER, [
        HistoryEntry("call", T0 - 86400 * 30, "Консультация по субсидии", "old1"),
        HistoryEntry("appeal", T0 - 86400 * 2, "Жалоба на отопление", "ОБ-000017"),
        HistoryEntry("callback", T0 - 86400 * 10, "Обратный звонок выполнен", "cb9"),
    ])  # fmt: skip
    arrival = Arrival("overflow", overflow_from="Северный ЦОВ",
                      overflow_context=(("Тема", "ЖКХ"), ("Обращение", "N-55")))  # fmt: skip
    world.hub.pop("op101", passport_pop(arrival=arrival, waited_s=38.5))
    await sign_in(world.client, "op101")
    call = await api(world.client, "GET", "/api/operator/calls/c1")
    pop = call["pop"]
    assert (pop["number"], pop["caller_name"], pop["waited_s"]) == (CALLER, "Иванов Иван", 38.5)
    assert pop["arrival"]["overflow_from"] == "Северный ЦОВ"
    assert pop["arrival"]["overflow_context"] == [["Тема", "ЖКХ"], ["Обращение", "N-55"]]
    assert pop["arrival_title"] == "Перенаправлен из другого центра"
    assert [h["ref"] for h in call["history"]] == ["ОБ-000017", "cb9", "old1"]
    assert call["script"]["script_id"] == "passport"
    assert "Оператор 101" in call["script"]["step"]["text"]


async def test_the_operator_walks_the_script_and_the_path_is_stored(world: WorkplaceWorld) -> None:
    world.hub.pop("op101", passport_pop())
    await sign_in(world.client, "op101")
    view = await api(world.client, "POST", SCRIPT, {"step_id": "greeting"})
    assert view["step"]["id"] == "identification"
    assert view["step"]["mandatory"]
    err = await api(world.client, "POST", SCRIPT, {"step_id": "identification"}, status=400)
    assert (err["error_id"], err["message"]) == (
        "script_run_invalid", "Ответ на этот вопрос сценария обязателен",
    )  # fmt: skip
    await api(world.client, "POST", SCRIPT, {"step_id": "identification", "answer": "Иванов И."})
    view = await api(world.client, "POST", SCRIPT, {"step_id": "topic", "answer": "foreign"})
    err = await api(world.client, "POST", SCRIPT,
                    {"step_id": "foreign_question", "answer": "visa"}, status=400)  # fmt: skip
    assert err["message"] == "Выберите один из предложенных вариантов ответа"
    assert err["details"]["choices"] == ["how", "fee", "child", "status"]
    view = await api(world.client, "POST", SCRIPT, {"step_id": "foreign_question", "answer": "how"})
    assert [f["id"] for f in view["step"]["faq"]] == ["faq.passport.foreign_how"]
    view = await api(world.client, "POST", f"{SCRIPT}/back")
    assert view["step"]["id"] == "foreign_question"
    view = await api(world.client, "POST", SCRIPT, {"step_id": "foreign_question", "answer": "fee"})
    assert view["step"]["faq"][0]["answer"].startswith("Госпошлина за загранпаспорт")
    err = await api(world.client, "POST", SCRIPT, {"step_id": "topic", "answer": "x"}, status=400)
    assert err["message"] == "Этот шаг сценария уже не текущий: обновите страницу"
    await api(world.client, "POST", SCRIPT, {"step_id": "faq_foreign_fee"})
    view = await api(world.client, "POST", SCRIPT, {"step_id": "resolution", "answer": "answered"})
    assert view["finished"]
    assert view["missing"] == []

    world.hub.call_ended("op101", "c1")
    await api(
        world.client, "POST", "/api/operator/calls/c1/wrapup", {"result_code": "answered_faq"}
    )
    operator_id, path = world.store.script_paths["c1"]
    assert operator_id == "op101"
    assert path.completed
    assert path.step_ids == ("greeting", "identification", "topic", "foreign_question",
                             "faq_foreign_fee", "resolution")  # fmt: skip
    fields = dict(world.store.wrapups[0].fields)
    assert (fields["faq_id"], fields["topic"]) == ("faq.passport.foreign_fee", "passport")
    assert fields["citizen_name"] == "Иванов И."
