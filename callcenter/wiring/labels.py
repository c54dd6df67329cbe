"""Names for people instead of codes, taken from the configuration that already holds them:
queue titles from the settings, topic titles from the operators' call scripts (one script per
topic, "Паспорт и загранпаспорт"), survey questions from the survey menu's own prompts, operators'
names from the user directory."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from callcenter.ivr.menus import Menu
from callcenter.scripting.scripts import Script


def topic_titles(scripts: Iterable[Script]) -> dict[str, str]:
    """A script's title up to its dash ("ЖКХ — отопление, вода…" is "ЖКХ") for each topic."""
    titles: dict[str, str] = {}
    for script in scripts:
        for topic in script.topics:
            titles.setdefault(topic, script.title.split(" — ")[0].strip())
    return titles


def survey_questions(menu: Menu | None) -> dict[str, str]:
    """Each stored answer's question: the first sentence of the prompt that asks it."""
    if menu is None:
        return {}
    questions: dict[str, str] = {}
    for node in menu.nodes.values():
        if node.store_as and node.prompt:
            text = menu.prompts.get(node.prompt, "")
            end = text.find("?")
            questions[node.store_as] = text[: end + 1] if end >= 0 else text
    return questions


def report_labels(
    *,
    queues: Mapping[str, str],
    topics: Mapping[str, str],
    operator_name: Callable[[str], str],
) -> Callable[[str, str], str]:
    """(grouping, key) -> what the report shows for the key."""

    def label(group: str, key: str) -> str:
        if group == "queue":
            return queues.get(key, "Автоинформатор (IVR)" if key == "ivr" else key)
        if group == "topic":
            return topics.get(key, key)
        if group == "operator":
            return operator_name(key)
        return key

    return label
