"""Shared fixtures for the scripting tests: the shipped guidance data, loaded once per session."""

from __future__ import annotations

import pytest

from callcenter.scripting import OperatorGuide


@pytest.fixture(scope="session")
def guide() -> OperatorGuide:
    return OperatorGuide.load()
