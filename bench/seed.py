"""Seed the bench database (runs inside Django, ``bench.settings``): verified members who
are already logged in, and the session they all want.

Everything is bulk-created: one password hash shared by every account (hashing 10,000
passwords would take minutes), sessions written straight into the session store
(the database table, and the Redis cache in front of it), and a CSRF cookie + form
token per visitor made by Django's own ``get_token``.
"""

import datetime
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session as DjangoSession
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.crypto import get_random_string

from members.models import Member, User
from visits.models import Session
from visits.services import local_today, sessions_generate

BATCH = 2000
SESSION_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class Visitor:
    user_id: int
    sessionid: str
    csrf_cookie: str
    csrf_token: str


def seed(*, visitors: int, capacity: int) -> tuple[int, list[Visitor]]:
    """Create the week's sessions and ``visitors`` logged-in verified members.

    Returns the id of tomorrow's first session (capacity set to ``capacity``, nobody
    booked) and the visitors' cookies and tokens.
    """
    sessions_generate()
    tomorrow = local_today() + datetime.timedelta(days=1)
    session = Session.objects.filter(date=tomorrow, status=Session.Status.OPEN).order_by("starts_at").first()
    if session is None:
        raise RuntimeError("no open session tomorrow: check the schedule and closures")
    Session.objects.filter(pk=session.pk).update(capacity=capacity, booked=0)

    now = timezone.now()
    password = make_password("bench-" + get_random_string(16))
    users = []
    for start in range(0, visitors, BATCH):
        batch = [
            User(
                email=f"kawan{n:06d}@bench.jaklitera.test",
                phone=f"+62812{n:08d}",
                password=password,
                is_active=True,
                email_confirmed_at=now,
            )
            for n in range(start, min(start + BATCH, visitors))
        ]
        users.extend(User.objects.bulk_create(batch))
    Member.objects.bulk_create(
        [
            Member(
                user_id=user.pk,
                status=Member.Status.TERVERIFIKASI,
                full_name=f"Kawan Perpus {n:06d}",
                nik=f"3171{n:012d}",
                member_number=f"JKB{n:09d}",
                verified_at=now,
            )
            for n, user in enumerate(users)
        ],
        batch_size=BATCH,
    )
    return session.pk, _log_in(users)


def _log_in(users: list[User]) -> list[Visitor]:
    """A session (as ``django.contrib.auth.login`` leaves it) and a CSRF cookie per visitor."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    encoder = store_class()
    backend = settings.AUTHENTICATION_BACKENDS[0]
    expires = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    visitors, rows, cached = [], [], {}
    for user in users:
        key = get_random_string(32, SESSION_KEY_CHARS)
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
        rows.append(DjangoSession(session_key=key, session_data=encoder.encode(data), expire_date=expires))
        if hasattr(store_class, "cache_key_prefix"):  # cached_db: warm the cache like recent visitors
            cached[store_class.cache_key_prefix + key] = data
        request = HttpRequest()
        token = get_token(request)
        visitors.append(
            Visitor(user_id=user.pk, sessionid=key, csrf_cookie=request.META["CSRF_COOKIE"], csrf_token=token)
        )
    DjangoSession.objects.bulk_create(rows, batch_size=BATCH)
    items = list(cached.items())
    for start in range(0, len(items), BATCH):
        cache.set_many(dict(items[start : start + BATCH]), settings.SESSION_COOKIE_AGE)
    return visitors
