"""The picture a follower node shows is exactly the one the publisher put in Redis."""

from callcenter.runtime.shared_picture import snapshot_from_json
from callcenter.web import live


def test_a_snapshot_survives_its_json() -> None:
    snapshot = live.Snapshot(
        taken_at=1_700_000_000.5,
        mode="emergency",
        queues=(
            live.QueueView(
                name="citizens",
                limit_s=40.0,
                title="Граждане",
                predicted_wait_s=12.5,
                waiting=(live.WaitingCaller("c1", "***4567", 1_699_999_990.0, 1, 3.0, 2, "ЖКХ"),),
                figures=live.QueueFigures(85.0, None, 7.5, 17, 20, 3),
            ),
        ),
        operators=(
            live.OperatorView("PJSIP/101", "Анна", "talking", 1.0, "", ("citizens",), "c0"),
            live.OperatorView("PJSIP/102", "Олег", "paused", 2.0, "обед", ()),
        ),
        callbacks=(live.CallbackView("cb-1", "***1234", "паспорт", 3.0, 1, "dialing"),),
        partners=(live.PartnerView("north", "Север", 10.0, True, 4.0, 2, 1),),
        alerts=(live.Alert("a1", "near_limit", "warning", "Очередь у предела", 5.0),),
        ami_connected=False,
        announcement="Паводок",
        timezone="Europe/Moscow",
    )
    assert snapshot_from_json(snapshot.to_json()) == snapshot
