"""After the operator ends a day call the caller rates it in the survey IVR; the rating and the
answers are stored with the call (issues 7 and 8)."""

from pathlib import Path

from live_center import live_center

from callcenter.emulator.callers import CallerScript


async def test_the_survey_after_a_day_call_stores_its_rating(tmp_path: Path) -> None:
    async with live_center(tmp_path, operators={"PJSIP/101": 20.0}) as center:
        script = CallerScript(
            number="+79161234567",
            # The operator ends the call after 20 s; the caller stays for the survey.
            talk_s=600,
            digits={"survey_rating": "4", "survey_resolved": "1", "survey_recommend": "2"},
        )
        uid = center.emulator.place_call(script)
        await center.wait_for(lambda: center.ended(uid), virtual_s=180, label="survey over")
        record = await center.call_record(uid)
        assert (record.outcome, record.survey_rating) == ("answered", 4)
        answers = {a.question: a.answer for a in await center.store.calls.surveys(uid)}
        assert answers == {"rating": "4", "resolved": "yes", "recommend": "no"}
        ivr = [e for e in await center.store.calls.timeline(uid) if e.kind == "ivr"]
        survey = [e.details for e in ivr if e.details["menu"] == "survey"]
        assert len(survey) == 1
        assert [s["node"] for s in survey[0]["path"]][:2] == ["intro", "rating"]


async def test_a_caller_who_hangs_up_first_is_not_surveyed(tmp_path: Path) -> None:
    async with live_center(tmp_path, operators={"PJSIP/101": 600.0}) as center:
        uid = center.emulator.place_call(CallerScript(number="+79161234567", talk_s=15))
        await center.wait_for(lambda: center.ended(uid), virtual_s=120, label="call over")
        record = await center.call_record(uid)
        assert record.survey_rating is None
        assert await center.store.calls.surveys(uid) == []
