"""A callback stored before a restart is dialled by the new engine, once."""

from queue_engine import commands as c
from queue_engine import messages as m
from queue_engine.config import CallbackPolicy, EngineConfig, QueueConfig
from queue_engine.engine import Engine
from queue_engine.model.operators import OperatorState

NOON = 1_700_038_800.0  # 12:00 in Moscow
OPERATOR_FIRST = CallbackPolicy(citizen_first=False)


def restored(callback_id: str = "cb-1") -> m.CallbackRestored:
    return m.CallbackRestored(
        callback_id=callback_id,
        call_id="c1",
        number="+79161234567",
        topic="passport",
        requested_at=NOON - 120,
        deadline=NOON + 480,
        not_before=NOON - 120,
        attempts=1,
    )


def test_a_restored_callback_is_dialled_when_an_operator_is_free() -> None:
    config = EngineConfig(queues=(QueueConfig("citizens"),), callbacks=OPERATOR_FIRST)
    engine = Engine(config=config)
    engine.handle(m.OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("citizens",)), NOON)
    out = engine.handle(restored(), NOON)
    originate = [o for o in out if isinstance(o, c.OriginateCallback)]
    assert originate == [c.OriginateCallback("cb-1", "+79161234567", "PJSIP/101", 2)]
    assert engine.handle(restored(), NOON + 1) == []


def test_a_restored_night_request_waits_for_its_time() -> None:
    config = EngineConfig(queues=(QueueConfig("citizens"),), callbacks=OPERATOR_FIRST)
    engine = Engine(config=config)
    engine.handle(m.OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("citizens",)), NOON)
    later = m.CallbackRestored("cb-2", "c2", "+79161234567", "", NOON, NOON + 4000, NOON + 3400)
    assert engine.handle(later, NOON) == []
    due = engine.tick(NOON + 3400)
    assert any(isinstance(o, c.OriginateCallback) for o in due)


def test_a_restored_callback_is_dialled_citizen_first_once_an_operator_is_known() -> None:
    engine = Engine(config=EngineConfig(queues=(QueueConfig("citizens"),)))
    # Restored before the resync names any operator: nobody is called yet (its leg may be up).
    assert engine.handle(restored(), NOON) == []
    out = engine.handle(
        m.OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("citizens",)), NOON + 1
    )
    assert [o for o in out if isinstance(o, c.DialCitizen)] == [
        c.DialCitizen("cb-1", "+79161234567", "citizens", 100, 2)
    ]
    assert not [o for o in out if isinstance(o, c.ReserveOperator | c.OriginateCallback)]
    assert engine.handle(restored(), NOON + 2) == []


def test_a_caller_back_from_the_offer_keeps_place_and_wait() -> None:
    engine = Engine(config=EngineConfig(queues=(QueueConfig("citizens"),)))
    engine.handle(m.CallArrived("c1", "+79161234567"), NOON)
    engine.handle(m.CallJoinedQueue("c1", "citizens"), NOON)
    engine.handle(m.CallbackOfferDeclined("c1"), NOON + 30)
    call = engine.call("c1")
    assert call is not None
    raised = call.priority
    assert engine.handle(m.CallJoinedQueue("c1", "citizens", raised), NOON + 31) == []
    queue = engine.state.queue("citizens")
    assert [c.call_id for c in queue.waiting] == ["c1"]  # not listed twice
    assert call.joined_at == NOON  # the wait is counted from the first join
