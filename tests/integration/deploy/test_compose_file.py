"""docker-compose.yml is validated offline by docker-compose itself (no Docker engine here)."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
SECRETS = (
    "database_url",
    "ami_secret",
    "api_key",
    "session_secret",
    "postgres_password",
    "grafana_admin_password",
)


def stage(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    (tmp_path / "secrets").mkdir()
    for name in (*SECRETS, "manager.conf"):
        (tmp_path / "secrets" / name).write_text("placeholder\n")
    return tmp_path


def test_compose_file_is_accepted_by_docker_compose(tmp_path: Path) -> None:
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.fail("docker-compose is not installed (make test installs the Debian package)")
    done = subprocess.run(
        [tool, "config", "-q"], cwd=stage(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_compose_mounts_files_that_exist_in_the_repository() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["asterisk"]["image"].split(":")[1].startswith("20")
    mounted = [
        volume.split(":")[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
        if volume.startswith("./") and not volume.startswith("./secrets/")
    ]
    assert mounted
    missing = [path for path in mounted if not (ROOT / path).exists()]
    assert missing == []


def test_a_broken_compose_file_is_refused(tmp_path: Path) -> None:
    tool = shutil.which("docker-compose")
    assert tool is not None
    staged = stage(tmp_path)
    text = (staged / "docker-compose.yml").read_text()
    (staged / "docker-compose.yml").write_text(text.replace("restart:", "restartt:", 1))
    done = subprocess.run(
        [tool, "config", "-q"], cwd=staged, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
