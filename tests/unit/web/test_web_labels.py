"""Titles for people from the shipped configuration: topics from the call scripts, survey
questions from the survey menu, report keys by grouping."""

from __future__ import annotations

from callcenter.ivr.menus import load_menus, shipped_menus_dir
from callcenter.scripting import DATA_DIR
from callcenter.scripting.scripts import ScriptLibrary
from callcenter.wiring.labels import report_labels, survey_questions, topic_titles


def test_topics_are_titled_by_their_scripts_up_to_the_dash() -> None:
    titles = topic_titles(ScriptLibrary.from_directory(DATA_DIR / "scripts"))
    assert titles["passport"] == "Паспорт и загранпаспорт"
    assert titles["housing"] == "ЖКХ"  # "ЖКХ — отопление, вода, вывоз мусора"
    assert set(titles) >= {"social", "medical", "transport", "general"}


def test_survey_questions_are_the_first_sentence_of_their_prompts() -> None:
    questions = survey_questions(load_menus(shipped_menus_dir())["survey"])
    assert questions["resolved"] == "Ваш вопрос решён?"
    assert questions["recommend"] == "Вы порекомендуете контакт-центр знакомым?"
    assert survey_questions(None) == {}


def test_report_keys_by_grouping() -> None:
    label = report_labels(
        queues={"citizens": "Обращения граждан"},
        topics={"passport": "Паспорт"},
        operator_name=lambda endpoint: {"PJSIP/101": "Иванова А."}.get(endpoint, endpoint),
    )
    assert label("queue", "citizens") == "Обращения граждан"
    assert label("queue", "ivr") == "Автоинформатор (IVR)"
    assert label("topic", "passport") == "Паспорт"
    assert label("topic", "unknown") == "unknown"
    assert label("operator", "PJSIP/101") == "Иванова А."
    assert label("hour", "09:00") == "09:00"
