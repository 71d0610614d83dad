"""Sessions read from Redis, kept in PostgreSQL (production's ``SESSION_ENGINE``).

Django's ``cached_db``: every logged-in request reads its session from the cache instead of
the ``django_session`` table (one query less per request, see docs/performance.md); writes
go to both, so a cache flush logs nobody out. If Redis cannot be reached, reading falls back
to the database instead of failing the request.
"""

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            return super().load()
        except Exception:  # the cache is down: the database still holds every session
            logger.warning("Session cache unavailable; reading the session from the database", exc_info=True)
            return DBStore.load(self)
