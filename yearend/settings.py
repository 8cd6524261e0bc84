"""Settings read from the environment, with defaults that run on a laptop as they are.

DATABASE_URL        default: SQLite file db.sqlite3 in the project folder
SECRET_KEY          default: generated once into .secret_key (git-ignored)
DEBUG               default: off
ALLOWED_HOSTS       default: 127.0.0.1,localhost
TRUSTED_PROXIES     reverse proxies (IPs or networks) whose X-Forwarded-For counts; default none
TASK_BACKEND        database (default, django-tasks-db), rq (Redis, scale-out) or immediate
REDIS_URL           default: redis://127.0.0.1:6379/0 (only read with TASK_BACKEND=rq)
RQ_JOB_TIMEOUT      seconds an RQ job may run before RQ kills it; default 21600
RESET_MAX_CONCURRENT_RUNS            resets running at once, all organizations; default 50
RESET_MAX_CONCURRENT_PURGES_PER_ORG  schools of one organization purged at once; default 4
RESET_STALE_AFTER_SECONDS            a run (or purge) silent this long lost its worker; 300
RESET_TICK_SECONDS                   how often the reset tick runs; default 60
SCHEDULER_STALE_AFTER_SECONDS        /healthz fails when no scheduler ticked for this; 120
METRICS_TOKEN       when set, /metrics needs "Authorization: Bearer <token>"; unset, only
                    this machine (loopback) may read /metrics
SITE_URL            https://... turns on HSTS, secure cookies and the redirect to https
SECURE_COOKIES, SECURE_SSL_REDIRECT, HSTS_SECONDS, HSTS_INCLUDE_SUBDOMAINS, HSTS_PRELOAD
                    override what an https SITE_URL turns on
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from yearend.client_address import trusted_networks
from yearend.lib.env import env_bool, env_int, env_list, env_str, local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = env_str("SECRET_KEY") or local_secret_key(BASE_DIR / ".secret_key")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Proxies whose X-Forwarded-For is believed (yearend/client_address.py); none by default.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
trusted_networks(tuple(TRUSTED_PROXIES))  # a typo fails at start, not at the first sign-in

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "csp",
    # One app per domain; see README "Where things live".
    "yearend.audit",
    "yearend.organizations",
    "yearend.people",
    "yearend.sso",
    "yearend.classes",
    "yearend.learning",
    "yearend.resetdates",
    "yearend.rosters",
    "yearend.resets",
    "yearend.reports",
    "yearend.notices",
    "yearend.portal",
    "yearend.portal.vendor",
    "yearend.api",
    "ninja",  # its Swagger UI files, so /api/v1/docs works without a CDN
    "yearend.demo",
    "yearend.scheduling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "yearend.portal.refusals.HideRefusals",
]

ROOT_URLCONF = "yearend.urls"
WSGI_APPLICATION = "yearend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "yearend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yearend.notices.context.unread_notices",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # The web server and the worker share one file: WAL lets readers go on
        # while the worker writes, IMMEDIATE transactions queue writers instead
        # of failing them with "database is locked" half-way through.
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
            ),
        }
    return config


DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": _database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "yearend.sso.backend.OrganizationOidcBackend",
]
# Sign-in with a district account (mozilla-django-oidc). The provider is each
# organization's own (yearend/sso/), so no OIDC_OP_* or OIDC_RP_CLIENT_* here.
OIDC_AUTHENTICATION_CALLBACK_URL = "sso-callback"
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10  # seconds for each request to a provider
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttles (yearend/portal/auth.py); only failed sign-ins count. Per client
# address: failures in 15 minutes, high enough for a school's staff behind one NAT address.
LOGIN_FAILURES_PER_ADDRESS = (env_int("LOGIN_FAILURES_PER_ADDRESS", 100), 15 * 60)
# Per account: free failures, then the first wait (seconds), doubling up to the last.
LOGIN_ACCOUNT_BACKOFF = (5, 60, 60 * 60)

SESSION_COOKIE_HTTPONLY = True
# A working day, not Django's two weeks: district staff share school computers.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response (django-csp): scripts, styles and everything
# else from this site only. No inline scripts or style attributes anywhere (htmx's own
# indicator style is turned off in base.html's htmx-config). No form-action: the sign-in
# with a district account leaves for that district's provider, a different one each time.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "files")))

TASK_BACKEND = env_str("TASK_BACKEND", "database")
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_QUEUES = ["default", "resets", "imports", "reports", "notices"]
if TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": _TASK_QUEUES}}
elif TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": _TASK_QUEUES}}
    # RQ kills a job after DEFAULT_TIMEOUT (180 s by its own default): a big school's
    # purge or an import waited on by the reset's pause step takes longer than that.
    RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env_int("RQ_JOB_TIMEOUT", 21600)}
        for name in _TASK_QUEUES
    }
elif TASK_BACKEND == "immediate":
    TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": _TASK_QUEUES,
        }
    }
else:
    raise ValueError(f"TASK_BACKEND must be database, rq or immediate; got {TASK_BACKEND!r}")

# Scale-out limits (yearend/resets/dispatch.py) and liveness (yearend/health).
RESET_MAX_CONCURRENT_RUNS = env_int("RESET_MAX_CONCURRENT_RUNS", 50)
RESET_MAX_CONCURRENT_PURGES_PER_ORG = env_int("RESET_MAX_CONCURRENT_PURGES_PER_ORG", 4)
RESET_STALE_AFTER_SECONDS = env_int("RESET_STALE_AFTER_SECONDS", 300)
RESET_TICK_SECONDS = env_int("RESET_TICK_SECONDS", 60)
SCHEDULER_STALE_AFTER_SECONDS = env_int("SCHEDULER_STALE_AFTER_SECONDS", 120)
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# Mail: console by default so a fresh checkout never sends real email.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Year-End Reset <no-reply@yearend.invalid>")
# Absolute links in emails and certificates.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Served over https (SITE_URL says so): cookies only over https, HSTS, and plain http
# redirected, except the probes a load balancer sends to the process itself.
_HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
if TRUSTED_PROXIES:
    # TLS ends at our proxy, which must set X-Forwarded-Proto (and overwrite a client's).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Throttles (sign-in, API tokens) count in the cache. One process on the embedded default
# needs nothing more; several web processes share a Redis cache (CACHE_URL=redis://...).
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith("redis"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "yearend": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    },
}
