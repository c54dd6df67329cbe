"""The production stack as docker-compose.yml and the Dockerfile assemble it: the engine's settings
validate in production mode, an installed (non-editable) package builds the engine from what the
container holds, and Asterisk and the engine can reach each other on the networks compose gives."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from compose_model import (
    PATH_KEYS,
    ROOT,
    agi_addresses_seen_by_asterisk,
    ami_hosts_seen_by_engine,
    compose,
    container_settings,
    dialplan_global,
    dockerfile_copies,
    manager_permits,
    service,
    stage_engine_container,
    stage_image_workdir,
)


def test_the_engine_settings_validate_in_production_mode_as_compose_gives_them(
    tmp_path: Path,
) -> None:
    stage_engine_container(tmp_path)
    settings = container_settings(tmp_path)  # raises SettingsError if anything is missing
    assert settings.mode == "production"
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.redis_url == "redis://redis:6379/0"
    assert len(settings.session_secret) >= 16


def test_a_secret_the_engine_is_not_given_stops_production_start_up(tmp_path: Path) -> None:
    stage_engine_container(tmp_path)
    (tmp_path / "run" / "secrets" / "session_secret").unlink()
    with pytest.raises(ValueError, match="session_secret"):
        container_settings(tmp_path)


def test_every_path_the_settings_name_is_in_the_image_or_mounted(tmp_path: Path) -> None:
    stage_engine_container(tmp_path)
    settings = container_settings(tmp_path)
    provided = {*dockerfile_copies(), *(v.split(":")[1] for v in service("engine")["volumes"])}
    for key in PATH_KEYS:
        value = getattr(settings, key)
        if not value:
            continue
        inside = value.removeprefix(str(tmp_path))
        assert any(inside == p or inside.startswith(p.rstrip("/") + "/") for p in provided), key
    assert Path(settings.menus_dir, "day_entry.yaml").is_file()


def test_every_secret_of_the_stack_is_listed_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in compose()["secrets"] if f"`{name}`" not in production]
    assert missing == []


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project installed as the Dockerfile installs it: `pip install .` (a wheel, not
    editable) in a directory holding only what the Dockerfile copies there."""
    context = tmp_path_factory.mktemp("image") / "app"
    stage_image_workdir(context)
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), "."],
        cwd=context, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return target


BUILD_IN_CONTAINER = """
import json, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
import callcenter, queue_engine
from compose_model import container_settings
from callcenter.bootstrap import build
settings = container_settings(Path({root!r}))
app = build(settings)
print(json.dumps({{"package": callcenter.__file__, "engine": queue_engine.__file__,
                  "menus": settings.menus_dir}}))
"""


def test_an_installed_package_builds_the_engine_from_the_container_files(
    installed: Path, tmp_path: Path
) -> None:
    root = tmp_path / "container"
    stage_engine_container(root)
    script = BUILD_IN_CONTAINER.format(tests=str(Path(__file__).parent), root=str(root))
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,  # not the source tree
        env={"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["package"].startswith(str(installed))
    assert result["engine"].startswith(str(installed))


def test_an_installed_package_holds_every_data_file_of_the_source_tree(installed: Path) -> None:
    shipped = {
        p.relative_to(ROOT)
        for package in ("callcenter", "queue_engine")
        for p in (ROOT / package).rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")
    }
    assert shipped, "the source tree has data files"
    missing = sorted(str(p) for p in shipped if not (installed / p).is_file())
    assert missing == []


def test_the_dialplan_reaches_the_engine_from_asterisks_network(tmp_path: Path) -> None:
    stage_engine_container(tmp_path)
    settings = container_settings(tmp_path)
    reachable = agi_addresses_seen_by_asterisk(settings.agi_port)
    assert dialplan_global("ENGINE") in reachable, reachable


def test_the_engine_reaches_asterisks_ami_and_is_permitted(tmp_path: Path) -> None:
    stage_engine_container(tmp_path)
    settings = container_settings(tmp_path)
    assert settings.ami_host in ami_hosts_seen_by_engine()
    # The engine's container speaks from a Docker bridge address (172.16.0.0/12 by default).
    if service("asterisk").get("network_mode") == "host":
        assert manager_permits(settings.ami_user, "172.18.0.2")
    assert not manager_permits(settings.ami_user, "8.8.8.8")
