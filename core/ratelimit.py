"""A sliding-window rate limit per client address, in Redis, for pages anyone may reach.

Each hit is a member of a Redis sorted set scored by its time; hits older than the window are
dropped before counting, so the limit never resets at a minute boundary (30 look-ups at 12:00:59
and 30 more at 12:01:00 are 60 in one window, not two windows of 30).

When Redis cannot be reached the limit fails to a stricter one kept in this process
(``PUBLIC_LOOKUP_FALLBACK_DIVISOR`` times lower), so an outage never opens the door to guessing.
"""

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse

_LOCAL: dict[str, deque[float]] = {}
_LOCAL_LOCK = threading.Lock()
_CLIENT: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    return _CLIENT


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/min"`` → (30, 60); also ``s``, ``h``, ``d`` and a number of seconds (``"30/120"``)."""
    count, _slash, period = rate.partition("/")
    units = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
    seconds = int(period) if period.isdigit() else units[period.strip().lower()]
    return int(count), seconds


def _local_hit(key: str, limit: int, window: int, now: float) -> bool:
    with _LOCAL_LOCK:
        hits = _LOCAL.setdefault(key, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        if len(_LOCAL) > 10_000:  # forget idle addresses so memory stays bounded
            for stale in [k for k, v in _LOCAL.items() if not v or v[-1] <= now - window]:
                del _LOCAL[stale]
        return True


def allow(key: str, *, limit: int, window: int) -> bool:
    """Record a hit for ``key``; False when it is over ``limit`` hits in the last ``window`` seconds."""
    now = time.time()
    if settings.REDIS_URL:
        name = f"ma:rl:{key}"
        try:
            pipe = _redis().pipeline()
            pipe.zremrangebyscore(name, 0, now - window)
            pipe.zcard(name)
            pipe.zadd(name, {f"{now:.6f}:{uuid.uuid4().hex[:8]}": now})
            pipe.expire(name, window + 1)
            _removed, count, _added, _expiry = pipe.execute()
        except redis.RedisError:
            divisor = getattr(settings, "PUBLIC_LOOKUP_FALLBACK_DIVISOR", 4)
            return _local_hit(key, max(1, limit // divisor), window, now)
        return int(count) < limit
    return _local_hit(key, limit, window, now)


def client_address(request: HttpRequest) -> str:
    """Whom to count look-ups against.

    Behind our TLS-terminating proxy every request comes from the proxy's address, so all
    residents would share one limit. The proxy appends the real client last to X-Forwarded-For;
    earlier entries are whatever the client sent, so only the last one is trusted.
    """
    remote: str = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        return forwarded or remote
    return remote


def public_lookup_rate() -> tuple[int, int]:
    """PUBLIC_LOOKUP_RATE (the ``public_lookup`` throttle rate), as (hits, seconds)."""
    rate: str = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public_lookup"]  # type: ignore[index]
    return parse_rate(rate)


def public_lookup_allowed(request: HttpRequest) -> bool:
    """At most PUBLIC_LOOKUP_RATE public look-ups per address in any sliding window."""
    limit, window = public_lookup_rate()
    return allow(f"public:{client_address(request)}", limit=limit, window=window)


def reset() -> None:
    """Forget every count (tests; or after changing the rates)."""
    with _LOCAL_LOCK:
        _LOCAL.clear()
    if settings.REDIS_URL:
        try:
            client = _redis()
            keys = list(client.scan_iter("ma:rl:*", count=1000))
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass


View = TypeVar("View", bound=Callable[..., HttpResponse])


def public_rate_limited(refused: Callable[[HttpRequest], HttpResponse]) -> Callable[[View], View]:
    """Decorate a public view: GET/HEAD count against the address's limit; over it, ``refused``."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in ("GET", "HEAD") and not public_lookup_allowed(request):
                response = refused(request)
                response["Retry-After"] = str(public_lookup_rate()[1])
                return response
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator
