"""Builds the supervisors' live snapshot (`callcenter.web.live.Snapshot`) from the engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from callcenter.runtime.figures import Figures
from callcenter.web import live
from queue_engine.engine import Engine
from queue_engine.model.schedule import Mode

_MODES = {Mode.DAY: "day", Mode.AUTOMATIC: "automatic", Mode.EMERGENCY: "emergency"}
_STATES = {"wrap_up": "wrapup"}


@dataclass(frozen=True)
class Titles:
    """What people read instead of codes (each falls back to the code)."""

    queues: Mapping[str, str] = field(default_factory=dict)
    topics: Mapping[str, str] = field(default_factory=dict)

    def queue(self, name: str) -> str:
        return self.queues.get(name, name)

    def topic(self, code: str) -> str:
        return self.topics.get(code, code)


def build_snapshot(
    engine: Engine,
    figures: Figures,
    now: float,
    *,
    ami_connected: bool,
    announcement: str = "",
    operator_names: Callable[[str], str] = lambda op: op,
    partner_counts: Callable[[str], tuple[int, int]] = lambda name: (0, 0),
    alerts: Sequence[live.Alert] = (),
    timezone: str = "",
    titles: Titles | None = None,
) -> live.Snapshot:
    titles = titles or Titles()
    return live.Snapshot(
        taken_at=now,
        mode=_MODES[engine.mode(now)],
        queues=tuple(_queue(engine, figures, name, now, titles) for name in engine.state.queues),
        operators=tuple(_operators(engine, operator_names)),
        callbacks=tuple(_callbacks(engine, titles)),
        partners=tuple(_partners(engine, partner_counts)),
        alerts=tuple(alerts),
        ami_connected=ami_connected,
        announcement=announcement,
        timezone=timezone,
    )


def _queue(
    engine: Engine, figures: Figures, name: str, now: float, titles: Titles
) -> live.QueueView:
    state = engine.state.queue(name)
    waiting = tuple(
        live.WaitingCaller(
            call_id=call.call_id,
            number_masked=live.mask_number(call.caller),
            since=call.joined_at,
            position=position,
            predicted_wait_s=round(predicted, 1),
            priority=call.priority,
            topic=call.topic,
            topic_title=titles.topic(call.topic) if call.topic else "",
        )
        # One pass over the line: predicting each position on its own costs O(n²) under overload.
        for (position, call), predicted in zip(
            enumerate(state.waiting, start=1), engine.state.line_waits(state), strict=False
        )
    )
    qf = figures.queue(name)
    return live.QueueView(
        name=name,
        title=titles.queue(name),
        limit_s=state.config.limit_s,
        predicted_wait_s=round(engine.state.predict(state, len(waiting) + 1), 1),
        waiting=waiting,
        figures=live.QueueFigures(
            sl_today_pct=qf.sl_today_pct(),
            sl_15m_pct=qf.sl_window_pct(now),
            asa_s=qf.asa_s(),
            answered=qf.today.answered,
            offered=qf.today.offered,
            abandoned=qf.today.abandoned,
        ),
    )


def _operators(engine: Engine, names: Callable[[str], str]) -> list[live.OperatorView]:
    talking = {c.operator_id: c for c in engine.state.calls.values() if c.operator_id}
    return [
        live.OperatorView(
            id=op.operator_id,
            name=names(op.operator_id),
            state=_STATES.get(op.state.value, op.state.value),
            since=op.since,
            pause_reason=op.pause_reason
            or (f"перезвон {op.reserved_for}" if op.reserved_for else ""),
            queues=tuple(sorted(op.queues)),
            call_id=call.call_id if call else None,
            caller_masked=live.mask_number(call.caller) if call and call.caller else "",
        )
        for op in sorted(engine.state.operators.operators.values(), key=lambda o: o.operator_id)
        for call in [talking.get(op.operator_id)]
    ]


def _callbacks(engine: Engine, titles: Titles) -> list[live.CallbackView]:
    requests = sorted(engine.callbacks.desk.requests.values(), key=lambda r: r.sort_key())
    return [
        live.CallbackView(
            id=r.callback_id,
            number_masked=live.mask_number(r.number),
            topic=r.topic,
            deadline=r.deadline,
            attempts=r.attempts,
            status="dialing" if r.dialling else "pending",
            topic_title=titles.topic(r.topic) if r.topic else "",
        )
        for r in requests
    ]


def _partners(engine: Engine, counts: Callable[[str], tuple[int, int]]) -> list[live.PartnerView]:
    views = []
    for name, partner in sorted(engine.state.partners.items()):
        sent, received = counts(name)
        views.append(
            live.PartnerView(
                id=name,
                name=name,
                predicted_wait_s=partner.predicted_wait_s,
                accepting=partner.accepting,
                last_heard=partner.last_heard,
                sent=sent,
                received=received,
            )
        )
    return views
