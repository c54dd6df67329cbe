"""A morning on the emulator with every kind of call the reports count, and the report figures
computed from the emulator's own records only: its ground truth (when each caller arrived,
joined, was answered, by whom, gave up), its queue_log (talk times), what each scripted caller
pressed (topic, callback offer, survey) and which citizens the center's calls reached."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from live_center import Center

from callcenter.emulator.callers import OFFER_PROMPT, TOPIC_KEYS, TOPIC_MENU, CallerScript
from callcenter.emulator.truth import CallTruth

TOTAL, NONE_KEY = "Итого", "—"  # the report's words for the total line and a missing key
TOPIC_OF_KEY = {key: topic for topic, key in TOPIC_KEYS.items()}
YES_NO = {"1": "yes", "2": "no"}  # ivr_scripts/survey.yaml
LIMIT_S, DEADLINE_S = 40.0, 600.0


def _caller(n: int, topic: str, **kw: object) -> CallerScript:
    digits = {TOPIC_MENU: TOPIC_KEYS[topic], **kw.pop("digits", {})}  # type: ignore[dict-item]
    return CallerScript(number=f"+7916333{n:04d}", digits=digits, **kw)  # type: ignore[arg-type]


async def scenario(center: Center, *, six: float) -> dict[str, CallerScript]:
    """A night call before `six` (06:00), then six callers at once for two operators at 06:00
    (one rates the call, one gives up, two take a callback, one waits past the limit), then one
    more call; returns the callers by Uniqueid once every call and callback is over."""
    scripts: dict[str, CallerScript] = {}

    def place(script: CallerScript) -> None:
        scripts[center.emulator.place_call(script)] = script

    async def all_ended(label: str) -> None:
        for uid in scripts:
            await center.wait_for(lambda uid=uid: center.ended(uid), virtual_s=900, label=label)

    faq = {"night_main": "1", "night_faq_menu": "1", "night_after_answer": "0"}
    place(CallerScript(number="+79163330000", digits=faq))
    await all_ended("the night call")
    await center.clock.sleep(max(0.0, six + 5 - center.clock.now()))
    survey = {"survey_rating": "4", "survey_resolved": "1", "survey_recommend": "2"}
    # The operator ends the first call after 30 s; the caller stays on for the survey.
    place(_caller(1, "housing", talk_s=600, digits=survey))
    place(_caller(2, "passport", talk_s=20))
    place(_caller(4, "transport", accept_callback=True, talk_s=20))
    place(_caller(5, "medical", accept_callback=True, talk_s=20))
    # A withheld number has no way out: waits past 40 s for an operator.
    place(CallerScript(number="", digits={TOPIC_MENU: TOPIC_KEYS["social"]}, talk_s=20))
    await center.clock.sleep(15)  # both operators are talking now
    # Withheld, so never offered a callback: gives up after 8 s in the queue.
    place(CallerScript(number="", digits={TOPIC_MENU: TOPIC_KEYS["social"]}, patience_s=8))
    await all_ended("the morning peak")
    wanted = {scripts[uid].number[-10:] for uid in scripts if scripts[uid].accept_callback}
    await center.wait_for(
        lambda: wanted <= {r.number[-10:] for r in center.emulator.truth.reached},
        virtual_s=900,
        label="both callbacks reached the citizens",
    )
    await center.clock.sleep(60)  # the callback conversations (20 s) end
    place(_caller(6, "passport", talk_s=20))
    await all_ended("the last call")
    await center.runtime.recorder.drain()
    return scripts


@dataclass(frozen=True)
class TruthCall:
    keys: dict[str, str]  # grouping -> this call's key
    ivr: bool
    offered: bool
    wait_s: float | None  # answered: from joining the queue to the answer
    talk_s: float | None
    abandoned: bool
    callback: bool
    on_time: bool


@dataclass(frozen=True)
class TruthFigures:
    offered: int
    answered: int
    answered_in_limit: int
    abandoned: int
    callbacks_requested: int
    callbacks_on_time: int
    ivr_served: int
    sl_pct: float | None
    asa_s: float | None
    aht_s: float | None


@dataclass(frozen=True)
class Expected:
    groups: dict[str, dict[str, TruthFigures]]  # grouping -> key -> figures
    survey: dict[tuple[str, str, str], int]  # (operator, question, answer) -> count


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def figures(calls: list[TruthCall]) -> TruthFigures:
    offered = [c for c in calls if c.offered]
    waits = [c.wait_s for c in calls if c.wait_s is not None]
    talks = [c.talk_s for c in calls if c.talk_s is not None]
    within = sum(1 for w in waits if w <= LIMIT_S)
    return TruthFigures(
        offered=len(offered),
        answered=len(waits),
        answered_in_limit=within,
        abandoned=sum(1 for c in calls if c.abandoned),
        callbacks_requested=sum(1 for c in calls if c.callback),
        callbacks_on_time=sum(1 for c in calls if c.on_time),
        ivr_served=sum(1 for c in calls if c.ivr),
        sl_pct=100.0 * within / len(offered) if offered else None,
        asa_s=_mean(waits),
        aht_s=_mean(talks),
    )


def _queue_log(center: Center) -> dict[str, list[list[str]]]:
    """queue_log lines by call id: time|callid|queue|agent|event|data..."""
    by_call: dict[str, list[list[str]]] = defaultdict(list)
    for line in center.emulator.queue_log.lines:
        fields = line.split("|")
        by_call[fields[1]].append(fields)
    return by_call


def _on_time(center: Center, script: CallerScript, truth: CallTruth) -> bool:
    """Reached within 10 minutes of the request. The request falls between joining the queue and
    hanging up; the run keeps every callback clear of that uncertainty."""
    assert truth.joined_at is not None
    assert truth.ended_at is not None
    times = [r.at for r in center.emulator.truth.reached if r.number[-10:] == script.number[-10:]]
    assert times, f"{script.number} was never called back"
    first = min(times)
    assert not truth.joined_at + DEADLINE_S < first <= truth.ended_at + DEADLINE_S
    return first <= truth.joined_at + DEADLINE_S


def truth_call(
    center: Center, script: CallerScript, truth: CallTruth, log: list[list[str]]
) -> TruthCall:
    pressed = dict(script.pressed)
    joined = [f for f in log if f[4] == "ENTERQUEUE"]
    completed = [f for f in log if f[4] in ("COMPLETECALLER", "COMPLETEAGENT")]
    callback = pressed.get(next((p for p in pressed if p.startswith(OFFER_PROMPT)), "")) == "1"
    answered = truth.answered_at is not None and truth.joined_at is not None
    tz = ZoneInfo(center.settings.timezone)
    keys = {
        "hour": datetime.fromtimestamp(truth.arrived_at, tz).strftime("%H:00"),
        "queue": joined[0][2] if joined else "ivr",
        "topic": TOPIC_OF_KEY.get(pressed.get(TOPIC_MENU, ""), "general"),
        "operator": truth.answered_by or NONE_KEY,
    }
    return TruthCall(
        keys=keys,
        ivr=truth.joined_at is None,
        offered=truth.joined_at is not None,
        wait_s=truth.answered_at - truth.joined_at if answered else None,  # type: ignore[operator]
        talk_s=float(completed[0][6]) if answered and completed else None,
        abandoned=truth.abandoned,
        callback=callback,
        on_time=callback and _on_time(center, script, truth),
    )


def expected_figures(center: Center, scripts: dict[str, CallerScript]) -> Expected:
    log = _queue_log(center)
    calls: list[tuple[TruthCall, CallerScript]] = []
    for uid, script in scripts.items():
        truth = center.emulator.truth.get(uid)
        assert truth is not None
        calls.append((truth_call(center, script, truth, log[uid]), script))
    groups: dict[str, dict[str, TruthFigures]] = {}
    for group in ("hour", "queue", "topic", "operator"):
        by_key: dict[str, list[TruthCall]] = defaultdict(list)
        for call, _ in calls:
            by_key[call.keys[group]].append(call)
        groups[group] = {k: figures(v) for k, v in by_key.items()}
        groups[group][TOTAL] = figures([c for c, _ in calls])
    survey: dict[tuple[str, str, str], int] = defaultdict(int)
    for call, script in calls:
        for prompt, digits in script.pressed:
            question = prompt.removeprefix("survey_")
            if prompt.startswith("survey_") and question != "rating":
                survey[(call.keys["operator"], question, YES_NO[digits])] += 1
    return Expected(groups, dict(survey))
