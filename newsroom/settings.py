"""Settings for Newsroom. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "django_tasks_db",
    "statements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "newsroom.request_guards.RejectNulMiddleware",
    "newsroom.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "newsroom.login_throttle.LoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes. IMMEDIATE transactions
    # take the write lock up front: a transaction that read first and then writes would
    # otherwise fail at once with "database is locked" whenever another process (a second
    # task worker) committed in between, instead of waiting out the timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: it compiles any query the planner thinks dear, and on our page queries the
    # compiling (~300 ms) cost more than the whole query.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# Database timeouts. A web request must answer (with a 503 when the database is away or
# frozen, newsroom/unavailable.py) within seconds, so the web server connects for each
# request with a short connect timeout and gives each query a short statement timeout: a
# kept connection to a frozen server would hang on its first query, where a new one times
# out. Workers and commands (`manage.py work`, `ingest`, `migrate`) save long articles and
# build indexes: they keep longer limits. gunicorn is the web (NEWSROOM_DB_ROLE=web, set
# in wsgi.py); everything else is not.
DB_ROLE = os.environ.get("NEWSROOM_DB_ROLE", "command")
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "3" if DB_ROLE == "web" else "10"))
DB_STATEMENT_TIMEOUT_MS = int(
    os.environ.get("DB_STATEMENT_TIMEOUT_MS", "10000" if DB_ROLE == "web" else "300000")
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"]["OPTIONS"]
    _options["connect_timeout"] = DB_CONNECT_TIMEOUT
    _options["options"] += f" -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
    if DB_ROLE == "web":
        DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("WEB_CONN_MAX_AGE", "0"))

if os.environ.get("DATABASE_TEST_NAME"):
    # Test runs on a shared server create their database under this name (not test_<name>).
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DATABASE_TEST_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"

# Log-in throttling (newsroom/login_throttle.py): after this many failed attempts in the
# window, log-in POSTs get 429 until the window ends. Counts live in the cache, so all web
# workers must share it: the database cache in production (`createcachetable`).
LOGIN_THROTTLE_URLS = ["admin:login"]
LOGIN_FAILURES_PER_USER = int(os.environ.get("LOGIN_FAILURES_PER_USER", "5"))
LOGIN_FAILURES_PER_CLIENT = int(os.environ.get("LOGIN_FAILURES_PER_CLIENT", "20"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
# Behind a proxy every request comes from the proxy: name the header it sets with the
# client's address (e.g. HTTP_X_REAL_IP). Only trust a header your proxy overwrites.
LOGIN_CLIENT_IP_HEADER = os.environ.get("LOGIN_CLIENT_IP_HEADER", "")

CACHE_BACKEND = os.environ.get("CACHE_BACKEND", "locmem" if DEBUG else "db")
CACHES = {
    "default": {
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "db": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "newsroom_cache",
        },
    }[CACHE_BACKEND]
}

# Background work: the database-backed queue, drained by `manage.py db_worker`.
# Two queues: articles longer than NEWSROOM_LARGE_ARTICLE_CHARS go to `large`, which has a
# worker of its own (`make serve`), so that small uploads never wait behind a big one.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "large"]}}

# A Content Security Policy with no inline scripts or styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

if not DEBUG:
    # Served behind a TLS-terminating proxy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"
    # HTMX sends the token from the page (hx-headers), so scripts never need the cookie.
    CSRF_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Newsroom's own settings.
# The spaCy model annotation loads; None: $SPACY_MODEL, else the pipeline's default
# (statements/nlp/pipeline.py), which is where the name of the default lives.
SPACY_MODEL = None
# Annotation leases (statements/services/leases.py): a worker renews its lease every third
# of NEWSROOM_LEASE_SECONDS; work whose lease ran out is queued again, and an article that
# lost its worker NEWSROOM_MAX_ATTEMPTS times in a row ends `failed`.
NEWSROOM_LEASE_SECONDS = int(os.environ.get("NEWSROOM_LEASE_SECONDS", "30"))
NEWSROOM_LEASE_HEARTBEAT = True
# How often a worker says it is alive and looks for expired leases (`manage.py work`).
NEWSROOM_WORKER_BEAT_SECONDS = float(os.environ.get("NEWSROOM_WORKER_BEAT_SECONDS", "10"))
NEWSROOM_MAX_ATTEMPTS = int(os.environ.get("NEWSROOM_MAX_ATTEMPTS", "3"))
NEWSROOM_LARGE_ARTICLE_CHARS = int(os.environ.get("NEWSROOM_LARGE_ARTICLE_CHARS", "100000"))
# /healthz and `manage.py doctor` call the service unhealthy when an article has waited in
# the queue longer than this, or no worker has reported for this long.
NEWSROOM_HEALTH_MAX_QUEUE_SECONDS = int(os.environ.get("NEWSROOM_HEALTH_MAX_QUEUE_SECONDS", "600"))
NEWSROOM_HEALTH_MAX_HEARTBEAT_SECONDS = int(
    os.environ.get("NEWSROOM_HEALTH_MAX_HEARTBEAT_SECONDS", "60")
)
NEWSROOM_MAX_ARTICLE_BYTES = int(os.environ.get("NEWSROOM_MAX_ARTICLE_BYTES", str(2 * 1024 * 1024)))
NEWSROOM_PAGE_SIZE = int(os.environ.get("NEWSROOM_PAGE_SIZE", "25"))
# PostgreSQL: a word in at least this many statements has its search counts kept on write
# (statements/tallies.py); below it, grouping its statements at each request is cheap.
NEWSROOM_WORD_TALLY_MIN = int(os.environ.get("NEWSROOM_WORD_TALLY_MIN", "5000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = NEWSROOM_MAX_ARTICLE_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = NEWSROOM_MAX_ARTICLE_BYTES
# Uploaded articles stay in memory, bounded by the article limit, and never touch the disk.
FILE_UPLOAD_HANDLERS = ["statements.uploads.BoundedMemoryUploadHandler"]

# Fetching web pages and feeds (statements/fetching.py). Internal addresses are refused
# unless NEWSROOM_FETCH_ALLOW_PRIVATE=1 (a page served on this machine or the intranet).
NEWSROOM_FETCH_ALLOW_PRIVATE = env_bool("NEWSROOM_FETCH_ALLOW_PRIVATE", False)
NEWSROOM_FETCH_TIMEOUT = float(os.environ.get("NEWSROOM_FETCH_TIMEOUT", "15"))
NEWSROOM_FETCH_USER_AGENT = os.environ.get(
    "NEWSROOM_FETCH_USER_AGENT", "Newsroom/1.0 (statement tracker; fetches articles and feeds)"
)
