"""Each store module imports on its own (no hidden import order), builds nothing at import time,
and the public surface of `repositories` is pinned."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import callcenter.store
from callcenter.store import repositories

STORE_DIR = Path(callcenter.store.__file__).parent
MODULES = sorted(
    "callcenter.store." + ".".join(p.relative_to(STORE_DIR).with_suffix("").parts)
    for p in STORE_DIR.rglob("*.py")
    if p.name != "__init__.py"
)

# Imports one module in a clean slate of callcenter modules, for every module, in one child
# process (a fresh interpreter per module would cost seconds). It also checks that importing
# opened no database engine and no Redis client.
_CHILD = """
import importlib, sys
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.startswith("callcenter")]:
        del sys.modules[loaded]
    importlib.import_module(name)
import gc
from sqlalchemy.ext.asyncio import AsyncEngine
from redis.asyncio import Redis
built = [o for o in gc.get_objects() if isinstance(o, (AsyncEngine, Redis))]
assert not built, built
"""


def test_every_module_imports_on_its_own() -> None:
    assert "callcenter.store.live_redis" in MODULES
    assert "callcenter.store.migrations.versions.0001_initial" in MODULES
    importable = [m for m in MODULES if not m.rsplit(".", 1)[1][0].isdigit()]
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", _CHILD, *importable],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_public_api_of_repositories_is_pinned() -> None:
    assert sorted(repositories.__all__) == [
        "ApplicationRepository",
        "AuditRepository",
        "CallRepository",
        "CallbackNotFound",
        "CallbackRepository",
        "CitizenRepository",
        "NotifyRepository",
        "OperatorRepository",
        "ScriptRepository",
        "Store",
        "WorkplaceRecord",
        "WorkplaceRepository",
        "canonical_phone",
        "open_store",
        "phone_variants",
    ]
