"""Partners configuration: TOML/YAML -> frozen values; errors name the offending key."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from callcenter.federation import ConfigError, load_federation_config, parse_federation_config
from callcenter.federation.config import default_secret_env

SECRET = "0123456789abcdef-secret"
ENV = {"CC_SECRET_SPB": SECRET}

TOML = """
[federation]
center_id = "center-msk"
stale_after_s = 15
max_hops = 2

[partners.center-spb]
api_url = "https://spb.example.org/cc/"
priority = 10
secret_env = "CC_SECRET_SPB"
trunk = { name = "trunk-spb", dial_number = "+78120000000" }
limits = { calls_per_minute = 20, hours = [[8, 20], [22, 2]] }
"""

YAML = """
federation:
  center_id: center-msk
partners:
  center-spb:
    api_url: https://spb.example.org
    secret_file: {secret_file}
    trunk: {{name: trunk-spb, dial_number: "+78120000000"}}
"""


def base() -> dict[str, Any]:
    return {
        "federation": {"center_id": "center-msk"},
        "partners": {
            "center-spb": {
                "api_url": "https://spb.example.org",
                "secret_env": "CC_SECRET_SPB",
                "trunk": {"name": "trunk-spb", "dial_number": "+78120000000"},
            }
        },
    }


def test_given_a_toml_file_when_loaded_then_frozen_values(tmp_path: Path) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(TOML, encoding="utf-8")
    config = load_federation_config(path, ENV)
    spb = config.partners["center-spb"]
    assert (config.center_id, config.max_hops, config.stale_after_s) == ("center-msk", 2, 15.0)
    assert spb.api_url == "https://spb.example.org/cc"
    assert (spb.trunk.name, spb.trunk.dial_number) == ("trunk-spb", "+78120000000")
    assert spb.secret == SECRET.encode()
    assert spb.priority == 10
    assert spb.limits.calls_per_minute == 20
    assert spb.limits.hours == ((8, 20), (22, 2))
    assert SECRET not in repr(spb)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spb.priority = 1  # type: ignore[misc]


def test_given_a_yaml_file_with_secret_file_when_loaded_then_secret_read(tmp_path: Path) -> None:
    secret = tmp_path / "spb.secret"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    path = tmp_path / "partners.yaml"
    path.write_text(YAML.format(secret_file=secret), encoding="utf-8")
    config = load_federation_config(path, {}, center_id="center-override")
    assert config.center_id == "center-override"
    assert config.partners["center-spb"].secret == SECRET.encode()
    assert config.partners["center-spb"].limits.hours == ((0, 24),)


def test_given_no_secret_key_when_parsed_then_default_env_name_used() -> None:
    data = base()
    del data["partners"]["center-spb"]["secret_env"]
    assert default_secret_env("center-spb") == "CALLCENTER_PARTNER_CENTER_SPB_SECRET"
    config = parse_federation_config(data, {"CALLCENTER_PARTNER_CENTER_SPB_SECRET": SECRET})
    assert config.partners["center-spb"].secret == SECRET.encode()


def _with(path: str, value: Any) -> dict[str, Any]:
    data = base()
    *parents, last = path.split(".")
    table = data
    for key in parents:
        table = table.setdefault(key, {})
    table[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "key_in_message"),
    [
        ("partners.center-spb.secret", SECRET, "partners.center-spb.secret:"),
        ("partners.center-spb.color", "red", "partners.center-spb.color: unknown key"),
        ("partners.center-spb.api_url", "ftp://x", "partners.center-spb.api_url:"),
        ("partners.center-spb.trunk", {"name": "t"}, "partners.center-spb.trunk.dial_number:"),
        ("partners.center-spb.limits", {"calls_per_minute": -1}, ".limits.calls_per_minute:"),
        ("partners.center-spb.limits", {"hours": [[8, 25]]}, "partners.center-spb.limits.hours:"),
        ("partners.center-spb.limits", {"hours": [[8, 8]]}, "partners.center-spb.limits.hours:"),
        ("partners.center-spb.priority", "high", "partners.center-spb.priority:"),
        ("partners.center-spb.secret_env", "NOT_SET", "partners.center-spb.secret_env (NOT_SET)"),
        ("partners.center-msk", {}, "partners.center-msk:"),
        ("federation.stale_after_s", 0, "federation.stale_after_s:"),
        ("federation.max_hops", 1.5, "federation.max_hops:"),
        ("federation.timezone", "Mars/Olympus", "federation.timezone:"),
        ("federation.center_id", "", "federation.center_id:"),
        ("federation.speed", 1, "federation.speed: unknown key"),
        ("extra", {}, "extra: unknown key"),
    ],
)
def test_given_a_bad_value_when_parsed_then_error_names_the_key(
    path: str, value: Any, key_in_message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        parse_federation_config(_with(path, value), ENV)
    assert key_in_message in str(err.value)


def test_given_a_short_secret_when_parsed_then_refused() -> None:
    with pytest.raises(ConfigError, match="shorter than 16"):
        parse_federation_config(base(), {"CC_SECRET_SPB": "short"})


def test_given_an_unreadable_or_broken_file_when_loaded_then_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_federation_config(tmp_path / "missing.toml", ENV)
    broken = tmp_path / "broken.toml"
    broken.write_text("[federation\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be parsed"):
        load_federation_config(broken, ENV)
