"""The package's public surface is pinned, and it stays pure."""

import importlib
import pkgutil
import subprocess
import sys

import queue_engine

PINNED = {
    "AttemptResult", "CallAbandoned", "CallAdopted", "CallAnswered", "CallArrived",
    "CallCompleted", "CallEnded",
    "CallFailed", "CallJoinedQueue", "CallOutcome", "CallQueued", "CallbackAttemptFinished",
    "CallbackAttempted", "CallbackCompleted", "CallbackConnected", "CallbackLegFound",
    "CallbackOfferAccepted", "DialCitizen",
    "CallbackOfferDeclined",
    "CallbackRestored", "CallbackOutcome", "CallbackPolicy", "CallbackRejected",
    "CallbackRequested", "Command",
    "EmergencySet", "Engine", "EngineConfig", "Event", "GuardTriggered", "InvalidCallbackNumber",
    "InvalidConfig", "IvrCompleted", "Message", "Mode", "ModeChanged", "OfferCallback",
    "OperatorState", "OperatorStateChanged", "OriginateCallback", "Output", "OverflowCall",
    "OverflowAccepted", "OverflowFailed", "OverflowPolicy", "OverflowRefused",
    "PartnerCapacityUpdated", "PhonePolicy", "PlayAnnouncement", "QueueConfig",
    "QueueEngineError", "QueueLimitChanged", "QueueLimitUpdated", "ReleaseCaller",
    "ReleaseOperator", "ReserveOperator", "RouteToIvr", "RouteToQueue", "ScheduleConfig",
    "SetCallerPriority", "SlaBreached", "StaleReservationFound", "UnknownCall",
    "UnknownCallback", "UnknownQueue",
    "mode_at", "validate_number",
}  # fmt: skip


def test_all_is_pinned_and_every_name_exists() -> None:
    assert set(queue_engine.__all__) == PINNED
    for name in queue_engine.__all__:
        assert hasattr(queue_engine, name), name


def test_every_module_imports_on_its_own() -> None:
    names = [m.name for m in pkgutil.walk_packages(queue_engine.__path__, prefix="queue_engine.")]
    assert "queue_engine.engine" in names
    assert "queue_engine.simulation.runner" in names
    for name in names:
        importlib.import_module(name)


def test_importing_everything_pulls_in_no_io_or_event_loop() -> None:
    forbidden = ["callcenter", "asyncio", "sqlalchemy", "redis", "aiohttp", "panoramisk", "socket"]
    code = (
        "import sys, pkgutil, importlib, queue_engine\n"
        "for m in pkgutil.walk_packages(queue_engine.__path__, prefix='queue_engine.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = set({forbidden!r})\n"
        "print(sorted(bad & {n.split('.')[0] for n in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_domain_errors_carry_stable_codes() -> None:
    assert queue_engine.InvalidCallbackNumber("x").code == "invalid_callback_number"
    assert queue_engine.UnknownQueue("x").code == "unknown_queue"
    assert queue_engine.InvalidConfig("x").code == "invalid_config"
