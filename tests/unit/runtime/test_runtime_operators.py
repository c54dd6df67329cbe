import pytest
from runtime_support import member

from callcenter.runtime.operators import WRAP_UP_REASON, OperatorDirectory, state_of
from queue_engine.model.operators import OperatorState


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"status": 1}, (OperatorState.AVAILABLE, "")),
        ({"status": 0}, (OperatorState.AVAILABLE, "")),  # unknown device state: still rung
        ({"status": 2}, (OperatorState.TALKING, "")),
        ({"status": 1, "in_call": True}, (OperatorState.TALKING, "")),
        ({"status": 6}, (OperatorState.RINGING, "")),
        ({"status": 5}, (OperatorState.OFFLINE, "")),
        ({"status": 4}, (OperatorState.OFFLINE, "")),
        ({"status": 1, "paused": True, "reason": "обед"}, (OperatorState.PAUSED, "обед")),
        ({"status": 1, "paused": True, "reason": WRAP_UP_REASON}, (OperatorState.WRAP_UP, "")),
        ({"status": 2, "paused": True, "reason": "обед"}, (OperatorState.TALKING, "")),
    ],
)
def test_device_state_and_pause_give_the_operator_state(
    kwargs: dict[str, object], expected: tuple[OperatorState, str]
) -> None:
    assert state_of(member(**kwargs)) == expected  # type: ignore[arg-type]


def test_one_operator_collects_the_queues_of_all_memberships() -> None:
    directory = OperatorDirectory()
    directory.update(member(queue="citizens"))
    msg = directory.update(member(queue="housing"))
    assert msg.operator_id == "PJSIP/101"
    assert msg.queues == ("citizens", "housing")
    msg = directory.remove(member(queue="citizens"))
    assert msg.queues == ("housing",)
    msg = directory.remove(member(queue="housing"))
    assert msg.state is OperatorState.OFFLINE
    assert directory.interfaces() == []
