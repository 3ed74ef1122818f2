"""Django settings for Dianti, read from environment variables.

Every knob has a safe default for the single-machine setup that ``make run`` gives (SQLite under ``var/``, each job in
a process of its own); production sets ``DIANTI_DATABASE_URL`` (PostgreSQL), ``DIANTI_REDIS_URL`` (Celery broker),
``DIANTI_SECRET_KEY`` and ``DIANTI_ALLOWED_HOSTS``. ``DEBUG`` is off unless ``DIANTI_DEBUG=1`` (the development path:
``make run``, the tests), and with it off a missing ``DIANTI_SECRET_KEY`` stops startup.
"""

from __future__ import annotations

import os
from datetime import timedelta
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
    "dianti.dashboard",
    "dianti.bench",  # the `dianti bench` command only: no models, no URLs
]

MIDDLEWARE = [
    "dianti.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dianti.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dianti.core.todo.TodoRefreshMiddleware",  # a person's own act refreshes their 待办 count at once
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dianti.core.middleware.OutOfRangeMiddleware",
    "dianti.core.middleware.NulByteMiddleware",
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
    # Kept open between requests, as on PostgreSQL: a new SQLite connection runs the pragmas below and registers
    # Django's SQL functions (≈1 CPU-ms, the most of a small request), and closing the last one checkpoints the WAL
    # into the database file and deletes it, so every request paid for disk writes too. Each gunicorn thread keeps
    # its own; the in-process job threads' connections close with their thread.
    DATABASES["default"]["CONN_MAX_AGE"] = 60
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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# ── Accounts, sessions, second factor and audit (issue 11; 等保 2.0 level 3: 身份鉴别, 访问控制, 安全审计) ────────────
# See docs/security.md. Everything here can be tuned from the environment; the defaults are the production values.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": int(os.environ.get("DIANTI_PASSWORD_MIN_LENGTH", "10"))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dianti.core.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    # `dianti demo` sets its published password directly; no form may ever accept it.
    {"NAME": "dianti.core.passwords.DemoPasswordValidator"},
]
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]
AUTHENTICATION_BACKENDS = [
    "dianti.core.accounts.LockoutBackend",  # django-axes: refuses a locked account or address before the password
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += [
    "django_otp.middleware.OTPMiddleware",
    "dianti.core.accounts.SessionTimeoutMiddleware",
    "dianti.core.accounts.SecondFactorMiddleware",
    "dianti.core.accounts.DownloadAuditMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lockout into the login page with its message
]
# Lockout: after AXES_FAILURE_LIMIT failures for one account, or DIANTI_LOGIN_ADDRESS_FAILURE_LIMIT from one address
# (a town office shares one), refuse for the cool-off time. Counted in the database (axes' database handler), so
# every worker and every process sees the same count.
AXES_HANDLER = "dianti.core.accounts.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # LockoutHandler reads the two counts in this order
AXES_FAILURE_LIMIT = int(os.environ.get("DIANTI_LOGIN_FAILURE_LIMIT", "5"))
DIANTI_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("DIANTI_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DIANTI_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dianti.core.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "dianti.core.accounts.client_address"
AXES_VERBOSE = False
# Sessions: signed out after DIANTI_SESSION_IDLE_MINUTES without a request (sliding), and DIANTI_SESSION_ABSOLUTE_HOURS
# after signing in whatever happens; the cookie dies with the browser, for shared office computers.
DIANTI_SESSION_IDLE_MINUTES = int(os.environ.get("DIANTI_SESSION_IDLE_MINUTES", "30"))
DIANTI_SESSION_ABSOLUTE_HOURS = int(os.environ.get("DIANTI_SESSION_ABSOLUTE_HOURS", "12"))
SESSION_COOKIE_AGE = DIANTI_SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# TOTP second factor: required for superusers, county admins and approvers when on (the default in production);
# `make run`'s demo and the test suite run with DEBUG on, so it is off there unless set.
DIANTI_REQUIRE_2FA = _env_bool("DIANTI_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "点题述职"
OTP_TOTP_THROTTLE_FACTOR = 1
# Audit: an optional external copy of every record's hash line: a file path, "syslog" or "syslog://host:port".
DIANTI_AUDIT_SINK = os.environ.get("DIANTI_AUDIT_SINK", "")
# ── end of accounts, sessions, second factor and audit ─────────────────────────────────────────────────────────────

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
# Source maps serve only a developer's browser tools: kept as they are instead of compressed at every collectstatic
# (the API docs' two maps took about 40% of its time).
from whitenoise.compress import Compressor  # noqa: E402

WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

# Retention (dianti.core.retention): anonymous submitters' device hashes are erased after RETENTION_DAYS; import
# spreadsheets and export files (names, whole phones) are deleted RETENTION_JOB_FILES_DAYS after their job ended.
# Exports (core/exports.py): a file of more rows than this is made by a background job, not in the request.
DIANTI_EXPORT_INLINE_ROWS = int(os.environ.get("DIANTI_EXPORT_INLINE_ROWS", "5000"))

RETENTION_DAYS = int(os.environ.get("DIANTI_RETENTION_DAYS", "180"))
RETENTION_JOB_FILES_DAYS = int(os.environ.get("DIANTI_RETENTION_JOB_FILES_DAYS", "30"))

REDIS_URL = os.environ.get("DIANTI_REDIS_URL", "")
# "celery": hand background jobs to Celery workers over Redis; "process": run each in a `dianti run_job` process of
# its own (single machine: out of the web worker); "thread": in a thread of the web process; "sync": inline (tests).
JOBS_BACKEND = os.environ.get("DIANTI_JOBS_BACKEND", "celery" if REDIS_URL else "process")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE  # beat's hours are local hours
# The daily sweeps (core/daily.py: deadline reminders, rectification's overdue marking, retention) run once a day
# from DIANTI_DAILY_HOUR (local time): from Celery beat with Celery, else from a thread of each web process (one of
# them claims the day). DIANTI_DAILY_IN_SERVER=0 leaves them to `dianti daily` from cron.
DAILY_HOUR = int(os.environ.get("DIANTI_DAILY_HOUR", "7"))
# Beat sends the daily task every N seconds instead of at DAILY_HOUR when set (a smoke test's short wait; the day is
# still claimed once, so the repeats do nothing). Unset in production.
DAILY_EVERY_SECONDS = int(os.environ.get("DIANTI_DAILY_EVERY_SECONDS", "0"))
DAILY_IN_SERVER = _env_bool("DIANTI_DAILY_IN_SERVER", JOBS_BACKEND in ("process", "thread"))


NOTIFY_CHANNELS = [
    c.strip()
    for c in os.environ.get(
        "DIANTI_NOTIFY_CHANNELS", "dianti.core.notify.LogChannel,dianti.core.notify.EmailChannel"
    ).split(",")
    if c.strip()
]
# Outbound channels (core/notify.py, core/outbound.py, core/channels/): each provider's keys and endpoint from
# DIANTI_<PROVIDER>_* (DIANTI_SMS_ALIYUN_ACCESS_KEY_ID …, see core/channels/env.py), templates per message kind from
# DIANTI_NOTIFY_TEMPLATES; a failed send is retried with backoff (base × 2^(n−1), capped) up to the maximum.
from dianti.core.channels import env as _channels_env  # noqa: E402

NOTIFY_PROVIDERS = _channels_env.providers(os.environ)
NOTIFY_RATE_LIMITS = _channels_env.rate_limits(NOTIFY_PROVIDERS)
NOTIFY_TEMPLATES = _channels_env.templates(os.environ.get("DIANTI_NOTIFY_TEMPLATES", ""))
# Links in WeChat/DingTalk/企业微信 messages are made absolute with the site's public address.
NOTIFY_SITE_URL = os.environ.get("DIANTI_SITE_URL", "").rstrip("/")
# The SMS providers push delivery receipts to /outbound/receipts/<channel>/<this token>/ (unset: none are taken).
NOTIFY_RECEIPT_TOKEN = os.environ.get("DIANTI_NOTIFY_RECEIPT_TOKEN", "").strip()
NOTIFY_HTTP_TIMEOUT = float(os.environ.get("DIANTI_NOTIFY_HTTP_TIMEOUT", "5"))
NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("DIANTI_NOTIFY_RETRY_BASE_SECONDS", "30"))
NOTIFY_RETRY_MAX_SECONDS = int(os.environ.get("DIANTI_NOTIFY_RETRY_MAX_SECONDS", "3600"))
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("DIANTI_NOTIFY_MAX_ATTEMPTS", "6"))
EMAIL_BACKEND = os.environ.get("DIANTI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
                               if DEBUG else "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DIANTI_FROM_EMAIL", "dianti@localhost")

# Logs (core/logs.py): one JSON object per line in production, plain lines under `make run`; DIANTI_LOG_FORMAT=json|text
# overrides. Every line logged during a request carries its id (X-Request-ID); Celery logs through the same handler.
from dianti.core.logs import config as _logging_config  # noqa: E402

LOGGING = _logging_config(json_lines=os.environ.get("DIANTI_LOG_FORMAT", "text" if DEBUG else "json") == "json",
                          level=os.environ.get("DIANTI_LOG_LEVEL", "INFO"))
CELERY_WORKER_HIJACK_ROOT_LOGGER = False


# ── Security headers, cookies, proxies, shared cache, request size (issue 11; one block, keep it together) ──────
# Proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated). Empty: the peer is the client, so
# a forged header changes nothing. Behind nginx on the same machine: DIANTI_TRUSTED_PROXIES=127.0.0.1,::1.
DIANTI_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("DIANTI_TRUSTED_PROXIES", "").split(",") if p.strip()]

# Rate-limit counters must be shared by every worker: Redis when configured, else a table in the database
# (created on `migrate`, see core/apps.py). Process memory would let each worker count alone.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "dianti_cache",
                          "OPTIONS": {"MAX_ENTRIES": 100_000}}}

# Request size: bodies above DIANTI_MAX_REQUEST_BYTES are refused with a 413 before any view reads them
# (core.middleware.RequestSizeLimitMiddleware); the largest legitimate body is an uploaded spreadsheet or report.
DIANTI_MAX_REQUEST_BYTES = int(os.environ.get("DIANTI_MAX_REQUEST_BYTES", str(25 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads spill to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # non-file form fields: plenty for the longest text
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000  # the paper-ballot entry and panel forms are the widest
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# Content-Security-Policy (django-csp 4): scripts only from our own static files — no inline script, no eval
# (htmx's eval is off through its meta config in the base templates). Style *elements* only from our files too (plus
# the self-contained 500 page's, by hash), so injected CSS cannot read the page with selectors; style *attributes*
# stay allowed (bars sized by a figure) — they cannot select anything. Browsers without the -elem/-attr directives
# fall back to style-src. DIANTI_CSP_REPORT_ONLY=1 only reports (for a rollout, or Django's debug pages).
from csp.constants import NONE, SELF  # noqa: E402


def _inline_style_hashes(*templates: str) -> list[str]:
    """Return the CSP hashes of the <style> blocks of templates served as HTML (recomputed, so an edit cannot
    silently break the page)."""
    import base64
    import hashlib
    import re

    found = []
    for template in templates:
        for css in re.findall(r"<style>(.*?)</style>", (BASE_DIR / template).read_text(encoding="utf-8"), re.S):
            digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
            found.append(f"'sha256-{digest}'")
    return found


INSTALLED_APPS.append("csp")
# Who may read which page or API operation (core/reads.py): after authentication, before any view.
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "dianti.core.reads.ReadRulesMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "dianti.core.middleware.RequestSizeLimitMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "dianti.core.middleware.SecurityHeadersMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "style-src-elem": [SELF, *_inline_style_hashes("core/templates/500.html")],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if _env_bool("DIANTI_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
# No page uses the camera, microphone or location (paper ballots are typed in, not scanned): all off.
DIANTI_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True  # the switcher is a plain form; no script reads it
# HttpOnly on the CSRF cookie is safe: htmx sends the token from the page (hx-headers), not from document.cookie.
CSRF_COOKIE_HTTPONLY = True
# The app's own cookies (device ids, the evaluator's code) follow this; see core.devices.remember_device.
DIANTI_COOKIE_SECURE = not DEBUG
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("DIANTI_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DIANTI_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# ── Read replica (docs/scaling.md, "Read replicas"): off unless DIANTI_REPLICA_URL names a streaming replica ──────
# Dashboards, public pages and exports (views declared with core.dbrouter.replica_reads) read it while it lags at
# most DIANTI_REPLICA_MAX_LAG_SECONDS (measured at most every DIANTI_REPLICA_LAG_CACHE_SECONDS per process); a browser
# that wrote reads the primary for DIANTI_REPLICA_PIN_SECONDS. Without the URL nothing of this is installed.
REPLICA_URL = os.environ.get("DIANTI_REPLICA_URL", "").strip()
DIANTI_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("DIANTI_REPLICA_MAX_LAG_SECONDS", "10"))
DIANTI_REPLICA_LAG_CACHE_SECONDS = float(os.environ.get("DIANTI_REPLICA_LAG_CACHE_SECONDS", "3"))
DIANTI_REPLICA_PIN_SECONDS = int(os.environ.get("DIANTI_REPLICA_PIN_SECONDS", "15"))
# X-Dianti-Db on every response: which database served its reads, and why not the replica (for tests and smoke runs).
DIANTI_REPLICA_HEADER = _env_bool("DIANTI_REPLICA_HEADER", DEBUG)
if REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(REPLICA_URL, conn_max_age=60)
    # A replica that is down must cost a page two seconds at most, once per measurement, then reads fall back.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["dianti.core.dbrouter.ReplicaRouter"]
    MIDDLEWARE.append("dianti.core.dbrouter.ReplicaMiddleware")  # last: see its docstring
    TEMPLATES[0]["OPTIONS"]["context_processors"].append("dianti.core.dbrouter.freshness")
