"""A small day of calls whose report figures were computed by hand (imported by the tests).

id  time   queue    topic      operator  outcome     wait  talk  in 40 s  notes
c1  08:05  general  ЖКХ        op101     answered    10    100   yes      rating 5, "да"
c2  08:20  general  ЖКХ        op101     answered    50    200   no       rating 3
c3  08:40  general  Транспорт  -         abandoned   30
c4  09:10  general  Транспорт  -         callback    35                   on time
c5  09:15  housing  ЖКХ        op102     answered    20    300   yes      in from north, 4, "нет"
c6  09:50  housing  ЖКХ        -         overflowed  38                   out to north
c7  03:00  general  Справка    -         ivr         0                    automatic mode
c8  09:55  general  Транспорт  -         callback    36                   late
"""

from __future__ import annotations

from datetime import UTC, datetime

from callcenter.web.reports import CallRow

Q = "Вопрос решён?"


def at(hour: int, minute: int) -> float:
    return datetime(2027, 1, 15, hour, minute, tzinfo=UTC).timestamp()


def row(call_id: str, when: float, queue: str, topic: str, outcome: str, wait: float,
        **extra: object) -> CallRow:  # fmt: skip
    fields: dict[str, object] = {
        "operator_id": None, "mode": "day", "talk_s": 0.0, "answered_within_limit": False,
    }  # fmt: skip
    fields.update(extra)
    return CallRow(call_id=call_id, arrived_at=when, queue=queue, topic=topic, outcome=outcome,
                   wait_s=wait, **fields)  # type: ignore[arg-type]  # fmt: skip


DAY = [
    row("c1", at(8, 5), "general", "ЖКХ", "answered", 10, operator_id="op101", talk_s=100,
        answered_within_limit=True, survey_rating=5, survey_answers=((Q, "да"),)),
    row("c2", at(8, 20), "general", "ЖКХ", "answered", 50, operator_id="op101", talk_s=200,
        survey_rating=3),
    row("c3", at(8, 40), "general", "Транспорт", "abandoned", 30),
    row("c4", at(9, 10), "general", "Транспорт", "callback", 35, callback_on_time=True),
    row("c5", at(9, 15), "housing", "ЖКХ", "answered", 20, operator_id="op102", talk_s=300,
        answered_within_limit=True, overflow_partner="north", overflow_direction="in",
        survey_rating=4, survey_answers=((Q, "нет"),)),
    row("c6", at(9, 50), "housing", "ЖКХ", "overflowed", 38, overflow_partner="north",
        overflow_direction="out"),
    row("c7", at(3, 0), "general", "Справка", "ivr", 0, mode="automatic"),
    row("c8", at(9, 55), "general", "Транспорт", "callback", 36, callback_on_time=False),
]  # fmt: skip
