"""A campaign run end to end against the Asterisk emulator over real TCP (AMI), a real SQLite
store and a real SMTP server: who answered heard the message, who did not was retried within the
limits, an invalid number stopped nothing, and a restart mid-campaign loses no recipient."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any

from notify_fixtures import Inbox

from callcenter.clock import ScaledClock
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import DEFAULT_USERS, Emulator
from callcenter.notify.campaign import Campaign
from callcenter.notify.campaign_file import load_campaign
from callcenter.notify.campaign_store import store_campaign
from callcenter.notify.mail import SmtpMailer, SmtpSettings
from callcenter.notify.policy import AllowedHours, CampaignRules
from callcenter.notify.report import campaign_status
from callcenter.notify.runner import NotifyRunner, Speak
from callcenter.pbx.ami import AmiClient
from callcenter.pbx.ami_actions import ActionResult
from callcenter.pbx.facts import OriginateOutcome
from callcenter.store.repositories import Store

CAMPAIGN = """
name: docs-ready
message: "Документы по заявлению {document} готовы. Их можно получить в МФЦ."
prompt: docs-ready
allowed_hours: "00:00-06:00"
calls_per_minute: 4
max_concurrent: 2
max_attempts: 2
retry_delay_s: 30
ring_timeout_s: 10
email_subject: "Документы готовы"
recipients:
  - {phone: "+7 916 123-45-01", email: "answers@example.ru", document: "ОБ-1"}
  - {phone: "8 (916) 123-45-02", document: "ОБ-2"}
  - {phone: "+79161234503", document: "ОБ-3"}
  - {phone: "12345", email: "no-phone@example.ru", document: "ОБ-4"}
  - {phone: "+79161234505", document: "ОБ-5"}
"""


class Center:
    """One engine-side process: its own AMI connection and runner over the shared store."""

    def __init__(
        self,
        emu: Emulator,
        store: Store,
        clock: ScaledClock,
        smtp_port: int,
        speak: Speak | None = None,
    ) -> None:
        mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=smtp_port))
        self.runner = NotifyRunner(
            repo=store.notify, ami=self, clock=clock, mailer=mailer, speak=speak
        )
        self.ami = AmiClient(
            host="127.0.0.1",
            port=emu.ami_port,
            username="engine",
            secret=DEFAULT_USERS["engine"],
            sink=self.runner.on_fact,
        )
        self.on_answer: Callable[[], object] | None = None  # told when a citizen answers

    async def originate(
        self, *, on_outcome: Callable[[OriginateOutcome], None] | None = None, **kwargs: Any
    ) -> ActionResult:
        def outcome(result: OriginateOutcome) -> None:
            if result.ok and self.on_answer is not None:
                self.on_answer()
            if on_outcome is not None:
                on_outcome(result)

        return await self.ami.originate(on_outcome=outcome, **kwargs)

    @property
    def logged_in(self) -> bool:
        return self.ami.logged_in

    async def __aenter__(self) -> Center:
        await self.ami.start()
        assert await self.ami.wait_ready(5)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.ami.stop()


def callees(emu: Emulator) -> None:
    emu.add_citizen(CallerScript(number="+79161234501"))  # answers, listens to the end
    emu.add_citizen(CallerScript(number="+79161234502", busy=True))
    emu.add_citizen(CallerScript(number="+79161234503", answers_callback=False))
    emu.add_citizen(CallerScript(number="+79161234505", talk_s=3.0))  # hangs up mid-message


async def load(store: Store, tmp_path: Path) -> Campaign:
    path = tmp_path / "campaign.yaml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    campaign, recipients = load_campaign(path, timezone="Europe/Moscow")
    return await store_campaign(store.notify, campaign, recipients)


async def test_a_campaign_reaches_everyone_it_can_within_its_limits(
    emulator: Emulator, store: Store, clock: ScaledClock, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    callees(emulator)
    campaign = await load(store, tmp_path)
    async with Center(emulator, store, clock, smtp[1]) as center:
        await asyncio.wait_for(center.runner.run(campaign), 60)

    status = await campaign_status(store.notify, "docs-ready")
    assert status is not None
    by_pos = {r["position"]: r for r in status["recipients"]}
    assert by_pos[1]["state"] == "delivered"
    assert [c["result"] for c in by_pos[1]["calls"]] == ["delivered"]
    assert by_pos[2]["state"] == "exhausted"
    assert [(c["result"], c["reason"]) for c in by_pos[2]["calls"]] == [("busy", 5)] * 2
    assert by_pos[3]["state"] == "exhausted"
    assert [(c["result"], c["reason"]) for c in by_pos[3]["calls"]] == [("no_answer", 3)] * 2
    assert by_pos[4]["state"] == "invalid_number"
    assert by_pos[4]["calls"] == []
    assert "12345" in by_pos[4]["problem"]
    assert [c["result"] for c in by_pos[5]["calls"]] == ["hung_up", "hung_up"]
    assert status["emails"] == {"sent": 2}  # the invalid number still gets the e-mail
    # retries waited the delay
    for pos in (2, 3, 5):
        first, second = by_pos[pos]["calls"]
        assert second["started_at"] - first["ended_at"] >= 30 - 1

    # what Asterisk was asked to do
    originates = [a for a in emulator.actions if a.get("Action") == "Originate"]
    assert len(originates) == 1 + 2 + 2 + 2
    first = next(a for a in originates if a["Channel"] == "PJSIP/79161234501@citizen-trunk")
    assert (first["Context"], first["Exten"], first["Priority"]) == ("cc-notify", "s", "1")
    assert first["Async"] == "true"
    assert first["Timeout"] == "10000"
    # never more than two calls at once, never more than four started in a minute
    calls = [c for r in status["recipients"] for c in r["calls"]]
    for c in calls:
        overlapping = [o for o in calls if o["started_at"] <= c["started_at"] < o["ended_at"]]
        assert len(overlapping) <= 2
        in_minute = [o for o in calls if c["started_at"] <= o["started_at"] < c["started_at"] + 60]
        assert len(in_minute) <= 4
    # the e-mail carries the recipient's own document number
    bodies = [raw.decode() for _, _, raw in smtp[0].messages]
    assert len(bodies) == 2


async def test_the_message_played_is_the_recipients_own_text(
    emulator: Emulator, store: Store, clock: ScaledClock, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    spoken: list[str] = []

    async def speak(text: str) -> str:
        spoken.append(text)
        return f"notify_{len(spoken)}"

    callees(emulator)
    emulator.keep_events = True
    campaign = await load(store, tmp_path)
    async with Center(emulator, store, clock, smtp[1], speak) as center:
        await asyncio.wait_for(center.runner.run(campaign), 60)
    assert "Документы по заявлению ОБ-1 готовы. Их можно получить в МФЦ." in spoken
    assert "Документы по заявлению ОБ-2 готовы. Их можно получить в МФЦ." in spoken
    variables = [
        (dict(h)["Variable"], dict(h)["Value"])
        for name, h in emulator.events()
        if name == "VarSet" and dict(h)["Variable"].startswith("CC_NOTIFY_")
    ]
    prompts = {value for name, value in variables if name == "CC_NOTIFY_PROMPT"}
    assert prompts
    assert prompts <= {f"notify_{i}" for i in range(1, len(spoken) + 1)}
    ids = [value for name, value in variables if name == "CC_NOTIFY_ID"]
    assert len(ids) == len(set(ids)) == 7  # one per attempt, never reused
    delivered = [
        dict(h)["Id"]
        for name, h in emulator.events()
        if name == "UserEvent" and dict(h)["UserEvent"] == "NotifyDelivered"
    ]
    assert len(delivered) == 1
    assert delivered[0] in ids


async def test_a_restart_mid_campaign_loses_no_recipient(
    emulator: Emulator, store: Store, clock: ScaledClock, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    callees(emulator)
    campaign = await load(store, tmp_path)
    async with Center(emulator, store, clock, smtp[1]) as center:
        task = asyncio.create_task(center.runner.run(campaign))
        # The process dies the moment the first citizen answers, while the message plays
        # (polling the database for that window loses the race on a loaded machine).
        center.on_answer = task.cancel
        await asyncio.gather(task, return_exceptions=True)
    interrupted = [r for r in await store.notify.recipients("docs-ready") if r.state == "calling"]
    assert [r.position for r in interrupted][:1] == [1]

    async with Center(emulator, store, clock, smtp[1]) as center:  # a new process
        again = await store_campaign(store.notify, campaign, [])
        await asyncio.wait_for(center.runner.run(again), 60)

    status = await campaign_status(store.notify, "docs-ready")
    assert status is not None
    assert len(status["recipients"]) == 5
    assert all(
        r["state"] in ("delivered", "exhausted", "invalid_number") for r in status["recipients"]
    )
    by_pos = {r["position"]: r for r in status["recipients"]}
    for r in interrupted:
        results = [c["result"] for c in by_pos[r.position]["calls"]]
        assert results[0] == "unknown"
        assert None not in results  # every attempt was closed
    assert by_pos[1]["state"] == "delivered"  # the answering citizen heard it in the end
    assert status["emails"] == {"sent": 2}


def test_campaign_settings_survive_the_round_trip_through_the_store() -> None:
    campaign = Campaign(
        name="x",
        message="Текст",
        prompt="p",
        email_subject="Тема",
        rules=CampaignRules(
            allowed=AllowedHours(time(21), time(6)),
            timezone="Asia/Yekaterinburg",
            calls_per_minute=5,
            max_concurrent=2,
            max_attempts=4,
            retry_delay_s=120,
        ),
        ring_timeout_s=25,
    )
    assert Campaign.from_json("x", campaign.to_json()) == campaign
