"""What docker-compose.yml and the Dockerfile give the engine, read the way Docker would apply them.

A tmp directory stands for the engine container's file system: the Dockerfile's COPY lines and
the engine's mounts are placed under it, and the secrets become files with dummy contents, so the
settings can be loaded exactly as `callcenter serve` loads them in the container.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from callcenter.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[3]
CONFIG = "/etc/callcenter/callcenter.toml"
# Settings that name a file or directory inside the container.
PATH_KEYS = ("menus_dir", "sounds_dir", "recordings_dir", "vosk_model", "schedule_file")
DUMMY_SECRETS = {
    "database_url": "postgresql+asyncpg://callcenter:dummy-password@postgres:5432/callcenter",
    "redis_url": "redis://redis:6379/0",
}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def service(name: str) -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"][name]
    return found


def _dockerfile() -> tuple[dict[str, str], PurePosixPath]:
    """Container path -> repository path for every COPY, and the WORKDIR of `pip install .`."""
    workdir = PurePosixPath("/")
    copies: dict[str, str] = {}
    install_dir = None
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["WORKDIR"]:
            workdir = workdir / words[1]
        elif words[:1] == ["COPY"]:
            *sources, dest = words[1:]
            for source in sources:
                into = len(sources) > 1 or dest.endswith("/")
                copies[str(workdir / dest / source if into else workdir / dest)] = source
        elif words[:1] == ["RUN"] and "install" in words and words[-1] == ".":
            install_dir = workdir
    assert install_dir is not None, "the Dockerfile does not `pip install .`"
    return copies, install_dir


def dockerfile_copies() -> dict[str, str]:
    return _dockerfile()[0]


def stage_image_workdir(workdir: Path) -> None:
    """What the Dockerfile copies into the directory it runs `pip install .` in."""
    copies, install_dir = _dockerfile()
    for target, source in copies.items():
        if PurePosixPath(target).is_relative_to(install_dir):
            _place(ROOT / source, workdir / PurePosixPath(target).relative_to(install_dir))


def _mounts(svc: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, container path) of each volume; named volumes have no `./` source."""
    pairs = []
    for volume in svc.get("volumes", []):
        source, target = volume.split(":")[:2]
        pairs.append((source, target))
    return pairs


def stage_engine_container(root: Path) -> None:
    """Lay out under `root` what the engine container sees: image files, mounts, secrets."""
    for target, source in dockerfile_copies().items():
        _place(ROOT / source, root / target.lstrip("/"))
    for source, target in _mounts(service("engine")):
        if source.startswith("./"):
            _place(ROOT / source, root / target.lstrip("/"))
        else:
            (root / target.lstrip("/")).mkdir(parents=True, exist_ok=True)
    secrets = root / "run" / "secrets"
    secrets.mkdir(parents=True, exist_ok=True)
    for name in service("engine").get("secrets", []):
        dummy = DUMMY_SECRETS.get(name, f"dummy-{name}-0123456789abcdef")
        (secrets / name).write_text(dummy + "\n")


def _place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(
            source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    else:
        shutil.copy(source, target)


def engine_environment(root: Path) -> dict[str, str]:
    """The engine's environment from docker-compose.yml, container paths moved under `root`."""
    env = {str(k): str(v) for k, v in service("engine").get("environment", {}).items()}
    return {k: f"{root}{v}" if v.startswith("/") else v for k, v in env.items()}


def container_settings(root: Path) -> Settings:
    """The settings `callcenter serve --config CONFIG` loads in the container staged at `root`."""
    command = " ".join(_dockerfile_cmd())
    assert f"--config {CONFIG}" in command, command
    settings = load_settings(root / CONFIG.lstrip("/"), engine_environment(root))
    moved = {
        key: f"{root}{value}"
        for key in PATH_KEYS
        if (value := getattr(settings, key)).startswith("/")
    }
    return dataclasses.replace(settings, **moved)


def _dockerfile_cmd() -> list[str]:
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("CMD "):
            words: list[str] = yaml.safe_load(line.removeprefix("CMD "))
            return words
    raise AssertionError("the Dockerfile has no CMD")


def agi_addresses_seen_by_asterisk(agi_port: int) -> set[str]:
    """host:port under which Asterisk's network reaches the engine's FastAGI port."""
    if service("asterisk").get("network_mode") == "host":
        addresses = set()
        for mapping in service("engine").get("ports", []):
            *ip, published, inside = str(mapping).split(":")
            if int(inside) != agi_port:
                continue
            hosts = {"127.0.0.1", "localhost"} if ip in ([], ["0.0.0.0"]) else set(ip)
            if hosts & {"127.0.0.1"}:
                hosts.add("localhost")
            addresses |= {f"{host}:{published}" for host in hosts}
        return addresses
    if set(service("asterisk").get("networks", ["default"])).isdisjoint(
        service("engine").get("networks", ["default"])
    ):
        return set()
    return {f"engine:{agi_port}"}


def ami_hosts_seen_by_engine() -> set[str]:
    """Names under which the engine's container reaches Asterisk's AMI."""
    if service("asterisk").get("network_mode") != "host":
        return {"asterisk"}
    extra = service("engine").get("extra_hosts", [])
    return {entry.split(":")[0] for entry in extra if entry.endswith(":host-gateway")}


def dialplan_global(name: str) -> str:
    text = (ROOT / "asterisk_conf" / "extensions.conf").read_text()
    found = re.search(rf"^{name}=(.*)$", text, re.MULTILINE)
    assert found, f"extensions.conf has no global {name}"
    return found.group(1).strip()


def manager_permits(user: str, address: str) -> bool:
    """Whether the shipped manager.conf lets `user` in from `address` (deny all, then permit)."""
    section = ""
    allowed = False
    for raw in (ROOT / "asterisk_conf" / "manager.conf").read_text().splitlines():
        line = raw.split(";")[0].strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif section == user and line.startswith("permit"):
            net, mask = line.split("=", 1)[1].strip().split("/")
            allowed |= ipaddress.ip_address(address) in ipaddress.ip_network(f"{net}/{mask}")
    return allowed
