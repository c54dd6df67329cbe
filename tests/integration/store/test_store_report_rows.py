"""Report rows read from the store carry each call's callback outcome and survey answers."""

from __future__ import annotations

from callcenter.store.records import CallRecord, NewCallback, SurveyAnswer
from callcenter.store.repositories import Store
from callcenter.wiring.web_sources import StoreReportSource

T0 = 1_700_000_000.0


async def _callback_call(store: Store, call_id: str, at: float) -> str:
    await store.calls.upsert_call(
        CallRecord(id=call_id, arrived_at=at, queue="citizens", outcome="callback", wait_s=30)
    )
    request = NewCallback(
        number="+79161234567", requested_at=at + 30, deadline=at + 630, source_call_id=call_id
    )
    return (await store.callbacks.create(request)).id


async def test_rows_carry_callback_timeliness_and_survey_answers(store: Store) -> None:
    on_time = await _callback_call(store, "c-on-time", T0)
    late = await _callback_call(store, "c-late", T0 + 1)
    await _callback_call(store, "c-open", T0 + 2)
    await store.callbacks.mark_outcome(on_time, "done", "on_time")
    await store.callbacks.mark_outcome(late, "done", "late:busy")
    await store.calls.upsert_call(
        CallRecord(id="c-rated", arrived_at=T0 + 3, queue="citizens", outcome="answered",
                   wait_s=5, talk_s=60, survey_rating=4)
    )  # fmt: skip
    for question, answer in (("rating", "4"), ("resolved", "yes"), ("recommend", "no")):
        await store.calls.record_survey(SurveyAnswer("c-rated", question, answer, T0 + 90))

    rows = await StoreReportSource(store, limit_of=lambda q: 40.0)(T0, T0 + 10)

    by_id = {r.call_id: r for r in rows}
    assert by_id["c-on-time"].callback_on_time is True
    assert by_id["c-late"].callback_on_time is False
    assert by_id["c-open"].callback_on_time is None
    assert by_id["c-rated"].callback_on_time is None
    assert by_id["c-rated"].survey_rating == 4
    assert set(by_id["c-rated"].survey_answers) == {("resolved", "yes"), ("recommend", "no")}
    assert by_id["c-on-time"].survey_answers == ()
