"""Sign-in and roles, shared by the supervisor dashboard and the operator workplace.

Interface:

- `User(id, name, role, sip_endpoint, password_hash)`; roles are `ROLES`
  ("operator", "supervisor", "admin"). Passwords are stored as
  "scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>" (`hash_password` / `verify_password`).
- `UserDirectory` (Protocol): `async get(user_id)`, `async authenticate(login, password)`.
  `InMemoryUserDirectory.demo()` seeds the demo users (supervisor/supervisor, admin/admin,
  op101..op105 with password = login): demo mode only.
- `setup_auth(app, users=..., secret=..., api_key=..., clock=...)` installs the middleware and
  the `/login` (GET form, POST sign-in) and `/logout` routes. Call it once, before start-up.
  The middleware puts the signed-in `User` in `request[USER]` (cookie `cc_session`, signed with
  HMAC-SHA256, HttpOnly, SameSite=Strict) or, for machine clients, from the `X-API-Key` header
  (principal `API_USER`, role admin). Every `/api/` path needs a user (401 JSON otherwise)
  except `PUBLIC_PATHS` (/api/status, /metrics) and the `public_prefixes` of APIs that check
  their callers themselves (default `SELF_AUTHENTICATED`: the signed federation API).
- `@require_role("supervisor", "admin")` on a handler: no user → 401 JSON for /api/ paths,
  a redirect to /login?next=... for pages; wrong role → 403.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from string import Template
from typing import Protocol
from urllib.parse import quote

from aiohttp import web

from callcenter.config import Settings
from callcenter.web.errors import Forbidden, Unauthorized

ROLES = ("operator", "supervisor", "admin")
COOKIE = "cc_session"
API_KEY_HEADER = "X-API-Key"
PUBLIC_PATHS = frozenset({"/api/status", "/metrics", "/login", "/logout"})
# APIs that authenticate their callers themselves (partner centers sign each request).
SELF_AUTHENTICATED = ("/api/federation/",)
PAGES = Path(__file__).parent / "pages"
HOME = {"operator": "/operator", "supervisor": "/supervisor", "admin": "/supervisor"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: str
    sip_endpoint: str | None = None
    password_hash: str = ""


API_USER = User(id="api", name="API-клиент", role="admin")
USER = web.RequestKey("user", User)


def hash_password(password: str, *, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, bytes.fromhex(digest))


class UserDirectory(Protocol):
    async def get(self, user_id: str) -> User | None: ...

    async def authenticate(self, login: str, password: str) -> User | None: ...


class InMemoryUserDirectory:
    def __init__(self, users: Iterable[User]) -> None:
        self._users = {u.id: u for u in users}

    @classmethod
    def demo(cls, *, n: int = 2**14) -> InMemoryUserDirectory:
        """Demo accounts whose password equals the login: never use outside demo mode."""
        people: list[tuple[str, str, str, str | None]] = [
            ("supervisor", "Старший смены", "supervisor", None)
        ]
        people.append(("admin", "Администратор", "admin", None))
        people += [(f"op{i}", f"Оператор {i}", "operator", f"PJSIP/{i}") for i in range(101, 106)]
        return cls(User(i, nm, role, sip, hash_password(i, n=n)) for i, nm, role, sip in people)

    async def get(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    def id_for_endpoint(self, endpoint: str) -> str | None:
        """The operator signed in at a SIP endpoint (`PJSIP/101`), for screen pops."""
        return next((u.id for u in self._users.values() if u.sip_endpoint == endpoint), None)

    def name_for_endpoint(self, endpoint: str) -> str:
        """Who sits at the endpoint, for the dashboard (the endpoint itself if nobody)."""
        return next((u.name for u in self._users.values() if u.sip_endpoint == endpoint), endpoint)

    async def authenticate(self, login: str, password: str) -> User | None:
        user = self._users.get(login)
        if user is None or not verify_password(password, user.password_hash):
            return None
        return user


class SessionSigner:
    """Token "<b64 user id>.<expiry epoch>.<hmac hex>"; the clock is injected."""

    def __init__(self, secret: bytes, *, ttl_s: float, clock: Callable[[], float]) -> None:
        self._secret = secret
        self._ttl_s = ttl_s
        self._clock = clock

    def _sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, user_id: str) -> str:
        uid = base64.urlsafe_b64encode(user_id.encode()).decode().rstrip("=")
        payload = f"{uid}.{int(self._clock() + self._ttl_s)}"
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str) -> str | None:
        parts = token.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        payload = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(self._sign(payload), parts[2]):
            return None
        if int(parts[1]) < self._clock():
            return None
        try:
            return base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)).decode()
        except ValueError:
            return None


@dataclass(frozen=True)
class AuthConfig:
    users: UserDirectory
    signer: SessionSigner
    api_key: str
    secure_cookie: bool
    public_prefixes: tuple[str, ...]


AUTH = web.AppKey("auth", AuthConfig)


def setup_auth(
    app: web.Application,
    *,
    users: UserDirectory,
    secret: bytes,
    api_key: str,
    clock: Callable[[], float],
    ttl_s: float = 12 * 3600,
    secure_cookie: bool = False,
    public_prefixes: tuple[str, ...] = SELF_AUTHENTICATED,
) -> None:
    if AUTH in app:
        return
    signer = SessionSigner(secret, ttl_s=ttl_s, clock=clock)
    app[AUTH] = AuthConfig(users, signer, api_key, secure_cookie, public_prefixes)
    app.middlewares.append(auth_middleware)
    app.router.add_get("/login", get_login)
    app.router.add_post("/login", post_login)
    app.router.add_post("/logout", post_logout)
    app.router.add_get("/api/me", get_me)


async def _identify(request: web.Request, auth: AuthConfig) -> User | None:
    key = request.headers.get(API_KEY_HEADER)
    if key is not None:
        return API_USER if hmac.compare_digest(key.encode(), auth.api_key.encode()) else None
    token = request.cookies.get(COOKIE)
    user_id = auth.signer.verify(token) if token else None
    return await auth.users.get(user_id) if user_id else None


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    auth = request.app[AUTH]
    user = await _identify(request, auth)
    if user is not None:
        request[USER] = user
    elif _needs_user(request.path, auth):
        raise Unauthorized("unauthorized", "Требуется вход в систему", {})
    return await handler(request)


def _needs_user(path: str, auth: AuthConfig) -> bool:
    if not path.startswith("/api/") or path in PUBLIC_PATHS:
        return False
    return not path.startswith(auth.public_prefixes)


def current_user(request: web.Request) -> User | None:
    return request.get(USER)


def require_role(*roles: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            user = current_user(request)
            is_api = request.path.startswith("/api/")
            if user is None:
                if is_api:
                    raise Unauthorized("unauthorized", "Требуется вход в систему", {})
                raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='')}")
            if user.role not in roles:
                if is_api:
                    raise Forbidden("forbidden", "Недостаточно прав", {"role": user.role})
                raise web.HTTPForbidden(text=_page("forbidden.html"), content_type="text/html")
            return await handler(request)

        return wrapper

    return decorate


def _page(name: str, **values: str) -> str:
    return Template((PAGES / name).read_text(encoding="utf-8")).safe_substitute(values)


def _safe_next(target: str) -> str:
    # Only local paths: "//host" or "http://..." would make the form an open redirect.
    return target if target.startswith("/") and not target.startswith("//") else ""


def _login_form(next_path: str, error: str = "", status: int = 200) -> web.Response:
    body = _page("login.html", next=escape(next_path), error=escape(error))
    return web.Response(text=body, content_type="text/html", status=status)


async def get_login(request: web.Request) -> web.Response:
    return _login_form(_safe_next(request.query.get("next", "")))


async def post_login(request: web.Request) -> web.Response:
    form = await request.post()
    login, password = str(form.get("login", "")), str(form.get("password", ""))
    next_path = _safe_next(str(form.get("next", "")))
    auth = request.app[AUTH]
    user = await auth.users.authenticate(login.strip(), password)
    if user is None:
        return _login_form(next_path, "Неверное имя пользователя или пароль", status=401)
    response = web.HTTPFound(next_path or HOME.get(user.role, "/"))
    response.set_cookie(
        COOKIE,
        auth.signer.issue(user.id),
        httponly=True,
        samesite="Strict",
        secure=auth.secure_cookie,
        path="/",
    )
    raise response


async def post_logout(request: web.Request) -> web.Response:
    response = web.HTTPFound("/login")
    response.del_cookie(COOKIE, path="/")
    raise response


async def get_me(request: web.Request) -> web.Response:
    user = request[USER]
    body = {"id": user.id, "name": user.name, "role": user.role, "sip": user.sip_endpoint}
    return web.json_response(body)


def session_key(settings: Settings) -> bytes:
    """The key that signs session cookies: `session_secret`, else derived from the API key."""
    raw = settings.session_secret or "callcenter-session:" + settings.api_key
    return hashlib.sha256(raw.encode()).digest()
