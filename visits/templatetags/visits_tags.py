"""Times as the library writes them: "09.00 WIB"."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def wib(value) -> str:
    """An aware datetime → "09.00 WIB" (Asia/Jakarta)."""
    if not value:
        return ""
    return f"{timezone.localtime(value):%H.%M} WIB"


@register.filter
def hhmm(value) -> str:
    """An aware datetime → "09.00" (local time, no zone)."""
    if not value:
        return ""
    return f"{timezone.localtime(value):%H.%M}"


@register.filter
def session_time(session) -> str:
    """A session → "09.00–13.00 WIB"."""
    return f"{hhmm(session.starts_at)}–{hhmm(session.ends_at)} WIB"
