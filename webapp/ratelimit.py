"""Failed-login throttling that every server worker shares and that cannot lock the owner out.

Failures are counted per client address and per (account, client address), in fixed windows
(``KYODO_LOGIN_LIMIT`` and ``KYODO_LOGIN_ACCOUNT_LIMIT``, e.g. ``10 per minute;50 per hour``).
Someone guessing one account's password from their machine is stopped there; the account's owner,
from any other address, still logs in. Only failures count, so logging in often is never refused.

The counters live in Redis when ``KYODO_REDIS_URL`` is set, otherwise in the database table
``ratelimitcounter``; never in a worker's memory, where each worker would count on its own. If
Redis cannot be reached the database counts instead, and the log says so (no 500)."""
from __future__ import annotations

import hashlib
import logging
import time

import sqlalchemy as sa
from flask import Flask, current_app
from limits import parse_many

from .models import RateLimitCounter

log = logging.getLogger(__name__)
_EXTENSION = "kyodo.login_throttle"
_TABLE = RateLimitCounter.__table__


class DatabaseCounters:
    """Fixed-window counters in ``ratelimitcounter``, each change in its own short transaction."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def count(self, key: str) -> int:
        with self.engine.connect() as connection:
            value = connection.execute(sa.select(_TABLE.c.count).where(
                _TABLE.c.key == key, _TABLE.c.expires_at > int(time.time()))).scalar_one_or_none()
        return value or 0

    def hit(self, key: str, window: int) -> None:
        now = int(time.time())
        for _ in range(3):  # a concurrent first hit may insert the row between our two statements
            try:
                with self.engine.begin() as connection:
                    updated = connection.execute(
                        sa.update(_TABLE).where(_TABLE.c.key == key, _TABLE.c.expires_at > now)
                        .values(count=_TABLE.c.count + 1)).rowcount
                    if not updated:
                        connection.execute(sa.delete(_TABLE).where(_TABLE.c.key == key))
                        connection.execute(sa.insert(_TABLE).values(key=key, count=1, expires_at=now + window))
                return
            except sa.exc.IntegrityError:
                continue

    def reset(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(_TABLE).where(_TABLE.c.key == key))

    def prune(self) -> int:
        with self.engine.begin() as connection:
            return connection.execute(sa.delete(_TABLE).where(_TABLE.c.expires_at <= int(time.time()))).rowcount


class RedisCounters:
    def __init__(self, url: str):
        import redis

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def count(self, key: str) -> int:
        return int(self.client.get(key) or 0)

    def hit(self, key: str, window: int) -> None:
        pipe = self.client.pipeline()
        pipe.incr(key)
        pipe.expire(key, window, nx=True)
        pipe.execute()

    def reset(self, key: str) -> None:
        self.client.delete(key)


class LoginThrottle:
    def __init__(self, *, client_limits: str, account_limits: str, database: DatabaseCounters,
                 redis: RedisCounters | None = None):
        self.client_limits = [(item.amount, item.get_expiry()) for item in parse_many(client_limits)]
        self.account_limits = [(item.amount, item.get_expiry()) for item in parse_many(account_limits)]
        self.database = database
        self.redis = redis

    def _keys(self, client: str, email: str) -> list[tuple[str, int, int]]:
        # The address is hashed: the counters need no readable e-mail addresses.
        account = hashlib.sha256(f"{email.strip().lower()}\x1f{client}".encode()).hexdigest()[:32]
        return ([(f"login:client:{client}:{window}", amount, window) for amount, window in self.client_limits]
                + [(f"login:account:{account}:{window}", amount, window) for amount, window in self.account_limits])

    def _run(self, method: str, *args):
        if self.redis is not None:
            try:
                return getattr(self.redis, method)(*args)
            except self.redis.errors as error:
                log.warning("Redis unreachable for login throttling, counting in the database: %s", error)
        return getattr(self.database, method)(*args)

    def blocked(self, *, client: str, email: str) -> bool:
        """Whether this client (or this client for this account) has failed too often."""
        return any(self._run("count", key) >= amount for key, amount, _ in self._keys(client, email))

    def failed(self, *, client: str, email: str) -> None:
        for key, _, window in self._keys(client, email):
            self._run("hit", key, window)

    def succeeded(self, *, client: str, email: str) -> None:
        for key, _, _ in self._keys(client, email)[len(self.client_limits):]:
            self._run("reset", key)


def init_app(app: Flask) -> None:
    from .db import get_engine

    url = app.config.get("KYODO_REDIS_URL") or ""
    app.extensions[_EXTENSION] = LoginThrottle(
        client_limits=app.config["KYODO_LOGIN_LIMIT"], account_limits=app.config["KYODO_LOGIN_ACCOUNT_LIMIT"],
        database=DatabaseCounters(get_engine(app)), redis=RedisCounters(url) if url else None,
    )


def login_throttle() -> LoginThrottle:
    return current_app.extensions[_EXTENSION]
