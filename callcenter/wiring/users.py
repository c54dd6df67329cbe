"""Who may sign in: the operators table in production, demo accounts in demo mode only."""

from __future__ import annotations

import time
from collections.abc import Callable

from callcenter.store.repositories import Store
from callcenter.web.auth import User, verify_password

# An unknown login re-reads the table (someone just added with `callcenter users add`), at most
# this often, so that guessing logins cannot hammer the database.
RELOAD_EVERY_S = 5.0


class StoreUserDirectory:
    """Users from the `operators` table, cached; `reload()` runs at start-up and on demand."""

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._users: dict[str, User] = {}
        self._clock = clock
        self._loaded_at = float("-inf")

    async def reload(self) -> None:
        self._loaded_at = self._clock()
        rows = await self._store.operators.all()
        self._users = {
            r.id: User(r.id, r.name, r.role, r.sip_endpoint, r.password_hash or "") for r in rows
        }

    async def get(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    async def authenticate(self, login: str, password: str) -> User | None:
        if login not in self._users and self._clock() - self._loaded_at >= RELOAD_EVERY_S:
            await self.reload()
        user = self._users.get(login)
        if user is None or not user.password_hash:
            return None
        return user if verify_password(password, user.password_hash) else None

    def id_for_endpoint(self, endpoint: str) -> str | None:
        return next((u.id for u in self._users.values() if u.sip_endpoint == endpoint), None)

    def name_for_endpoint(self, endpoint: str) -> str:
        return next((u.name for u in self._users.values() if u.sip_endpoint == endpoint), endpoint)
