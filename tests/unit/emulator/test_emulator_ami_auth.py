"""manager.conf read as Asterisk reads it: classes, event masks, ACL order, MD5 keys."""

from __future__ import annotations

import hashlib

from callcenter.emulator.ami_auth import (
    ALL,
    BIT,
    get_perm,
    load_manager_conf,
    privilege,
    strings_to_mask,
)
from callcenter.emulator.emulator import SHIPPED_MANAGER_CONF


def test_the_shipped_manager_conf_gives_engine_and_monitor_their_classes() -> None:
    conf = load_manager_conf(SHIPPED_MANAGER_CONF)
    engine, monitor = conf.user("engine"), conf.user("Monitor")
    assert engine is not None
    assert monitor is not None
    assert conf.timestampevents
    assert engine.write == get_perm("call,agent,user,originate,reporting")
    assert monitor.write == 0
    assert monitor.read & BIT["call"]
    assert not monitor.read & BIT["dialplan"]
    assert engine.allows("127.0.0.1")
    assert engine.allows("10.1.2.3")
    assert not engine.allows("127.0.0.2")
    assert not engine.allows("8.8.8.8")


def test_event_masks_as_strings_to_mask() -> None:
    assert strings_to_mask("") is None
    assert strings_to_mask("on") == ALL
    assert strings_to_mask("off") == 0
    assert strings_to_mask("call,agent") == BIT["call"] | BIT["agent"]
    assert strings_to_mask("bogus") == 0
    assert strings_to_mask("2") == 2
    assert privilege(BIT["call"]) == "call,all"
    assert privilege(BIT["system"] | BIT["reporting"]) == "system,reporting,all"


def test_md5_key_is_challenge_then_secret() -> None:
    user = load_manager_conf(SHIPPED_MANAGER_CONF).user("engine")
    assert user is not None
    key = hashlib.md5(b"123456789change-me-engine").hexdigest()
    assert user.key_matches("123456789", key.upper())
    assert not user.key_matches("", key)
    assert not user.key_matches("123456780", key)
