"""Production sessions (jaklitera.sessions): read from the cache, kept in the database, and
still readable from the database when the cache (Redis) cannot be reached."""

import pytest
from django.contrib.sessions.models import Session as StoredSession

from jaklitera.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_session_is_stored_in_the_database_and_read_from_the_cache(django_assert_num_queries):
    store = SessionStore()
    store["visitor"] = "kawan"
    store.create()
    assert StoredSession.objects.filter(session_key=store.session_key).exists()
    with django_assert_num_queries(0):
        assert SessionStore(store.session_key)["visitor"] == "kawan"


def test_cache_down_falls_back_to_the_database(monkeypatch):
    store = SessionStore()
    store["visitor"] = "kawan"
    store.create()

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    again = SessionStore(store.session_key)
    monkeypatch.setattr(again._cache, "get", unreachable)
    monkeypatch.setattr(again._cache, "set", unreachable)
    assert again["visitor"] == "kawan"
