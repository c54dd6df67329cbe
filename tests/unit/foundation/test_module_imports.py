"""Every module imports on its own (no hidden import-order dependency, no circular import)."""

import pkgutil
import subprocess
import sys

import callcenter
import queue_engine

SCRIPT = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split('.')[0] in ('callcenter', 'queue_engine')]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f'{name}: {type(exc).__name__}: {exc}')
print('\\n'.join(failed))
sys.exit(1 if failed else 0)
"""


def project_modules() -> list[str]:
    names = []
    for package in (callcenter, queue_engine):
        names.append(package.__name__)
        prefix = package.__name__ + "."
        for info in pkgutil.walk_packages(package.__path__, prefix):
            if ".migrations." not in info.name and not info.name.endswith("__main__"):
                names.append(info.name)
    return names


def test_every_module_imports_on_its_own() -> None:
    modules = project_modules()
    assert len(modules) > 10
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-W",
            "ignore::DeprecationWarning:pydub.utils",
            "-c",
            SCRIPT,
            *modules,
        ],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stdout + done.stderr
