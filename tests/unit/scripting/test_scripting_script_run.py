"""ScriptRun: walking a script, branches, mandatory questions, the stored path."""

from __future__ import annotations

import pytest

from callcenter.scripting import OperatorGuide, ScriptRun, ScriptRunError
from callcenter.scripting.scripts import parse_script


def _run() -> ScriptRun:
    script = parse_script(
        "demo.yaml",
        {
            "id": "demo",
            "title": "Демо",
            "steps": [
                {"id": "greeting", "kind": "greeting", "text": "Здравствуйте", "next": "name"},
                {
                    "id": "name",
                    "kind": "identification",
                    "text": "Ваше имя?",
                    "mandatory": True,
                    "input": True,
                    "next": "topic",
                },
                {
                    "id": "topic",
                    "kind": "topic",
                    "text": "Тема?",
                    "choices": [
                        {"id": "info", "label": "Справка", "next": "answer"},
                        {"id": "appeal", "label": "Обращение", "next": "appeal_text"},
                    ],
                },
                {"id": "answer", "kind": "faq", "text": "Ответ", "next": "closing"},
                {
                    "id": "appeal_text",
                    "kind": "question",
                    "text": "Суть обращения?",
                    "mandatory": True,
                    "input": True,
                    "next": "closing",
                },
                {"id": "closing", "kind": "closing", "text": "До свидания"},
            ],
        },
    )
    return ScriptRun(script)


def test_walk_a_branch_to_the_end_and_record_the_path() -> None:
    run = _run()
    assert run.current_step.id == "greeting"
    assert run.answer("greeting").id == "name"
    run.answer("name", " Иванов Иван ")
    assert [c.id for c in run.choices] == ["info", "appeal"]
    assert run.answer("topic", "Обращение").id == "appeal_text"  # label works like the id
    run.answer("appeal_text", "Нет отопления с понедельника")
    assert run.finished
    path = run.close()
    assert path.step_ids == ("greeting", "name", "topic", "appeal_text")
    assert path.entries[1].answer == "Иванов Иван"
    assert (path.entries[2].answer, path.entries[2].label) == ("appeal", "Обращение")
    assert path.completed
    steps = path.as_dict()["steps"]
    assert isinstance(steps, list)
    assert steps[3] == {
        "step_id": "appeal_text",
        "answer": "Нет отопления с понедельника",
        "label": "",
    }


def test_answer_must_target_the_current_step() -> None:
    run = _run()
    with pytest.raises(ScriptRunError, match="'topic' is not the current step") as info:
        run.answer("topic", "info")
    assert info.value.details == {"current": "greeting"}


def test_invalid_choice_lists_the_allowed_ones() -> None:
    run = _run()
    run.answer("greeting")
    run.answer("name", "Пётр")
    with pytest.raises(ScriptRunError, match=r"not one of the choices \(info, appeal\)"):
        run.answer("topic", "maybe")
    assert run.current_step.id == "topic"


def test_mandatory_free_text_cannot_be_empty() -> None:
    run = _run()
    run.answer("greeting")
    with pytest.raises(ScriptRunError, match="answer is mandatory"):
        run.answer("name", "   ")


def test_close_before_mandatory_questions_names_them() -> None:
    run = _run()
    run.answer("greeting")
    with pytest.raises(ScriptRunError, match="mandatory questions not answered: name") as info:
        run.close()
    assert info.value.details == {"missing": ["name"]}
    assert not run.closed


def test_early_close_only_requires_unavoidable_mandatory_steps() -> None:
    run = _run()
    run.answer("greeting")
    run.answer("name", "Анна")
    # appeal_text is mandatory but only on one branch: the call may end here (caller hung up).
    assert run.missing_mandatory() == ()
    path = run.close()
    assert not path.completed
    assert path.step_ids == ("greeting", "name")


def test_on_the_appeal_branch_the_appeal_text_becomes_mandatory() -> None:
    run = _run()
    run.answer("greeting")
    run.answer("name", "Анна")
    run.answer("topic", "appeal")
    assert [s.id for s in run.missing_mandatory()] == ["appeal_text"]
    with pytest.raises(ScriptRunError, match="appeal_text"):
        run.close()


def test_back_undoes_the_last_answer() -> None:
    run = _run()
    run.answer("greeting")
    run.answer("name", "Анна")
    run.answer("topic", "appeal")
    assert run.back().id == "topic"
    assert run.answer("topic", "info").id == "answer"
    assert run.path.step_ids == ("greeting", "name", "topic")
    assert run.path.entries[-1].answer == "info"
    fresh = _run()
    with pytest.raises(ScriptRunError, match="nothing to undo"):
        fresh.back()


def test_closed_run_and_closing_step_refuse_answers() -> None:
    run = _run()
    for step_id, value in [("greeting", ""), ("name", "А"), ("topic", "info"), ("answer", "")]:
        run.answer(step_id, value)
    with pytest.raises(ScriptRunError, match="call close"):
        run.answer("closing")
    run.close()
    with pytest.raises(ScriptRunError, match="already closed"):
        run.answer("closing")
    with pytest.raises(ScriptRunError, match="already closed"):
        run.close()


def test_shipped_passport_script_end_to_end(guide: OperatorGuide) -> None:
    run = guide.start_script("passport")
    run.answer("greeting")
    run.answer("identification", "Иванова Мария Петровна")
    run.answer("topic", "foreign")
    step = run.answer("foreign_question", "fee")
    assert [e.id for e in guide.faq_for_step(step)] == ["faq.passport.foreign_fee"]
    run.answer(step.id)
    with pytest.raises(ScriptRunError, match="resolution"):
        run.close()
    run.answer("resolution", "answered")
    path = run.close()
    assert path.script_id == "passport"
    assert path.step_ids[-1] == "resolution"


def test_unknown_topic_starts_the_general_script(guide: OperatorGuide) -> None:
    assert guide.start_script("astrology").script.id == "general"
    assert guide.start_script(None).script.id == "general"


def test_every_shipped_script_can_reach_closing_by_first_choices(guide: OperatorGuide) -> None:
    for script in guide.scripts:
        run = ScriptRun(script)
        for _ in range(len(script.steps)):
            if run.finished:
                break
            step = run.current_step
            run.answer(step.id, step.choices[0].id if step.choices else "текст")
        assert run.finished, script.id
        assert run.close().completed
