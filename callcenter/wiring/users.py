"""Who may sign in: the operators table in production, demo accounts in demo mode only."""

from __future__ import annotations

from callcenter.store.repositories import Store
from callcenter.web.auth import User, verify_password


class StoreUserDirectory:
    """Users from the `operators` table, cached; `reload()` runs at start-up and on demand."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._users: dict[str, User] = {}

    async def reload(self) -> None:
        rows = await self._store.operators.all()
        self._users = {
            r.id: User(r.id, r.name, r.role, r.sip_endpoint, r.password_hash or "") for r in rows
        }

    async def get(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    async def authenticate(self, login: str, password: str) -> User | None:
        user = self._users.get(login)
        if user is None or not user.password_hash:
            return None
        return user if verify_password(password, user.password_hash) else None

    def id_for_endpoint(self, endpoint: str) -> str | None:
        return next((u.id for u in self._users.values() if u.sip_endpoint == endpoint), None)
