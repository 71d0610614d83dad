import subprocess
import sys

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page_in_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Daftar" in html and "09.00–17.00 WIB" in html


def test_healthz_checks_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_database_down(client, monkeypatch):
    from django.db import connection

    def broken():
        raise RuntimeError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_404_page_is_friendly(client):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_enforced():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("members:login"), {"email": "a@example.com", "password": "x"})
    assert response.status_code == 403


def test_language_switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def _run_production(args, env_extra):
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "jaklitera.settings.production",
            "ALLOWED_HOSTS": "jaklitera.example",
            "REDIS_URL": "redis://127.0.0.1:6379/0",  # `check` does not connect
        }
    )
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_production_refuses_to_start_without_secret_key():
    result = _run_production(["check"], {})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_shared_cache():
    result = _run_production(
        ["check"], {"SECRET_KEY": "k9Vq2xL0pZ7tR4mW8sN1bH6cJ3fY5gD0aE2uI7oP9lK4jQ1wS6vX8zC3nM5bT7rY", "REDIS_URL": ""}
    )
    assert result.returncode != 0
    assert "REDIS_URL must be set" in result.stderr


def test_production_check_deploy_is_clean():
    result = _run_production(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {"SECRET_KEY": "k9Vq2xL0pZ7tR4mW8sN1bH6cJ3fY5gD0aE2uI7oP9lK4jQ1wS6vX8zC3nM5bT7rY"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_browser_language_does_not_override_indonesian_default(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="id">' in response.content.decode()


def test_language_switch_also_sets_the_email_language_of_a_signed_in_person(client):
    from tests.factories import UserFactory

    user = UserFactory(language="id")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
