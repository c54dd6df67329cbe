from pathlib import Path

import pytest

from callcenter.config import DEFAULT_AMI_SECRET, Settings, SettingsError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_valid_for_development() -> None:
    s = load_settings(environ={})
    assert s.mode == "development"
    assert s.queue_limit_s == 40.0
    assert s.callback_deadline_s == 600.0
    assert s.tz.key == "Europe/Moscow"


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, 'web_port = 9000\ncenter_id = "north"\nqueue_limit_s = 30\n')
    s = load_settings(path, environ={"CALLCENTER_WEB_PORT": "9100"}, center_id="south")
    assert s.web_port == 9100  # environment beats the file
    assert s.center_id == "south"  # explicit override beats both
    assert s.queue_limit_s == 30.0  # the file beats the default


def test_unknown_key_in_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^web_prot: unknown setting"):
        load_settings(write(tmp_path, "web_prot = 1\n"), environ={})


def test_unknown_environment_variable_is_named() -> None:
    with pytest.raises(SettingsError, match="CALLCENTER_AMI_PASWORD: unknown setting"):
        load_settings(environ={"CALLCENTER_AMI_PASWORD": "x"})


def test_bad_value_names_key_and_reason() -> None:
    with pytest.raises(SettingsError, match="web_port: must be a int, got 'eighty'"):
        load_settings(environ={"CALLCENTER_WEB_PORT": "eighty"})
    with pytest.raises(SettingsError, match="ami_port: must be a port number"):
        load_settings(environ={"CALLCENTER_AMI_PORT": "70000"})
    with pytest.raises(SettingsError, match="timezone: unknown time zone 'Mars/Olympus'"):
        load_settings(environ={"CALLCENTER_TIMEZONE": "Mars/Olympus"})
    with pytest.raises(SettingsError, match=r"wrapup_s: must be 0\.\.3600 seconds"):
        load_settings(environ={"CALLCENTER_WRAPUP_S": "-5"})


def test_secret_inline_in_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ami_secret: secrets are not accepted in the config"):
        load_settings(write(tmp_path, 'ami_secret = "hunter2"\n'), environ={})


def test_secret_from_file_named_in_toml_or_environment(tmp_path: Path) -> None:
    secret = tmp_path / "ami.secret"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    s = load_settings(write(tmp_path, f'ami_secret_file = "{secret}"\n'), environ={})
    assert s.ami_secret == "s3cr3t"
    s = load_settings(environ={"CALLCENTER_AMI_SECRET_FILE": str(secret)})
    assert s.ami_secret == "s3cr3t"
    with pytest.raises(SettingsError, match="cannot read secret file"):
        load_settings(environ={"CALLCENTER_AMI_SECRET_FILE": str(tmp_path / "missing")})


def test_production_refuses_default_secrets() -> None:
    prod = {
        "CALLCENTER_MODE": "production",
        "CALLCENTER_DATABASE_URL": "postgresql+asyncpg://cc:pw@db/cc",
        "CALLCENTER_API_KEY": "k" * 32,
        "CALLCENTER_SESSION_SECRET": "s" * 32,
    }
    with pytest.raises(SettingsError, match="ami_secret: the default secret is refused"):
        load_settings(environ=prod)
    s = load_settings(environ={**prod, "CALLCENTER_AMI_SECRET": "real"})
    assert s.ami_secret == "real"
    with pytest.raises(SettingsError, match="production mode needs PostgreSQL"):
        load_settings(
            environ={
                **prod,
                "CALLCENTER_AMI_SECRET": "real",
                "CALLCENTER_DATABASE_URL": "sqlite+aiosqlite:///x.db",
            }
        )


def test_public_view_masks_secrets() -> None:
    view = Settings(ami_secret="topsecret").public_view()
    assert view["ami_secret"] == "***"
    assert view["web_port"] == 8080
    assert DEFAULT_AMI_SECRET not in str(Settings().public_view())


def test_queue_titles_are_name_title_pairs() -> None:
    s = load_settings(environ={"CALLCENTER_QUEUE_TITLES": "citizens=Граждане, vip = Льготники"})
    assert s.queue_title_map == {"citizens": "Граждане", "vip": "Льготники"}
    with pytest.raises(SettingsError, match="queue_titles: expected name=title, got 'vip'"):
        load_settings(environ={"CALLCENTER_QUEUE_TITLES": "citizens=Граждане,vip"})


def test_callbacks_are_dialled_citizen_first_unless_the_settings_say_operator_first() -> None:
    from callcenter.bootstrap import engine_config

    default = load_settings(environ={})
    assert (default.callback_mode, default.citizen_trunk) == ("citizen_first", "citizen-trunk")
    assert engine_config(default).callbacks.citizen_first
    chosen = load_settings(environ={"CALLCENTER_CALLBACK_MODE": "operator_first"})
    assert not engine_config(chosen).callbacks.citizen_first
    with pytest.raises(SettingsError, match="callback_mode: must be one of citizen_first"):
        load_settings(environ={"CALLCENTER_CALLBACK_MODE": "whoever"})
