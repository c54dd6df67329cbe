"""Settings: one typed object, loaded once from defaults < TOML file < environment.

Environment variables are named `CALLCENTER_<KEY>` (upper case). Secrets (AMI password, database
and Redis URLs that may carry passwords, API keys) are accepted only from the environment, or from
a file named by `CALLCENTER_<KEY>_FILE` / the TOML key `<key>_file` (the Docker secrets pattern),
never inline in the TOML file that tends to end up in git. In production mode the engine refuses
to start with a default secret.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MODES = ("demo", "development", "production")
CALLBACK_MODES = ("citizen_first", "operator_first")
DEFAULT_AMI_SECRET = "change-me-engine"
DEFAULT_API_KEY = "change-me-api"


class SettingsError(ValueError):
    """A setting is missing, unknown or invalid; the message names the key and why."""


def _secret() -> Any:
    return field(default="", metadata={"secret": True})


@dataclass(frozen=True, kw_only=True)
class Settings:
    mode: str = "development"
    center_id: str = "center-main"
    timezone: str = "Europe/Moscow"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    database_url: str = field(
        default="sqlite+aiosqlite:///callcenter.db", metadata={"secret": True}
    )
    redis_url: str = field(default="", metadata={"secret": True})
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_user: str = "engine"
    ami_secret: str = field(default=DEFAULT_AMI_SECRET, metadata={"secret": True})
    agi_host: str = "127.0.0.1"
    agi_port: int = 4573
    api_key: str = field(default=DEFAULT_API_KEY, metadata={"secret": True})
    session_secret: str = field(default="", metadata={"secret": True})
    queues: str = "citizens"
    # What people see for each queue: `name=title` pairs, comma-separated.
    queue_titles: str = "citizens=Обращения граждан,social=Социальные вопросы"
    federation_config: str = ""
    sounds_dir: str = "var/sounds"
    # Where Asterisk plays our prompts from, relative to its sounds root (sounds_dir is mounted
    # there), and where it writes callers' recordings (shared with the engine).
    sound_prefix: str = "callcenter/"
    recordings_dir: str = "var/recordings"
    # IVR menus: the shipped ivr_scripts/ unless an administrator keeps their own copy.
    menus_dir: str = ""
    # The knowledge base (agencies, services, FAQ: *.yaml and *.csv files): the shipped sample
    # unless the center keeps its own directory.
    kb_dir: str = ""
    # Shifts (`from,to,operators` CSV) shown next to the staffing advice; empty: none.
    schedule_file: str = ""
    vosk_model: str = ""
    queue_limit_s: float = 40.0
    callback_deadline_s: float = 600.0
    # After-call work: an operator with a workplace account takes no new call for this long
    # after one ends, unless they finish the wrap-up page sooner (0: no wrap-up pause).
    wrapup_s: float = 60.0
    # How a callback is dialled: citizen_first rings the citizen and puts them, once they answer,
    # at the head of their queue for the next free operator; operator_first holds a free operator
    # (paused) and dials the citizen from the operator's phone, the operator idle while it rings.
    callback_mode: str = "citizen_first"
    # The citizens' trunk (extensions.conf CITIZEN_TRUNK): citizen-first callbacks dial on it.
    citizen_trunk: str = "citizen-trunk"
    log_level: str = "INFO"
    # Auto-informing (`callcenter notify`): the citizens' trunk and the SMTP server for e-mail.
    notify_trunk: str = "citizen-trunk"
    smtp_host: str = ""  # empty: no e-mail
    smtp_port: int = 25
    smtp_security: str = "none"  # none | starttls | tls
    smtp_user: str = ""
    smtp_password: str = field(default="", metadata={"secret": True})
    mail_from: str = "noreply@localhost"

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def queue_names(self) -> tuple[str, ...]:
        return tuple(q.strip() for q in self.queues.split(",") if q.strip())

    @property
    def queue_title_map(self) -> dict[str, str]:
        pairs = [p.partition("=") for p in self.queue_titles.split(",") if p.strip()]
        return {name.strip(): title.strip() for name, _, title in pairs}

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def public_view(self) -> dict[str, Any]:
        """The settings with secrets masked, fit for logs and the status page."""
        return {
            f.name: ("***" if f.metadata.get("secret") and getattr(self, f.name) else value)
            for f in dataclasses.fields(self)
            for value in [getattr(self, f.name)]
        }


def _validate(s: Settings) -> None:
    if s.mode not in MODES:
        raise SettingsError(f"mode: must be one of {', '.join(MODES)}, got {s.mode!r}")
    _check_numbers(s)
    _check_urls(s)
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"timezone: unknown time zone {s.timezone!r}") from exc
    if s.callback_mode not in CALLBACK_MODES:
        raise SettingsError(f"callback_mode: must be one of {', '.join(CALLBACK_MODES)}")
    if s.smtp_security not in ("none", "starttls", "tls"):
        raise SettingsError("smtp_security: must be one of none, starttls, tls")
    if not s.queue_names:
        raise SettingsError("queues: at least one queue name is needed")
    _check_kb_dir(s.kb_dir)
    for pair in (p.strip() for p in s.queue_titles.split(",") if p.strip()):
        name, eq, title = pair.partition("=")
        if not (eq and name.strip() and title.strip()):
            raise SettingsError(f"queue_titles: expected name=title, got {pair!r}")
    if s.mode == "production":
        _refuse_default_secrets(s)


def _check_kb_dir(kb_dir: str) -> None:
    """The directory exists and holds knowledge-base files; their content is checked when the
    application is built (`callcenter.bootstrap`), before it serves anything."""
    if not kb_dir:
        return
    path = Path(kb_dir)
    if not path.is_dir():
        raise SettingsError(f"kb_dir: {kb_dir!r} is not a directory")
    if not any(path.glob("*.yaml")) and not any(path.glob("*.csv")):
        raise SettingsError(f"kb_dir: {kb_dir!r} holds no *.yaml or *.csv files")


def _check_numbers(s: Settings) -> None:
    for key in ("web_port", "ami_port", "agi_port", "smtp_port"):
        port = getattr(s, key)
        if not 0 <= port <= 65535:
            raise SettingsError(f"{key}: must be a port number 0..65535, got {port}")
    for key in ("queue_limit_s", "callback_deadline_s"):
        if getattr(s, key) <= 0:
            raise SettingsError(f"{key}: must be a positive number of seconds")
    if not 0 <= s.wrapup_s <= 3600:
        raise SettingsError("wrapup_s: must be 0..3600 seconds")


def _check_urls(s: Settings) -> None:
    if not s.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise SettingsError(
            "database_url: must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    if s.redis_url and not s.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError("redis_url: must be a redis:// or rediss:// URL")


def _refuse_default_secrets(s: Settings) -> None:
    if s.ami_secret == DEFAULT_AMI_SECRET:
        raise SettingsError("ami_secret: the default secret is refused in production mode")
    if s.api_key == DEFAULT_API_KEY:
        raise SettingsError("api_key: the default key is refused in production mode")
    if len(s.session_secret) < 16:
        raise SettingsError("session_secret: production mode needs one of at least 16 characters")
    if s.database_url.startswith("sqlite"):
        raise SettingsError("database_url: production mode needs PostgreSQL")


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
ENV_PREFIX = "CALLCENTER_"


def load_settings(
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Merge defaults < TOML file < environment < explicit overrides, then validate."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if config_file is not None:
        raw.update(_read_toml(Path(config_file)))
    raw.update(_read_env(env))
    raw.update(overrides)
    return Settings(**{key: _coerce(key, value) for key, value in raw.items()})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"--config: file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"--config: {path} is not valid TOML: {exc}") from exc
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key.endswith("_file") and _is_secret(key.removesuffix("_file")):
            values[key.removesuffix("_file")] = _read_secret_file(key, str(value))
        elif key not in _FIELDS:
            raise SettingsError(f"{key}: unknown setting in {path}")
        elif _is_secret(key):
            raise SettingsError(
                f"{key}: secrets are not accepted in the config file; set "
                f"{ENV_PREFIX}{key.upper()} or {key}_file"
            )
        else:
            values[key] = value
    return values


def _read_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name.startswith(ENV_PREFIX + "TEST_"):
            continue
        key = name.removeprefix(ENV_PREFIX).lower()
        if key.endswith("_file") and _is_secret(key.removesuffix("_file")):
            values[key.removesuffix("_file")] = _read_secret_file(name, value)
        elif key in _FIELDS:
            values[key] = value
        else:
            raise SettingsError(f"{name}: unknown setting")
    return values


def _is_secret(key: str) -> bool:
    f = _FIELDS.get(key)
    return bool(f and f.metadata.get("secret"))


def _read_secret_file(key: str, path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError(f"{key}: cannot read secret file {path}: {exc.strerror}") from exc


def _coerce(key: str, value: Any) -> Any:
    f = _FIELDS.get(key)
    if f is None:
        raise SettingsError(f"{key}: unknown setting")
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{key}: must be a {kind}, got {value!r}") from exc
    if not isinstance(value, str):
        raise SettingsError(f"{key}: must be a string, got {value!r}")
    return value
