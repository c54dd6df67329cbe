"""Each adapter module imports on its own, builds nothing, and leaves panoramisk's global line
ending alone (panoramisk.testing switches it to LF, after which a real login never completes)."""

from __future__ import annotations

import importlib
import pkgutil

import panoramisk.utils
import pytest

import callcenter.pbx

MODULES = sorted(m.name for m in pkgutil.iter_modules(callcenter.pbx.__path__, "callcenter.pbx."))


def test_the_adapter_has_its_modules() -> None:
    assert {"callcenter.pbx.ami", "callcenter.pbx.ami_events", "callcenter.pbx.agi_server"} <= set(
        MODULES
    )


@pytest.mark.parametrize("name", MODULES)
def test_module_imports_alone_and_keeps_crlf(name: str) -> None:
    importlib.import_module(name)
    assert panoramisk.utils.EOL == "\r\n"
