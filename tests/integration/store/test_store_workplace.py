"""The operator workplace on the database (issue 6): everything the operator records reaches the
caller's history, newest first and in Russian, and the operator's own calls; on SQLite and on
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from store_fixtures import FakeClock

from callcenter.scripting import OperatorGuide, OutdatedReport
from callcenter.scripting.script_run import PathEntry, ScriptPath
from callcenter.store.records import CallRecord
from callcenter.store.repositories import Store
from callcenter.web.errors import ApiError
from callcenter.web.workplace_model import WRAPUP_TIMEOUT_CODE, Appeal, CallAction, WrapUp
from callcenter.wiring.workplace_sql import SqlWorkplaceStore

PHONE = "+79161234567"
T0 = 1_790_000_000.0


@pytest.fixture(scope="module")
def guide() -> OperatorGuide:
    return OperatorGuide.load()


def _action(kind: str, at: float, summary: str, **details: str) -> CallAction:
    return CallAction("c1", "op101", PHONE, kind, at, summary, tuple(details.items()))


async def test_history_holds_every_action_of_a_call_newest_first(
    store: Store, clock: FakeClock, guide: OperatorGuide
) -> None:
    wp = SqlWorkplaceStore(store, guide)
    # Asterisk's caller id spells the number the domestic way; the history still finds it.
    await store.calls.upsert_call(
        CallRecord(id="c1", caller_number="89161234567", arrived_at=T0, topic="passport",
                   outcome="answered")
    )  # fmt: skip
    appeal = Appeal("c1", "op101", PHONE, "complaint", "passport.foreign.deadline_violation.mfc",
                    "Паспорт / Загранпаспорт", "Не выдан в срок", "agency.mfc_central", "urgent",
                    T0 + 10)  # fmt: skip
    number = await wp.save_appeal(appeal)
    await wp.save_action(_action("callback", T0 + 20, "Обратный звонок на +79161234567"))
    await wp.save_action(_action("appointment", T0 + 30, "Запись в МФЦ на 03.12 10:00"))
    await wp.save_outdated_report(
        OutdatedReport("faq.passport.foreign_how", "faq", "Пошлина изменилась", "op101",
                       datetime.fromtimestamp(T0 + 40, UTC), call_id="c1", phone=PHONE)
    )  # fmt: skip
    await wp.save_action(
        _action("transfer", T0 + 50, "Переведён в «МВД»: ждёт справку", note="ждёт справку")
    )
    path = ScriptPath("passport", (PathEntry("greeting", ""),), False)
    await wp.save_script_path("c1", "op101", path)
    fields = (("agency_id", "agency.mvd"),)
    await wp.save_wrapup(WrapUp("c1", "op101", PHONE, "transferred", fields, T0 + 55, T0 + 60))

    history = await wp.history("89161234567")
    kinds = [(h.kind, h.at) for h in history]
    assert kinds == [
        ("transfer", T0 + 50), ("report", T0 + 40), ("appointment", T0 + 30),
        ("callback", T0 + 20), ("appeal", T0 + 10), ("call", T0),
    ]  # fmt: skip
    by_kind = {h.kind: h for h in history}
    assert by_kind["transfer"].summary.endswith("ждёт справку")
    question = guide.knowledge_base.faq("faq.passport.foreign_how").question
    assert by_kind["report"].summary == (f"Устаревшие сведения «{question}»: Пошлина изменилась")
    assert by_kind["appeal"].summary == "Жалоба: Паспорт / Загранпаспорт"
    assert by_kind["appeal"].ref == number
    assert by_kind["call"].summary == (
        "Звонок (Паспорт и загранпаспорт): разговор с оператором, результат — "
        + guide.wrapup.codes["transferred"].label
    )
    record = await store.calls.get_call("c1")
    assert record is not None
    assert record.script_path == ("greeting",)


async def test_a_call_known_only_by_its_wrapup_is_in_the_history(
    store: Store, guide: OperatorGuide
) -> None:
    """A callback the center dialled has no call row with the citizen's number."""
    wp = SqlWorkplaceStore(store, guide)
    await wp.save_wrapup(WrapUp("cb-1", "op101", PHONE, WRAPUP_TIMEOUT_CODE, (), T0, T0 + 5, True))
    (entry,) = await wp.history(PHONE)
    assert (entry.kind, entry.ref) == ("call", "cb-1")
    assert "время обработки истекло" in entry.summary


async def test_the_operators_own_calls_newest_first(store: Store, guide: OperatorGuide) -> None:
    wp = SqlWorkplaceStore(store, guide)
    for i, operator in enumerate(["op101", "op102", "op101", "op101"]):
        fields = (("appeal_number", f"ОБР-{i}"),)
        timed_out = i == 3
        code = WRAPUP_TIMEOUT_CODE if timed_out else "answered_faq"
        await wp.save_wrapup(
            WrapUp(f"c{i}", operator, PHONE, code, fields, T0 + i, T0 + 10 * i, timed_out)
        )
    mine = await wp.wrapups_of("op101", 2)
    assert [w.call_id for w in mine] == ["c3", "c2"]
    assert mine[0] == WrapUp("c3", "op101", PHONE, WRAPUP_TIMEOUT_CODE,
                             (("appeal_number", "ОБР-3"),), T0 + 3, T0 + 30, True)  # fmt: skip
    assert [w.call_id for w in await wp.wrapups_of("op102", 10)] == ["c1"]
    assert await wp.wrapups_of("op103", 10) == []


async def test_a_record_without_an_operator_is_refused(store: Store, guide: OperatorGuide) -> None:
    wp = SqlWorkplaceStore(store, guide)
    with pytest.raises(ApiError, match="operator_id"):
        await wp.save_action(CallAction("c1", "", PHONE, "transfer", T0, "Переведён"))
    assert await wp.history(PHONE) == []
