"""Persistence (SQLAlchemy 2 async, SQLite or PostgreSQL) and live state (in-process or Redis).

Modules:

- `models`: ORM rows (tables); `records`: the plain records repositories take and return;
- `db`: engines and sessions; `migrate`: Alembic upgrade to head, programmatic; `migrations/`;
- `repositories` (`open_store` -> `Store`), built from `repo_calls`, `repo_callbacks`,
  `repo_citizens`, `repo_admin`;
- `live` / `live_redis`: waiting callers, operator states, queue figures, pub/sub;
- `callback_queue` / `callback_queue_redis`: earliest-deadline-first callback claims with leases.

Why a crash loses nothing:

1. Every repository method runs in its own transaction and returns only after COMMIT, so the
   engine acknowledges (to the caller, to Asterisk, to a partner center) only what is on disk.
   SQLite commits are durable (journal + fsync); PostgreSQL commits are WAL-flushed.
2. A callback request is written to the database first, before the citizen hears "we will call
   you back" and before it is put on the callback queue. The queue (Redis or in-process) is only a
   coordination aid: at start-up `CallbackQueue.rebuild_from(store.callbacks.open_requests())`
   restores it, including requests that a dead node had claimed (their lease simply expires).
3. Writes are idempotent, so replaying after a restart is safe: call records are upserted by the
   Asterisk call id, timeline events and callback attempts have unique keys, callback requests are
   unique per source call. The engine can therefore resynchronise from Asterisk and re-write
   whatever it is unsure about.
4. Live state is a cache rebuilt from Asterisk (`QueueStatus`, `CoreShowChannels`) after a
   restart; losing it loses nothing.

Nothing is built at import time: engines, clients and scripts are created by the functions and
constructors that the application's wiring calls.
"""
