"""Follow one pub/sub channel of the live state for as long as the node runs.

A node cut off from Redis subscribes again after a second; what was published meanwhile is
missed, so each user says how it catches up (at the next start, from the database).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from redis.exceptions import RedisError

from callcenter.store.live import LiveState, Subscription

log = logging.getLogger(__name__)


async def follow(
    state: LiveState,
    channel: str,
    handle: Callable[[str], None],
    *,
    what: str,
    first: Subscription | None = None,
) -> None:
    """Hand each message of `channel` to `handle` until cancelled (`first`: already subscribed)."""
    subscription = first
    while True:
        try:
            if subscription is None:
                subscription = await state.subscribe(channel)
                log.warning("%s resumed; some may have been missed", what)
            async for text in subscription:
                handle(text)
        except (RedisError, OSError, TimeoutError) as exc:
            log.error("%s interrupted: %s", what, exc)
            await asyncio.sleep(1.0)
        finally:
            if subscription is not None:
                await subscription.close()
                subscription = None
