"""The user row of signed-in requests comes from the cache (members/auth.py), and every
change to a user still takes effect at the very next request."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from members.auth import CHANGED_SECONDS, CachedModelBackend, user_cache_forget
from tests.factories import UserFactory

PAGE = "visits:my_visits"  # any page that needs a signed-in visitor


def user_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if 'FROM "members_user"' in q["sql"]]


@pytest.fixture
def clock():
    with freeze_time("2026-06-08 08:00:00", tick=False) as frozen:
        yield frozen


def settle(clock):
    # Past the few seconds after a write (here: the login's last_login) when nothing is cached.
    clock.tick(datetime.timedelta(seconds=CHANGED_SECONDS + 1))


@pytest.mark.django_db
def test_signed_in_requests_read_the_user_row_once(client, clock):
    client.force_login(UserFactory())
    settle(clock)
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse(PAGE)).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse(PAGE)).status_code == 200
    assert len(user_queries(first)) == 1
    assert user_queries(second) == []


@pytest.mark.django_db
def test_a_new_password_signs_other_sessions_out_at_once(client, clock):
    user = UserFactory()
    client.force_login(user)
    settle(clock)
    assert client.get(reverse(PAGE)).status_code == 200  # now cached
    user.set_password("kata-sandi-baru-yang-panjang")
    user.save()
    response = client.get(reverse(PAGE))
    assert response.status_code == 302 and reverse("members:login") in response["Location"]


@pytest.mark.django_db
def test_a_deactivated_account_is_signed_out_at_the_next_request(client, clock):
    user = UserFactory()
    client.force_login(user)
    settle(clock)
    assert client.get(reverse(PAGE)).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse(PAGE)).status_code == 302


@pytest.mark.django_db
def test_a_deleted_account_is_gone_from_the_cache(clock):
    user = UserFactory()
    backend = CachedModelBackend()
    settle(clock)
    assert backend.get_user(user.pk) == user
    user_id = user.pk
    user.delete()
    assert backend.get_user(user_id) is None


@pytest.mark.django_db
def test_a_row_read_while_a_change_settles_is_not_cached(clock, django_assert_num_queries):
    # A request that read the old row just before another request's commit must not put it
    # back: while the "changed" mark is there, every request reads the database.
    user = UserFactory()
    backend = CachedModelBackend()
    user_cache_forget(user_id=user.pk)
    with django_assert_num_queries(2):
        backend.get_user(user.pk)
        backend.get_user(user.pk)
    settle(clock)
    with django_assert_num_queries(1):
        backend.get_user(user.pk)
        backend.get_user(user.pk)


@pytest.mark.django_db
def test_the_cached_user_is_a_fresh_copy_per_request(clock):
    # What one request sets on request.user (a permission cache, a related row) never reaches
    # another request.
    user = UserFactory()
    backend = CachedModelBackend()
    settle(clock)
    first = backend.get_user(user.pk)
    first._perm_cache = {"visits.use_desk"}
    second = backend.get_user(user.pk)
    assert second is not first and not hasattr(second, "_perm_cache")
