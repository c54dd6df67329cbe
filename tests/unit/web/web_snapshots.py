"""Builders of live snapshots for the web unit tests (imported by the test modules)."""

from __future__ import annotations

from callcenter.web.live import (
    CallbackView,
    OperatorView,
    PartnerView,
    QueueFigures,
    QueueView,
    Snapshot,
    WaitingCaller,
)

T0 = 1_800_000_000.0


def caller(call_id: str, waited: float, *, now: float = T0, position: int = 1) -> WaitingCaller:
    return WaitingCaller(call_id, "*******1234", now - waited, position, 20.0, 0, "ЖКХ")


def queue(
    name: str = "general",
    *,
    waiting: tuple[WaitingCaller, ...] = (),
    sl15: float | None = 90.0,
    limit_s: float = 40.0,
) -> QueueView:
    figures = QueueFigures(sl_today_pct=85.0, sl_15m_pct=sl15, asa_s=12.0, answered=10, offered=12)
    return QueueView(name, limit_s, "Общая", 15.0, waiting, figures)


def operator(op_id: str, state: str, queues: tuple[str, ...] = ("general",)) -> OperatorView:
    return OperatorView(op_id, f"Оператор {op_id}", state, T0 - 30, "", queues, None)


def callback(cb_id: str, deadline: float, status: str = "pending") -> CallbackView:
    return CallbackView(cb_id, "*******5678", "Транспорт", deadline, 1, status)


def partner(pid: str, last_heard: float | None) -> PartnerView:
    return PartnerView(pid, f"Центр {pid}", 25.0, True, last_heard, 3, 1)


def snapshot(**kwargs: object) -> Snapshot:
    base: dict[str, object] = {"taken_at": T0, "mode": "day"}
    base.update(kwargs)
    return Snapshot(**base)  # type: ignore[arg-type]
