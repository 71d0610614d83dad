"""The librarians' queue (admin changelist) reads a fixed number of queries, whatever its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import submitted_member

pytestmark = pytest.mark.django_db

QUEUE = "admin:verification_submission_changelist"


def test_queue_query_count_does_not_grow_with_submissions(client, librarian, django_assert_max_num_queries):
    submitted_member(nik="3171014506900001", full_name="Anggota Satu")
    submitted_member(non_dki=True, nik="3273011203850002", full_name="Anggota Dua")
    client.force_login(librarian)
    client.get(reverse(QUEUE))  # first request of the login: session and permission caches
    with CaptureQueriesContext(connection) as two_rows:
        assert client.get(reverse(QUEUE)).status_code == 200
    for n in range(3, 13):
        submitted_member(non_dki=n % 2 == 0, nik=f"31710145069000{n:02d}", full_name=f"Anggota {n}")
    with django_assert_max_num_queries(len(two_rows)):
        html = client.get(reverse(QUEUE)).content.decode()
    assert "Anggota 12" in html and "Anggota Satu" in html


@pytest.mark.django_db
def test_duplicate_flags_never_match_a_blank():
    # Staff accounts may have no phone; a member whose phone was blanked must not "share" it.
    from django.contrib.auth import get_user_model

    from tests.factories import UserFactory
    from verification.models import Submission
    from verification.selectors import queue_queryset

    UserFactory(phone="", is_staff=True)
    blank = submitted_member()
    get_user_model().objects.filter(pk=blank.user_id).update(phone="")
    twin_a = submitted_member()
    twin_b = submitted_member()
    get_user_model().objects.filter(pk=twin_b.user_id).update(phone=twin_a.user.phone)
    flags = {s.member_id: s.has_same_phone for s in queue_queryset().filter(status=Submission.Status.WAITING)}
    assert flags == {blank.pk: False, twin_a.pk: True, twin_b.pk: True}
