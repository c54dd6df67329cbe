"""Overload over TCP: 20 callers in half a minute for two operators who each take a minute per
call. Nobody stays 40 s in the queue: by the emulator's ground truth each caller left the queue
(answered, or redirected to the callback offer) before 40 s, and the engine's own record and its
Redirect actions show the offer was made before 40 s."""

from pathlib import Path

from live_center import Center, live_center

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.truth import CallTruth

LIMIT_S = 40.0
CALLERS = 20
EVERY_S = 1.5


def callers_out_of_queue(center: Center, uids: list[str]) -> bool:
    truths = [center.emulator.truth.get(uid) for uid in uids]
    return all(t is not None and (t.left_queue_at or t.ended_at) for t in truths)


async def first_offer_at(center: Center, uid: str) -> float | None:
    """When the engine decided to give the caller a way out (callback offer or overflow)."""
    timeline = await center.store.calls.timeline(uid)
    return min((e.at for e in timeline if e.kind in ("callback_offer", "overflow")), default=None)


def redirects(center: Center) -> list[dict[str, str]]:
    return [a for a in center.emulator.actions if a.get("Action", "").lower() == "redirect"]


async def test_no_caller_stays_40_seconds_in_the_queue_under_overload(tmp_path: Path) -> None:
    operators = {"PJSIP/101": 60.0, "PJSIP/102": 60.0}
    async with live_center(tmp_path, at="11:00", speed=10.0, operators=operators) as center:
        uids = []
        for n in range(CALLERS):
            # Half accept the callback; the others let the offer pass and keep waiting.
            script = CallerScript(number=f"+7916222{n:04d}", talk_s=60, accept_callback=n % 2 == 0)
            uids.append(center.emulator.place_call(script))
            await center.clock.sleep(EVERY_S)
        await center.wait_for(
            lambda: callers_out_of_queue(center, uids),
            virtual_s=LIMIT_S + 30,
            label="every caller out of the queue",
        )
        await center.runtime.recorder.drain()

        truths: list[CallTruth] = [t for uid in uids if (t := center.emulator.truth.get(uid))]
        queued = [t for t in truths if t.joined_at is not None]
        assert len(queued) == CALLERS, "every day caller is put in the queue"
        late = []
        helped_by_offer = 0
        for t in queued:
            assert t.joined_at is not None
            left = t.left_queue_at or t.ended_at
            assert left is not None
            offered = await first_offer_at(center, t.uniqueid)
            if offered is None:  # no way out was needed: an operator answered in time
                if t.answered_at is None or t.answered_at - t.joined_at >= LIMIT_S:
                    late.append((t.uniqueid, "answered", t.answered_at, t.joined_at))
            elif offered - t.joined_at >= LIMIT_S:
                late.append((t.uniqueid, "offered", offered - t.joined_at))
            elif left - t.joined_at >= LIMIT_S:
                late.append((t.uniqueid, "left the queue", left - t.joined_at))
            else:
                helped_by_offer += 1
        assert late == []
        # The overload was real: most callers could not be answered and were offered a way out,
        # each by a Redirect the emulator received.
        assert helped_by_offer >= CALLERS // 2
        assert len(redirects(center)) >= helped_by_offer
        first_redirect = min(float(a["_at"]) for a in redirects(center))
        assert first_redirect - min(t.joined_at for t in queued if t.joined_at) < LIMIT_S
