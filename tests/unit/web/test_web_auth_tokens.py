"""Password hashing, signed session tokens and the demo user directory."""

from __future__ import annotations

import pytest

from callcenter.web.auth import InMemoryUserDirectory, SessionSigner, hash_password, verify_password


def test_scrypt_hash_is_salted_and_verifies_only_the_right_password() -> None:
    first, second = hash_password("секрет", n=2**10), hash_password("секрет", n=2**10)
    assert first.startswith("scrypt$1024$8$1$")
    assert first != second
    assert verify_password("секрет", first)
    assert verify_password("секрет", second)
    assert not verify_password("секрет!", first)


@pytest.mark.parametrize("stored", ["", "md5$x", "scrypt$1024$8$1$zz$00", "plain-text"])
def test_malformed_hashes_never_verify(stored: str) -> None:
    assert not verify_password("x", stored)


def test_default_cost_is_the_strong_one() -> None:
    assert hash_password("x").startswith("scrypt$16384$8$1$")


def make_signer(now: list[float], secret: bytes = b"k" * 32) -> SessionSigner:
    return SessionSigner(secret, ttl_s=100, clock=lambda: now[0])


def test_session_token_round_trip_and_expiry() -> None:
    now = [1000.0]
    signer = make_signer(now)
    token = signer.issue("op101")
    assert signer.verify(token) == "op101"
    now[0] = 1100.0
    assert signer.verify(token) == "op101"
    now[0] = 1101.0
    assert signer.verify(token) is None


def test_tampered_or_foreign_tokens_are_refused() -> None:
    now = [1000.0]
    token = make_signer(now).issue("op101")
    uid, expiry, sig = token.split(".")
    forged_user = make_signer(now).issue("supervisor").split(".")[0]
    assert make_signer(now).verify(f"{forged_user}.{expiry}.{sig}") is None
    assert make_signer(now).verify(f"{uid}.{int(expiry) + 999}.{sig}") is None
    assert make_signer(now, secret=b"other" * 8).verify(token) is None
    assert make_signer(now).verify("garbage") is None


async def test_demo_directory_has_the_documented_accounts() -> None:
    users = InMemoryUserDirectory.demo(n=2**10)
    sup = await users.authenticate("supervisor", "supervisor")
    assert sup is not None
    assert sup.role == "supervisor"
    admin = await users.authenticate("admin", "admin")
    assert admin is not None
    assert admin.role == "admin"
    for i in range(101, 106):
        op = await users.authenticate(f"op{i}", f"op{i}")
        assert op is not None
        assert op.role == "operator"
        assert op.sip_endpoint == f"PJSIP/{i}"
    assert await users.authenticate("supervisor", "admin") is None
    assert await users.authenticate("nobody", "nobody") is None
    assert await users.get("op106") is None
