"""Django settings for Dianti, read from environment variables.

Every knob has a safe default for the single-machine setup that ``make run`` gives (SQLite under ``var/``, each job in
a process of its own); production sets ``DIANTI_DATABASE_URL`` (PostgreSQL), ``DIANTI_REDIS_URL`` (Celery broker),
``DIANTI_SECRET_KEY`` and ``DIANTI_ALLOWED_HOSTS``. ``DEBUG`` is off unless ``DIANTI_DEBUG=1`` (the development path:
``make run``, the tests), and with it off a missing ``DIANTI_SECRET_KEY`` stops startup.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
_CHECKOUT = BASE_DIR.parent.parent
# Runtime files (SQLite database, uploads, collected static) live in var/ of the checkout, or of the working
# directory when installed as a package.
VAR_DIR = Path(
    os.environ.get("DIANTI_VAR_DIR") or ((_CHECKOUT if (_CHECKOUT / "pyproject.toml").exists() else Path.cwd()) / "var")
).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Fail closed: without DIANTI_DEBUG=1 this is production, and production refuses to start on no key (or on the
# published development key) rather than sign sessions with it. `make run` and the test settings set DIANTI_DEBUG=1.
DEBUG = _env_bool("DIANTI_DEBUG", False)
_DEV_SECRET_KEY = "dianti-insecure-development-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("DIANTI_SECRET_KEY", "").strip() or (_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY.startswith("dianti-insecure-")):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DIANTI_SECRET_KEY 未设置（或仍是公开的开发用密钥），拒绝启动。生产环境请设置一个随机的长密钥，例如："
        "export DIANTI_SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\"；"
        "本机开发请设置 DIANTI_DEBUG=1（make run 已设置）。"
        " / No DIANTI_SECRET_KEY (or the published development key) with DIANTI_DEBUG off: refusing to start.")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DIANTI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("DIANTI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not from a CDN
    "dianti.core",
    "dianti.orgs",
    "dianti.campaigns",
    "dianti.voices",
    "dianti.meetings",
    "dianti.appraisal",
    "dianti.rectification",
    "dianti.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dianti.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dianti.urls"
WSGI_APPLICATION = "dianti.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "dianti.core.context.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'dianti.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DIANTI_DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the in-process job runner write while pages keep reading; IMMEDIATE avoids lock upgrades failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
_test_db_url = os.environ.get("DIANTI_TEST_DATABASE_URL")
if _test_db_url:
    DATABASES["default"] = dj_database_url.parse(_test_db_url)
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DIANTI_TEST_DATABASE_NAME", "dianti_test")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Mounts the minimal ballot view that `dianti bench ballots` compares the product with; never set in production.
BENCH_BASELINE = _env_bool("DIANTI_BENCH_BASELINE", False)

REDIS_URL = os.environ.get("DIANTI_REDIS_URL", "")
# "celery": hand background jobs to Celery workers over Redis; "process": run each in a `dianti run_job` process of
# its own (single machine: out of the web worker); "thread": in a thread of the web process; "sync": inline (tests).
JOBS_BACKEND = os.environ.get("DIANTI_JOBS_BACKEND", "celery" if REDIS_URL else "process")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("DIANTI_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DIANTI_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

NOTIFY_CHANNELS = [
    c.strip()
    for c in os.environ.get(
        "DIANTI_NOTIFY_CHANNELS", "dianti.core.notify.LogChannel,dianti.core.notify.EmailChannel"
    ).split(",")
    if c.strip()
]
EMAIL_BACKEND = os.environ.get("DIANTI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
                               if DEBUG else "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DIANTI_FROM_EMAIL", "dianti@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DIANTI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
