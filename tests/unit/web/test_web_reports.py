"""Report figures against the hand-computed day in web_call_rows.py."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import pytest
from web_call_rows import DAY, Q

from callcenter.web.reports import TOTAL, CallRow, ReportLine, build_report, survey_answers


def by_key(lines: list[ReportLine]) -> dict[str, ReportLine]:
    return {line.key: line for line in lines}


def test_by_hour_matches_hand_computed_figures() -> None:
    lines = build_report(DAY, "hour", UTC)
    assert [x.key for x in lines] == ["03:00", "08:00", "09:00", TOTAL]
    night, eight, nine, total = lines
    assert (night.offered, night.ivr_served, night.sl_pct) == (0, 1, None)
    assert (eight.offered, eight.answered, eight.answered_in_limit, eight.abandoned) == (3, 2, 1, 1)
    assert eight.sl_pct == pytest.approx(100 / 3)
    assert (eight.asa_s, eight.aht_s) == (30.0, 150.0)
    assert (eight.surveys, eight.survey_avg, eight.ratings) == (2, 4.0, (0, 0, 1, 0, 1))
    assert (nine.offered, nine.answered, nine.sl_pct, nine.asa_s, nine.aht_s) == (
        4,
        1,
        25.0,
        20.0,
        300.0,
    )
    assert (nine.callbacks_requested, nine.callbacks_on_time) == (2, 1)
    assert (nine.overflow_out, nine.overflow_in) == (1, 1)
    assert (total.offered, total.answered, total.answered_in_limit) == (7, 3, 2)
    assert total.sl_pct == pytest.approx(200 / 7)
    assert total.asa_s == pytest.approx(80 / 3)
    assert (total.aht_s, total.abandoned, total.ivr_served, total.surveys) == (200.0, 1, 1, 3)


def test_hours_follow_the_given_time_zone() -> None:
    moscow = timezone(timedelta(hours=3))
    assert [x.key for x in build_report(DAY, "hour", moscow)][:3] == ["06:00", "11:00", "12:00"]


def test_by_operator_topic_queue_and_day() -> None:
    ops = by_key(build_report(DAY, "operator", UTC))
    assert set(ops) == {"op101", "op102", "—", TOTAL}
    assert (ops["op101"].answered, ops["op101"].sl_pct, ops["op101"].survey_avg) == (2, 50.0, 4.0)
    assert (ops["op102"].overflow_in, ops["op102"].ratings) == (1, (0, 0, 0, 1, 0))
    topics = by_key(build_report(DAY, "topic", UTC))
    assert (topics["ЖКХ"].offered, topics["ЖКХ"].sl_pct, topics["ЖКХ"].surveys) == (4, 50.0, 3)
    assert (topics["Транспорт"].sl_pct, topics["Транспорт"].callbacks_requested) == (0.0, 2)
    queues = by_key(build_report(DAY, "queue", UTC))
    assert (queues["housing"].offered, queues["housing"].overflow_out) == (2, 1)
    assert [x.key for x in build_report(DAY, "day", UTC)] == ["2027-01-15", TOTAL]


def test_empty_input_gives_only_an_empty_total() -> None:
    (total,) = build_report([], "queue", UTC)
    assert (total.key, total.offered, total.sl_pct, total.asa_s, total.survey_avg) == (
        TOTAL, 0, None, None, None,
    )  # fmt: skip


def test_unknown_grouping_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown grouping"):
        build_report(DAY, "week", UTC)


def test_survey_answers_are_counted_per_group() -> None:
    answers = survey_answers(DAY, "operator", UTC)
    assert [(a.key, a.question, a.answer, a.count) for a in answers] == [
        ("op101", Q, "да", 1),
        ("op102", Q, "нет", 1),
    ]


def test_partner_lines_show_what_became_of_handed_over_calls() -> None:
    def row(call_id: str, outcome: str, **kw: object) -> CallRow:
        base: dict[str, object] = dict(
            call_id=call_id, arrived_at=0.0, queue="q", topic="t", operator_id=None, mode="day",
            outcome=outcome, wait_s=0.0, talk_s=0.0, answered_within_limit=False,
        )  # fmt: skip
        return CallRow(**{**base, **kw})  # type: ignore[arg-type]

    rows = [
        row("s1", "overflowed", overflow_partner="north", overflow_direction="out",
            partner_outcome="answered", partner_wait_s=10.0),
        row("s2", "overflowed", overflow_partner="north", overflow_direction="out",
            partner_outcome="abandoned", partner_wait_s=50.0),
        row("s3", "overflowed", overflow_partner="north", overflow_direction="out"),
        row("r1", "answered", overflow_partner="north", overflow_direction="in", wait_s=4.0),
        row("r2", "answered", overflow_partner="north", overflow_direction="in", wait_s=8.0),
        row("r3", "abandoned", overflow_partner="north", overflow_direction="in", wait_s=30.0),
        row("own", "answered", wait_s=90.0),
    ]  # fmt: skip
    north = by_key(build_report(rows, "partner", UTC))["north"]
    assert (north.overflow_out, north.overflow_out_answered) == (3, 1)
    assert north.overflow_out_wait_s == pytest.approx(30.0)  # only the reported ones
    assert (north.overflow_in, north.overflow_in_answered) == (3, 2)
    assert north.overflow_in_asa_s == pytest.approx(6.0)
