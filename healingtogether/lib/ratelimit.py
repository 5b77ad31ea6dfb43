"""Count attempts per client in the shared cache, so that every process and server sees the same
counts. Addresses are hashed with the secret key before they become part of a cache key: what we
keep for a few minutes cannot be read back as an IP address."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def client_key(request) -> str:
    """The client's address, hashed. Behind our proxy REMOTE_ADDR is the proxy's own address;
    the proxy sets X-Real-IP (trusted only when the deployment says so)."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.RATELIMIT_TRUST_X_REAL_IP:
        address = request.META.get("HTTP_X_REAL_IP", address)
    return hashlib.blake2b(
        address.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16
    ).hexdigest()


def limited(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt at `scope` by `key`; True when it is over `limit` in this `window`
    (seconds). Windows are fixed slots of time, which is simple and good enough for spam."""
    slot = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{slot}"
    if cache.add(cache_key, 1, timeout=window + 5):
        return limit < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 5)
        count = 1
    return count > limit
