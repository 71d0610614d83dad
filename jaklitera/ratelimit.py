"""Thin wrapper over django-ratelimit's counters for use inside services.

Counts live in the default cache (Redis in production); keys are hashed by
django-ratelimit, so no email address appears in a cache key.
"""

from django.conf import settings
from django_ratelimit.core import get_usage


def rate_hit(*, group: str, key: str, rate: str) -> bool:
    """Count one hit for ``key``; True when this hit is over the limit."""
    usage = get_usage(None, group=group, key=lambda _g, _r: key, rate=rate, increment=True)
    return bool(usage and usage["should_limit"])


def rate_exhausted(*, group: str, key: str, rate: str) -> bool:
    """True when ``key`` has no hits left in the current window (does not count)."""
    usage = get_usage(None, group=group, key=lambda _g, _r: key, rate=rate, increment=False)
    return bool(usage and usage["count"] >= usage["limit"])


_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def rate_window_seconds(rate: str) -> int:
    """The window of a django-ratelimit rate such as ``"5/15m"`` or ``"20/h"``, in seconds."""
    period = rate.split("/", 1)[1]
    return int(period[:-1] or 1) * _PERIOD_SECONDS[period[-1]]


def client_ip(request) -> str:
    meta_key = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    if meta_key:
        # e.g. HTTP_X_FORWARDED_FOR set by our own proxy: the left-most address is the client.
        return request.META.get(meta_key, "").split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    return request.META.get("REMOTE_ADDR", "")
