"""`callcenter emulate --config FILE`: the emulator's settings in a TOML file.

Every setting also has a command-line flag; a flag given on the command line wins over the file,
the file over the built-in default. Relative paths in the file are relative to the file. An
unknown key or a value of the wrong type is an error that names it.

    seed = 7
    speed = 30.0                 # virtual time runs this many times faster
    timezone = "Europe/Moscow"   # GotoIfTime's local time and the hours of a call profile
    sounds_dir = "var/sounds"
    work_dir = "var/emulator"    # holds queue_log unless queue_log says otherwise
    queue_log = "var/queue_log"

    [network]
    bind = "127.0.0.1"           # AMI and control API listen here
    ami_port = 5038
    control_port = 8088
    agi = "127.0.0.1:4573"       # the engine's FastAGI server

    [asterisk]
    manager_conf = "asterisk_conf/manager.conf"
    extensions_conf = "asterisk_conf/extensions.conf"
    queues_conf = "asterisk_conf/queues.conf"

    [operators]
    count = 3                    # bots PJSIP/101, PJSIP/102...
    members = true               # also add them to the queue (runs without the engine)
    answer_delay_s = 2.0
    answer_p = 1.0
    handle_s = [60, 180]
    wrapup_s = 0.0
    answer_jitter_s = 0.0
    hold_s = 0.0                 # holds each caller this long mid-call
    break_every = 0              # a break (queue pause) every N calls
    break_s = 0.0

    [callers]
    rate = 120.0                 # Poisson arrivals, calls per hour
    profile = [0, 0, ...]        # or 24 hourly rates
    duration = 28800.0
    trace = "calls.csv"          # or replay a CSV trace
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

# (section, key) -> (argparse dest, kind, default); section "" = top level.
SETTINGS: dict[tuple[str, str], tuple[str, str, Any]] = {
    ("", "seed"): ("seed", "int", 1),
    ("", "speed"): ("speed", "number", 1.0),
    ("", "timezone"): ("timezone", "str", "UTC"),
    ("", "sounds_dir"): ("sounds_dir", "path", None),
    ("", "work_dir"): ("work_dir", "path", Path("var/emulator")),
    ("", "queue_log"): ("queue_log", "path", None),
    ("network", "bind"): ("bind", "str", "127.0.0.1"),
    ("network", "ami_port"): ("ami_port", "int", 5038),
    ("network", "control_port"): ("control_port", "int", 8088),
    ("network", "agi"): ("agi", "str", "127.0.0.1:4573"),
    ("asterisk", "manager_conf"): ("manager_conf", "path", None),
    ("asterisk", "extensions_conf"): ("dialplan", "path", None),
    ("asterisk", "queues_conf"): ("queues_conf", "path", None),
    ("operators", "count"): ("operators", "int", 0),
    ("operators", "members"): ("members", "bool", False),
    ("operators", "answer_delay_s"): ("answer_delay_s", "number", 2.0),
    ("operators", "answer_p"): ("answer_p", "number", 1.0),
    ("operators", "handle_s"): ("handle_s", "pair", (60.0, 180.0)),
    ("operators", "wrapup_s"): ("wrapup_s", "number", 0.0),
    ("operators", "answer_jitter_s"): ("answer_jitter_s", "number", 0.0),
    ("operators", "hold_s"): ("hold_s", "number", 0.0),
    ("operators", "break_every"): ("break_every", "int", 0),
    ("operators", "break_s"): ("break_s", "number", 0.0),
    ("callers", "rate"): ("rate", "number", 0.0),
    ("callers", "profile"): ("profile", "profile", None),
    ("callers", "duration"): ("duration", "number", 8 * 3600.0),
    ("callers", "trace"): ("trace", "path", None),
}
DESTS = {dest: default for dest, _, default in SETTINGS.values()}


class ConfigError(ValueError):
    """The config file cannot be used; the message names the file and the key."""


def resolve(args: argparse.Namespace) -> argparse.Namespace:
    """Flags given on the command line, else the config file's values, else the defaults."""
    from_file = load(args.config) if getattr(args, "config", None) is not None else {}
    merged = dict(vars(args))
    for dest, default in DESTS.items():
        if merged.get(dest) is None:
            merged[dest] = from_file.get(dest, default)
    merged["config"] = None  # resolved: a second call changes nothing
    return argparse.Namespace(**merged)


def load(path: Path) -> dict[str, Any]:
    """The file's settings by argparse dest."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key in {s for s, _ in SETTINGS if s}:
            for inner, item in value.items():
                out.update(_setting(path, key, inner, item))
        else:
            out.update(_setting(path, "", key, value))
    return out


def _setting(path: Path, section: str, key: str, value: Any) -> dict[str, Any]:
    name = f"{section}.{key}" if section else key
    spec = SETTINGS.get((section, key))
    if spec is None:
        known = ", ".join(sorted(f"{s}.{k}" if s else k for s, k in SETTINGS))
        raise ConfigError(f"{path}: unknown key {name!r} (known: {known})")
    dest, kind, _ = spec
    try:
        return {dest: _convert(kind, value, path.parent)}
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: {name}: {exc}") from None


def _convert(kind: str, value: Any, base: Path) -> Any:
    if kind == "path":
        if not isinstance(value, str) or not value:
            raise TypeError("must be a path string")
        return base / Path(value).expanduser()
    return _CONVERTERS[kind](value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("must be true or false")
    return value


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("must be a whole number")
    return value


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("must be a string")
    return value


def _pair(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise TypeError("must be [low, high] seconds")
    low, high = _number(value[0]), _number(value[1])
    if low > high:
        raise ValueError("low must not exceed high")
    return (low, high)


def _rates(value: Any) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != 24:
        raise TypeError("must be 24 hourly rates")
    return tuple(_number(v) for v in value)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"must be a number, got {value!r}")
    if value < 0:
        raise ValueError(f"must not be negative, got {value!r}")
    return float(value)


_CONVERTERS = {
    "bool": _boolean,
    "int": _whole,
    "number": _number,
    "str": _string,
    "pair": _pair,
    "profile": _rates,
}
