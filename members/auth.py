"""Signing in: the user row of every signed-in request comes from the cache.

Django's ``ModelBackend.get_user`` loads the user row on every request of a signed-in
visitor, to check the session against the password. During a booking rush that one query
was 40 % of a "penuh" answer (docs/performance.md), so the row is cached (Redis in
production, next to the sessions) for ``AUTH_USER_CACHE_SECONDS``, as Zulip caches its
user profiles.

Every save or delete of a user replaces the cached row with a *changed* mark for a few
seconds, once at the write and again at commit. A request that read the old row just
before the commit then cannot put it back (``cache.add`` refuses while the mark is there),
so a new password, a deactivation or a deletion takes effect at the next request, as
without the cache. Users are only ever written through ``save()``/``delete()`` in this
code base; a bulk ``update()`` on users would have to call ``user_cache_forget``.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

CHANGED = "changed"
CHANGED_SECONDS = 10


def _key(user_id) -> str:
    return f"members:auth-user:{user_id}"


class CachedModelBackend(ModelBackend):
    """``ModelBackend`` with ``get_user`` read from the cache (signing in itself is unchanged)."""

    def get_user(self, user_id):
        user_model = get_user_model()
        key = _key(user_id)
        cached = cache.get(key)
        if isinstance(cached, user_model):
            user = cached
        else:
            user = user_model._default_manager.filter(pk=user_id).first()
            if user is None:
                return None
            if cached is None:  # not while a change is settling (above)
                cache.add(key, user, settings.AUTH_USER_CACHE_SECONDS)
        return user if self.user_can_authenticate(user) else None


def user_cache_forget(*, user_id: int) -> None:
    """Drop the cached row now and again when the current transaction commits."""

    def mark():
        cache.set(_key(user_id), CHANGED, CHANGED_SECONDS)

    mark()
    transaction.on_commit(mark)


def user_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for the user model (connected in ``MembersConfig.ready``)."""
    if instance.pk is not None:
        user_cache_forget(user_id=instance.pk)
