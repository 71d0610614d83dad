"""Settings shared by every mode. Values come from the environment (django-environ).

Modes: ``local`` (laptop default: SQLite, eager Celery, console email),
``production`` (PostgreSQL, Redis, SMTP, secure cookies) and ``test``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_email",
    "jaklitera.apps.JakliteraConfig",
    "members",
    "verification",
    "visits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jaklitera.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "jaklitera.urls"
WSGI_APPLICATION = "jaklitera.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'jaklitera.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A stuck lock must turn into a polite "busy, try again", never a hung worker.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = (
        f"-c lock_timeout={env.int('DB_LOCK_TIMEOUT_MS', default=3000)}"
        f" -c statement_timeout={env.int('DB_STATEMENT_TIMEOUT_MS', default=30000)}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "jaklitera",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered pages shared by many visitors (jaklitera/pagecache.py): per process, no round trip.
# Their keys carry the data version, so the timeout only bounds memory.
PAGES_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "jaklitera-pages",
    "TIMEOUT": 60,
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
CACHES["pages"] = PAGES_CACHE

# --- Auth ---------------------------------------------------------------
# ModelBackend with the user row of signed-in requests cached (members/auth.py).
AUTHENTICATION_BACKENDS = ["members.auth.CachedModelBackend"]
AUTH_USER_CACHE_SECONDS = 300
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "members:login"
LOGIN_REDIRECT_URL = "members:account"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Signup OTP (see docs/architecture.md#otp)
OTP_EMAIL_TOKEN_VALIDITY = 600
OTP_EMAIL_COOLDOWN_DURATION = 60
OTP_EMAIL_THROTTLE_FACTOR = 0  # we void the code after OTP_MAX_FAILURES instead
OTP_MAX_FAILURES = 5
OTP_SEND_RATE_PER_EMAIL = env("OTP_SEND_RATE_PER_EMAIL", default="5/h")
OTP_SEND_RATE_PER_IP = env("OTP_SEND_RATE_PER_IP", default="20/h")
LOGIN_RATE_PER_EMAIL = env("LOGIN_RATE_PER_EMAIL", default="5/15m")
LOGIN_RATE_PER_IP = env("LOGIN_RATE_PER_IP", default="30/15m")
UNCONFIRMED_ACCOUNT_TTL = timedelta(hours=24)
RATELIMIT_VIEW = "jaklitera.views.ratelimited"
# Behind the production proxy the client address is in X-Forwarded-For; see deployment docs.
RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY", default=None)

# --- Uploads (private; see docs/architecture.md#private-documents) ---------
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MIN_WIDTH = 300
PHOTO_MIN_HEIGHT = 400
# Pillow refuses images above this many pixels (decompression bombs).
IMAGE_MAX_PIXELS = 64_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# --- Verification (see docs/verification.md) -----------------------------
# "Next" claims a submission for this long, so two librarians never get the same one.
VERIFICATION_CLAIM_MINUTES = env.int("VERIFICATION_CLAIM_MINUTES", default=15)
# KTP/letter of verified members and all documents of rejected-and-abandoned submissions
# are deleted this many days after the decision (the decision record stays).
DOCUMENT_RETENTION_DAYS = env.int("DOCUMENT_RETENTION_DAYS", default=90)

# --- Visits (see docs/visits.md and docs/quota.md) -------------------------
VISITS_BOOKING_WINDOW_DAYS = env.int("VISITS_BOOKING_WINDOW_DAYS", default=7)  # today and the 6 days after
VISITS_MAX_ACTIVE_RESERVATIONS = env.int("VISITS_MAX_ACTIVE_RESERVATIONS", default=3)
VISITS_MAX_CHILDREN = 4
VISITS_CHILD_MAX_AGE = 17
VISITS_API_CACHE_SECONDS = 5
# The availability page's shared data and HTML (places left may be this old; docs/performance.md).
VISITS_AVAILABILITY_CACHE_SECONDS = env.int("VISITS_AVAILABILITY_CACHE_SECONDS", default=5)
# How long the booking view answers "penuh" from the cache once the database said so. Every
# release of places and every capacity change ends it at once (visits.services.quota); this
# is only the safety net for a change made outside the services.
VISITS_FULL_CACHE_SECONDS = env.int("VISITS_FULL_CACHE_SECONDS", default=60)
# Rombongan (group visits, docs/operations.md#rombongan): participants per request, and how long
# a held request may wait for a decision (working days Mon–Fri, closure dates skipped; always
# before the session starts).
GROUP_VISIT_MIN_PARTICIPANTS = env.int("GROUP_VISIT_MIN_PARTICIPANTS", default=10)
GROUP_VISIT_MAX_PARTICIPANTS = env.int("GROUP_VISIT_MAX_PARTICIPANTS", default=100)
GROUP_VISIT_DECISION_WORKING_DAYS = env.int("GROUP_VISIT_DECISION_WORKING_DAYS", default=3)
# The desk (docs/operations.md): check-in opens this many minutes before a session starts and
# closes at the session's last check-in time. VISITS_NOSHOW_LIMIT no-shows within
# VISITS_NOSHOW_WINDOW_DAYS days → no booking for VISITS_NOSHOW_BLOCK_DAYS days.
VISITS_CHECKIN_OPENS_MINUTES_BEFORE = env.int("VISITS_CHECKIN_OPENS_MINUTES_BEFORE", default=30)
VISITS_NOSHOW_LIMIT = env.int("VISITS_NOSHOW_LIMIT", default=3)
VISITS_NOSHOW_WINDOW_DAYS = env.int("VISITS_NOSHOW_WINDOW_DAYS", default=30)
VISITS_NOSHOW_BLOCK_DAYS = env.int("VISITS_NOSHOW_BLOCK_DAYS", default=14)

# --- i18n ---------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True
LANGUAGE_COOKIE_SECURE = False
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static -------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Email --------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Jaklitera <noreply@perpustakaan.jakarta.go.id>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20

# --- Celery -------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not hang the request that queues an email.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULE = {
    "email-flush": {"task": "jaklitera.tasks.email_flush", "schedule": 60.0},
    "members-purge-unconfirmed": {
        "task": "members.tasks.unconfirmed_accounts_purge",
        "schedule": crontab(minute=17),
    },
    # Visits: open the newest day of the booking window just after midnight WIB,
    # remind tomorrow's visitors, compare stored counts with real reservations.
    "visits-generate-sessions": {"task": "visits.tasks.sessions_generate", "schedule": crontab(hour=0, minute=1)},
    "visits-send-reminders": {"task": "visits.tasks.reminders_send", "schedule": crontab(minute=5, hour="7-21")},
    "visits-quota-check": {"task": "visits.tasks.quota_check", "schedule": crontab(minute="*/15")},
    # The desk: reservations not checked in by their session's last check-in time become no-shows.
    "visits-mark-noshows": {"task": "visits.tasks.noshows_mark", "schedule": crontab(minute="*/10")},
    # Rombongan: release the places of group requests nobody decided in time.
    "visits-group-visits-expire": {"task": "visits.tasks.group_visits_expire", "schedule": crontab(minute="*/10")},
    "verification-documents-purge": {
        "task": "verification.tasks.documents_purge_expired",
        "schedule": crontab(hour=2, minute=37),
    },
}

# --- Security -----------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
