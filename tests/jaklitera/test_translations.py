"""Translations: both catalogues complete, in step with the code, and actually used.

Source strings are Bahasa Indonesia; ``locale/en`` is the English translation and
``locale/id`` is the identity (see docs/i18n.md and scripts/po_fill_identity.py).
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from members.services import signup as signup_services
from tests.conftest import _require

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LOCALE_DIR = BASE_DIR / "locale"
LANGUAGES = ["id", "en"]
# What makemessages reads: the apps, project templates and static files, and manage.py to run it.
SOURCE_DIRS = ["jaklitera", "members", "verification", "visits", "templates", "static"]

# %(name)s, %s, %d, %%, ... (python-format) and {} / {name} (python-brace-format / format_html).
PERCENT_RE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACE_RE = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")
TAG_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def _live(po: polib.POFile) -> list[polib.POEntry]:
    # polib lists obsolete (#~) entries too; they are not used and not checked.
    return [entry for entry in po if not entry.obsolete]


def _key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _placeholders(text: str) -> Counter:
    return Counter(PERCENT_RE.findall(text)) + Counter(BRACE_RE.findall(text))


def _tags(text: str) -> Counter:
    return Counter(tag.lower() for tag in TAG_RE.findall(text))


def _translations(entry: polib.POEntry) -> list[tuple[str, str, bool]]:
    """(source, translation, may_drop_placeholders) for each msgstr of the entry."""
    if not entry.msgid_plural:
        return [(entry.msgid, entry.msgstr, False)]
    # Form 0 is the singular where there are 2+ forms: "One attempt left" may drop the number.
    return [
        (entry.msgid_plural, text, index == 0 and len(entry.msgstr_plural) > 1)
        for index, text in sorted(entry.msgstr_plural.items())
    ]


# --- (a) the committed catalogues ------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(language):
    po = _catalogue(language)
    assert not po.metadata_is_fuzzy, f"{language}: the header is marked fuzzy"
    assert po.metadata.get("Language") == language
    entries = _live(po)
    assert entries, f"{language}: empty catalogue"
    untranslated = [entry.msgid for entry in entries if not entry.translated() and not entry.fuzzy]
    fuzzy = [entry.msgid for entry in entries if entry.fuzzy]
    assert not untranslated, f"{language}: untranslated entries: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy entries (check them, then drop the flag): {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_tags(language):
    problems = []
    for entry in _live(_catalogue(language)):
        for source, text, may_drop in _translations(entry):
            want, got = _placeholders(source), _placeholders(text)
            if got != want and not (may_drop and not (got - want)):
                problems.append(f"{entry.msgid!r}: placeholders {sorted(want.elements())} → {sorted(got.elements())}")
            if _tags(source) != _tags(text):
                problems.append(f"{entry.msgid!r}: HTML tags differ in {text!r}")
    assert not problems, f"{language}:\n" + "\n".join(problems)


def _identity_script():
    spec = importlib.util.spec_from_file_location("po_fill_identity", BASE_DIR / "scripts" / "po_fill_identity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_indonesian_catalogue_is_the_identity():
    script = _identity_script()
    borrowed = script.django_translations()
    wrong = []
    for entry in _live(_catalogue("id")):
        if entry.msgid_plural:
            ok = set(entry.msgstr_plural.values()) <= {entry.msgid, entry.msgid_plural}
        else:
            ok = entry.msgstr == script.expected_msgstr(entry, borrowed)
        if not ok:
            wrong.append(entry.msgid)
    assert not wrong, f"id msgstr differs from msgid (run scripts/po_fill_identity.py): {wrong}"


def test_django_admin_strings_keep_djangos_indonesian():
    # "Home" in templates/admin/... is Django's string: our identity entry must not turn
    # the admin's "Beranda" into "Home" (see scripts/po_fill_identity.py).
    with translation.override("id"):
        assert translation.gettext("Home") == "Beranda"
        assert translation.gettext("English") == "English"  # the switcher lists languages by their own name
    with translation.override("en"):
        assert translation.gettext("Home") == "Home"


def test_both_catalogues_have_the_same_entries():
    id_keys = {_key(entry) for entry in _live(_catalogue("id"))}
    en_keys = {_key(entry) for entry in _live(_catalogue("en"))}
    assert sorted(en_keys - id_keys, key=str) == [], "in en but not in id"
    assert sorted(id_keys - en_keys, key=str) == [], "in id but not in en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_present(language):
    # The .mo files are committed so that a machine without gettext runs translated.
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    mo_file = po_file.with_suffix(".mo")
    assert mo_file.exists(), f"{mo_file} missing: run manage.py compilemessages"
    compiled = {_key(entry) for entry in polib.mofile(str(mo_file)) if entry.msgid}
    written = {_key(entry) for entry in _live(_catalogue(language))}
    assert compiled == written, f"{mo_file} is out of date: run manage.py compilemessages"


# --- (b) every translatable string in the code is in the catalogue ---------------------


def test_every_translatable_string_is_in_the_catalogue(tmp_path):
    _require(shutil.which("xgettext") is not None, "needs GNU gettext (xgettext): apt-get install gettext")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCE_DIRS:
        if (BASE_DIR / name).is_dir():
            shutil.copytree(BASE_DIR / name, tmp_path / name, ignore=ignore)
    shutil.copy2(BASE_DIR / "manage.py", tmp_path / "manage.py")
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "jaklitera.settings.test",
            "TEST_PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh = {_key(entry) for entry in _live(polib.pofile(str(tmp_path / "locale/en/LC_MESSAGES/django.po")))}
    committed = {_key(entry) for entry in _live(_catalogue("en"))}
    missing = sorted(entry[1] for entry in fresh - committed)
    stale = sorted(entry[1] for entry in committed - fresh)
    how = "run `make messages`, translate the new entries in locale/en (see docs/i18n.md)"
    assert not missing, f"{len(missing)} string(s) in the code but not in locale/en ({how}):\n" + "\n".join(missing)
    assert not stale, f"{len(stale)} string(s) in locale/en no longer in the code ({how}):\n" + "\n".join(stale)


# --- (c) the site switches language ------------------------------------------------------


@pytest.mark.django_db
def test_site_is_indonesian_without_the_language_cookie(client):
    for url in ("/", reverse("members:signup")):
        html = client.get(url).content.decode()
        assert '<html lang="id">' in html
        assert ">Daftar<" in html and ">Masuk<" in html
        assert "Register" not in html and "Log in" not in html


@pytest.mark.django_db
def test_site_is_english_after_choosing_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302

    home = client.get("/").content.decode()
    assert '<html lang="en">' in home
    assert "Welcome, Kawan Perpus!" in home
    assert ">Register<" in home and ">Log in<" in home
    assert "Open daily, 09:00–17:00 WIB." in home
    assert ">Daftar<" not in home and "Selamat datang" not in home

    signup = client.get(reverse("members:signup")).content.decode()
    assert ">Register</h1>" in signup
    for text in ("Mobile number", "Repeat password", "Terms of Service and Privacy Notice", ">Next<"):
        assert text in signup
    assert "Kata sandi" not in signup and "Selanjutnya" not in signup


def test_plural_forms_in_english():
    with translation.override("en"):
        assert str(signup_services.OtpWrong(1)) == "Wrong OTP code. 1 attempt left."
        assert str(signup_services.OtpWrong(3)) == "Wrong OTP code. 3 attempts left."
    with translation.override("id"):
        assert str(signup_services.OtpWrong(3)) == "Kode OTP salah. Sisa 3 kali percobaan."


# --- (d) emails are rendered in the recipient's language ---------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "expected", "absent"),
    [
        (
            "en",
            "Jaklitera registration OTP code",
            ["Hello Kawan Perpus,", "Your Jaklitera registration OTP code:", "Do not give this code to anyone"],
            ["Halo", "Kode ini berlaku"],
        ),
        (
            "id",
            "Kode OTP pendaftaran Jaklitera",
            ["Halo Kawan Perpus,", "Kode OTP pendaftaran Jaklitera Anda:", "Jangan berikan kode ini"],
            ["Hello", "This code"],
        ),
    ],
    ids=["en", "id"],
)
def test_otp_email_is_in_the_users_language(django_capture_on_commit_callbacks, language, subject, expected, absent):
    with django_capture_on_commit_callbacks(execute=True):
        signup_services.signup_start(
            email="kawan@example.com",
            phone="+6281234567890",
            password="Rahasia-Kuat-123",
            language=language,
            ip="10.0.0.9",
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert message.subject == subject
    for text in expected:
        assert text in message.body and text in html
    for text in absent:
        assert text not in message.body and text not in html
    assert translation.get_language() == "id"  # the email's language did not leak into the request
