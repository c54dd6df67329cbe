"""Persistence (SQLAlchemy 2 async, SQLite or PostgreSQL) and live state (in-process or Redis).

Modules:

- `models`: ORM rows (tables); `records`: the plain records repositories take and return;
- `db`: engines and sessions; `migrate`: Alembic upgrade to head, programmatic; `migrations/`;
- `repositories` (`open_store` -> `Store`), built from `repo_calls`, `repo_callbacks`,
  `repo_citizens`, `repo_admin`;
- `live` / `live_redis`: the dashboards' shared picture and pub/sub (what the engine uses with
  several nodes), and per-item hashes of waiting callers, operator states and queue figures;
- `callback_queue` / `callback_queue_redis`: earliest-deadline-first callback claims with leases.
  The engine does not use them: every node keeps every request in its own engine
  (`callcenter.runtime.callback_share`) and owns a dial through `callcenter.runtime.leases`.

Why a crash loses nothing:

1. Every repository method runs in its own transaction and returns only after COMMIT, so the
   engine acknowledges (to the caller, to Asterisk, to a partner center) only what is on disk.
   SQLite commits are durable (journal + fsync); PostgreSQL commits are WAL-flushed.
2. A callback request is written to the database first, before the citizen hears "we will call
   you back" and before any node dials it. At start-up every engine node reads the open requests
   (`store.callbacks.open_requests()`), including one a dead node had won the dial of (its lease
   in Redis simply runs out).
3. Writes are idempotent, so replaying after a restart is safe: call records are upserted by the
   Asterisk call id, timeline events and callback attempts have unique keys, callback requests are
   unique per source call. The engine can therefore resynchronise from Asterisk and re-write
   whatever it is unsure about.
4. Live state is a cache rebuilt from Asterisk (`QueueStatus`, `CoreShowChannels`) after a
   restart; losing it loses nothing.

Nothing is built at import time: engines, clients and scripts are created by the functions and
constructors that the application's wiring calls.
"""
