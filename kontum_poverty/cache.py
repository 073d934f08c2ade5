"""A Redis cache that treats an unreachable Redis as an empty cache.

The cache only ever holds copies of what the database can recompute (rendered pages), so a Redis
outage must cost speed, never a page or a save. Every operation that fails because Redis cannot
be reached behaves like a miss: reads return the default, writes store nothing. After a failure
the backend stops asking Redis for `RETRY_SECONDS`: a Redis that hangs instead of refusing would
otherwise cost every cache call its socket timeout. The warning is logged once per failure, so at
most once per `RETRY_SECONDS` for each cache connection (Django opens one per thread).

A delete that is skipped leaves nothing stale behind: cached pages are never deleted to refresh
them, their keys carry the figures version, which lives in the database.
"""

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis import exceptions

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Redis cannot serve: refused, unreachable, timed out, still loading its data (BusyLoadingError
# and AuthenticationError are ConnectionErrors), a read-only replica after a failover, or full.
UNAVAILABLE: tuple[type[Exception], ...] = (
    exceptions.ConnectionError,
    exceptions.TimeoutError,
    exceptions.ReadOnlyError,
    exceptions.OutOfMemoryError,
)
RETRY_SECONDS = 10.0


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, with Redis being down treated as a cache miss."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.retry_seconds = float(params.get("RETRY_SECONDS", RETRY_SECONDS))
        self._down_until = 0.0

    def _call(self, operation: str, fallback: T, method: Callable[..., T], *args: Any) -> T:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return method(*args)
        except UNAVAILABLE as exc:
            self._down_until = time.monotonic() + self.retry_seconds
            logger.warning(
                "Cache unavailable (%s on %s: %s); serving from the database, next try in %ss",
                type(exc).__name__,
                operation,
                exc,
                self.retry_seconds,
            )
            return fallback

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._call("add", False, super().add, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", default, super().get, key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys: Iterable[Any], version: Any = None) -> dict[Any, Any]:
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        value: int | None = self._call("incr", None, super().incr, key, delta, version)
        if value is None:
            # What the cache contract says for a key it does not hold; callers handle it.
            raise ValueError(f"Key {key!r} not found.")
        return value

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        # The contract returns the keys that were not stored: with Redis down, all of them.
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys: Iterable[Any], version: Any = None) -> None:
        self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self) -> None:
        self._call("clear", None, super().clear)
