"""One environment-driven settings module (django-environ).

Every variable is documented in `.env.example`. SQLite is the default so a newcomer needs
no server; production sets DATABASE_URL to PostgreSQL. With DEBUG off the secure defaults
apply (HTTPS cookies, HSTS, SSL redirect); each can be relaxed explicitly from the environment.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from huancui_vet.object_storage import s3_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set the SECRET_KEY environment variable "
            "(a long random string) or set DEBUG=true for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-" + "x" * 40  # never used with DEBUG off

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "departments.apps.AxesChineseConfig",  # django-axes, named in Chinese
    "csp",
    "departments",
    "jobs",
    "tasks",
    "reports",
    "supervision",
    "notifications",
]

MIDDLEWARE = [
    "huancui_vet.middleware.HealthCheckMiddleware",
    "huancui_vet.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # SessionMiddleware that never turns a committed write into an error (huancui_vet/faults.py).
    "huancui_vet.faults.ResilientSessionMiddleware",
    # Saves the session only when its idle expiry needs sliding (huancui_vet/middleware.py).
    "huancui_vet.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Cache-Control: no-store on every response to a signed-in user (unless the view set one).
    "huancui_vet.middleware.NoStoreForAuthenticatedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huancui_vet.urls"
WSGI_APPLICATION = "huancui_vet.wsgi.application"

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
                "departments.context_processors.navigation",
                "notifications.context_processors.bell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        # IMMEDIATE transactions avoid "database is locked" on write-after-read in SQLite.
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}?transaction_mode=IMMEDIATE&timeout=20",
    )
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "departments.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sliding inactivity timeout: the session expires after SESSION_IDLE_MINUTES without a request.
# It is not saved on every request (an UPDATE + COMMIT each): SlidingSessionMiddleware saves it
# once SESSION_REFRESH_SECONDS (default 1/20 of the idle timeout) have passed since its last save.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=120) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=SESSION_COOKIE_AGE // 20)

# Cache shared by every app host: Django's Redis cache when CACHE_URL is set
# (e.g. redis://127.0.0.1:6379/1), this process's memory otherwise.
CACHE_URL = env("CACHE_URL", default="")
CACHES = {
    "default": env.cache_url_config(CACHE_URL)
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # A plan's computed figures (supervision.figure_cache): the shared cache with CACHE_URL;
    # otherwise a small per-process one (a big plan's figures are a few hundred KB each).
    "figures": env.cache_url_config(CACHE_URL)
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "OPTIONS": {"MAX_ENTRIES": env.int("FIGURES_CACHE_MAX_ENTRIES", default=60)},
    },
}
FIGURES_CACHE_ALIAS = "figures"
if CACHE_URL:
    # Several app hosts: a session is read from the shared cache (no database query per
    # request) and written through to the database, so it survives a cache restart. Sign-out
    # deletes both, so it ends the session on every host. Without a shared cache the plain
    # database backend is kept (a per-process cache would go stale across workers).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login lock-out (django-axes): lock the username+IP pair, not a whole office NAT address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_CLIENT_IP_CALLABLE = "huancui_vet.client_ip.client_ip"
# Password spraying: failed sign-ins from one IP across any usernames, and wrong old passwords
# on the password-change form, are throttled too (departments/throttle.py).
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=20)
PASSWORD_CHANGE_FAILURE_LIMIT = env.int("PASSWORD_CHANGE_FAILURE_LIMIT", default=5)
# Self-service password reset: requests per IP and mails per account within the window.
PASSWORD_RESET_IP_LIMIT = env.int("PASSWORD_RESET_IP_LIMIT", default=10)
PASSWORD_RESET_MAIL_LIMIT = env.int("PASSWORD_RESET_MAIL_LIMIT", default=3)
THROTTLE_WINDOW = timedelta(minutes=env.int("THROTTLE_WINDOW_MINUTES", default=15))

# Client IP behind a reverse proxy (huancui_vet/client_ip.py): X-Forwarded-For is read only
# from these proxies (addresses or networks), or from a fixed number of proxies in front.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network "
            "(for example 10.0.0.2 or 10.0.0.0/24)."
        ) from None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# No MEDIA_URL on purpose: uploaded evidence is only served by a view that checks access.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files on S3-compatible object storage (MinIO, a cloud's object store) that every
# app host reaches: set AWS_STORAGE_BUCKET_NAME (huancui_vet/object_storage.py). Unset, files
# stay under MEDIA_ROOT.
_s3 = s3_storage(lambda name, default: env.str(name, default=default))
if _s3 is not None:
    STORAGES["default"] = _s3

# Evidence uploads.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_MB", default=20) * 1024 * 1024
# Spreadsheet uploads (plan import, bulk report entry).
UPLOAD_XLSX_MAX_BYTES = env.int("UPLOAD_XLSX_MAX_MB", default=5) * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
# Any request body above this is refused (413) before it is read: the largest upload plus
# room for the other form fields.
MAX_REQUEST_BYTES = max(EVIDENCE_MAX_BYTES, UPLOAD_XLSX_MAX_BYTES) + 1024 * 1024

# The address outsiders reach the portal at, for QR codes of public plan pages
# (e.g. https://dc.huancui.gov.cn); empty: the address of the request.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="")

# Mail: EMAIL_URL as django-environ understands it, e.g. smtp+tls://user:pass@host:587
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="huancui-vet@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Secure defaults whenever DEBUG is off; relax each only on purpose.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE:
    # __Host- cookies: browsers accept them only over HTTPS, host-only, for path "/".
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_FAILURE_VIEW = "huancui_vet.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_HTTPS_PROXY", default=False):
    # Only when the proxy overwrites X-Forwarded-Proto on every request.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# W021 (HSTS preload) is silenced: a district intranet domain is not submitted to the
# browsers' preload list, and preloading cannot be undone quickly.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# django-import-export: xlsx only, permission-gated, audited in the admin log.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Between an admin import's preview and its confirm step the file is kept in the default
# storage (shared by every app host), not in one host's temporary folder.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"

# Leaders who receive the weekly workbook (send_report --weekly).
REPORT_RECIPIENTS = env.list("REPORT_RECIPIENTS", default=[])
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Notifications (notifications app): reminder days, retries, group-bot webhooks.
NOTIFY_DUE_SOON_DAYS = env.int("NOTIFY_DUE_SOON_DAYS", default=3)
NOTIFY_OVERDUE_DAYS = [
    int(d) for d in env.list("NOTIFY_OVERDUE_DAYS", default=["1", "7", "14", "28"])
]
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=5)
NOTIFY_WEBHOOK_TIMEOUT = env.int("NOTIFY_WEBHOOK_TIMEOUT", default=10)
# Plain-http bot addresses are refused unless this is on (tests, a bot relay on the intranet).
NOTIFY_WEBHOOK_ALLOW_HTTP = env.bool("NOTIFY_WEBHOOK_ALLOW_HTTP", default=False)

# Background jobs (the `jobs` app). With CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/2)
# jobs and notification delivery go to Celery workers on any host; without it a job runs in
# a background thread of the web process once its transaction commits.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Our own tables hold every job's state and result: no Celery result backend.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A job's message is acknowledged after it ran, and given back when its worker dies, so a
# killed worker's job runs again (jobs are idempotent: jobs.services.job_run).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int(
    "CELERY_TASK_SOFT_TIME_LIMIT", default=max(CELERY_TASK_TIME_LIMIT - 60, 1)
)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged message to another worker after this many seconds: longer
# than the longest job, or a running job would be started twice (the claim refuses that).
# A worker looks for such messages every CELERY_RESTORE_INTERVAL × CELERY_RESTORE_THROTTLE
# seconds (kombu's defaults, 10 × 10).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int(
        "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 300
    ),
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_RESTORE_THROTTLE", default=10),
}
# Run jobs synchronously inside the call that starts them (tests; never in production).
JOBS_RUN_INLINE = env.bool("JOBS_RUN_INLINE", default=False)
# A 处理中 job whose worker has not reported for this long is taken as dead and re-run.
JOBS_STALE_SECONDS = env.int("JOBS_STALE_SECONDS", default=600)
# A job is given up (失败) after this many starts (a job that kills its worker every time).
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=3)
# `manage.py purge_jobs` removes finished jobs' result files older than this many days.
JOBS_KEEP_DAYS = env.int("JOBS_KEEP_DAYS", default=7)

# How long a plan's computed figures (dashboard, scorecard, drill-down, order counts) stay in
# the cache. They are keyed by a token the database renews on every change
# (supervision.figure_cache), so this only bounds memory; 0 turns the cache off.
FIGURES_CACHE_SECONDS = env.int("FIGURES_CACHE_SECONDS", default=3600)
# A plan attachment with more task rows than this is imported as a background job.
PLAN_IMPORT_INLINE_MAX_TASKS = env.int("PLAN_IMPORT_INLINE_MAX_TASKS", default=200)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # Both escape control characters: one record is always one line (log forging).
        "plain": {
            "()": "huancui_vet.logs.EscapingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "huancui_vet.logs.JsonFormatter"},
    },
    "filters": {"db_outage": {"()": "huancui_vet.faults.OneLinePerOutageFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
            "filters": ["db_outage"],  # one line per request during a database outage
        },
        # axes logs every start-up and reset at INFO; lock-outs are WARNING and still shown.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
