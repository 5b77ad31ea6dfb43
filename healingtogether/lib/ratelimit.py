"""Count attempts per client, in memory: the "ratelimit" cache (settings.CACHES), which is each
process's own memory by default, or Redis when CACHE_URL says so. Counters never reach the
database or its backups, and vanish with their window.

A Redis that stops answering (or a `redis` package missing) must never turn into an error page:
the counters then live in this process's memory for a while, with a warning in the log, and
Redis is tried again after RETRY_SECONDS.

A client's address is hashed with the secret key and the day's date before it becomes part of a
key, and hashed again with the scope: what we keep for a few minutes cannot be read back as an
IP address, a report's counter cannot be matched with the same client's API use, and tomorrow's
keys cannot be matched with today's.
"""

import hashlib
import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

ALIAS = "ratelimit"
# After a failure, how long counters stay in memory before Redis is tried again (seconds).
RETRY_SECONDS = 30

log = logging.getLogger(__name__)

try:  # Only the Redis backend needs the package (CACHE_URL).
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - depends on what is installed
    RedisError = OSError

# What an unreachable or missing Redis raises: connection refused, timeouts, no package.
UNREACHABLE = (RedisError, OSError, ImportError)

# Where counters go while the shared cache is unreachable: this process's memory.
memory = LocMemCache("ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_unreachable_until = 0.0


def counters():
    return caches[ALIAS]


class _Guarded:
    """The counters' cache, falling back to `memory` while it cannot be reached."""

    def __getattr__(self, method):
        def call(*args, **kwargs):
            global _unreachable_until
            cache = counters()
            if isinstance(cache, LocMemCache):
                return getattr(cache, method)(*args, **kwargs)
            if time.monotonic() >= _unreachable_until:
                try:
                    return getattr(cache, method)(*args, **kwargs)
                except UNREACHABLE as error:
                    _unreachable_until = time.monotonic() + RETRY_SECONDS
                    log.warning(
                        "Rate-limit cache unreachable (%s: %s); counting in this process's "
                        "memory for %d s.",
                        type(error).__name__,
                        error,
                        RETRY_SECONDS,
                    )
            return getattr(memory, method)(*args, **kwargs)

        return call


_counters = _Guarded()


def client_key(request) -> str:
    """The client's address, hashed with a salt that changes every day (UTC). Behind our proxy
    REMOTE_ADDR is the proxy's own address; the proxy sets X-Real-IP (trusted only when the
    deployment says so)."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.RATELIMIT_TRUST_X_REAL_IP:
        address = request.META.get("HTTP_X_REAL_IP", address)
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    return hashlib.blake2b(
        address.encode(),
        key=settings.SECRET_KEY.encode()[:64],
        salt=day.encode(),
        digest_size=16,
    ).hexdigest()


def _key(kind: str, scope: str, key: str) -> str:
    # Each scope sees its own hash of the same client.
    scoped = hashlib.blake2b(f"{scope}:{key}".encode(), digest_size=16).hexdigest()
    return f"{kind}:{scope}:{scoped}"


def limited(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt at `scope` by `key`; True when it is over `limit` in this `window`
    (seconds). Windows are fixed slots of time, which is simple and good enough for spam."""
    cache = _counters
    slot = int(time.time() // window)
    cache_key = f"{_key('rl', scope, key)}:{slot}"
    if cache.add(cache_key, 1, timeout=window + 5):
        return limit < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 5)
        count = 1
    return count > limit


def mark(scope: str, key: str, window: int) -> None:
    """Remember for `window` seconds that `key` did something at `scope` (was blocked, failed)."""
    _counters.set(_key("mark", scope, key), True, window)


def marked(scope: str, key: str) -> bool:
    return bool(_counters.get(_key("mark", scope, key)))


def mark_once(scope: str, key: str, window: int) -> bool:
    """Mark, and say whether this is the first mark in `window`."""
    return _counters.add(_key("mark", scope, key), True, window)
