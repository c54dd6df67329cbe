"""Fixture: centers A and B, partners of each other, over real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from federation_centers import Center, bound_socket, close_center, start_center


@pytest.fixture
async def two_centers() -> AsyncIterator[tuple[Center, Center]]:
    """Centers A and B, partners of each other; neither polls until the test starts it."""
    a, b = Center("center-a", bound_socket()), Center("center-b", bound_socket())
    await start_center(a, {"center-b": b.url})
    await start_center(b, {"center-a": a.url})
    yield a, b
    for c in (a, b):
        await close_center(c)
