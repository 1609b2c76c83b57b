"""Lawbot settings: one module, read top to bottom, every value from the environment."""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env("LAWBOT_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)


def _dev_secret_key() -> str:
    # Development only: a key generated once and kept beside the SQLite database.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default=None)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable (DEBUG is off).")
    SECRET_KEY = _dev_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("Set the ALLOWED_HOSTS environment variable (DEBUG is off).")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

LAWBOT_HOST = env("LAWBOT_HOST", default="127.0.0.1")
LAWBOT_PORT = env.int("LAWBOT_PORT", default=8000)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "corsheaders",
    "axes",
    "lawbot_site",
    "laws",
    "chat",
    "api_keys",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lawbot_site.middleware.ContentSecurityPolicyMiddleware",
    "lawbot_site.middleware.StaticFilesMiddleware",
    "lawbot_site.api_not_found.ApiNotFoundMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# --- The REST resources (chat/api/rest): key auth, limits and the error format are set on their
# base view; these make the rest of DRF agree (no session user, the API's error JSON). ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "chat.api.rest.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# --- Security headers, on pages and API alike ---
# No inline script or style anywhere: pages load theirs from /static/.
LAWBOT_CSP = env(
    "LAWBOT_CSP",
    default="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips a client's own):
# HTTPS redirect (not for /healthz, which load balancers probe over HTTP), HSTS, secure cookies.
LAWBOT_TLS = env.bool("LAWBOT_TLS", default=False)
# Behind a proxy, every request comes from the proxy's address: the throttles of failed sign-ins
# and failed keys (per address) would then refuse everyone for one guesser. With this set,
# `manage.py serve` has daphne take the client's address from the header the proxy sets. Only a
# header the proxy overwrites will do (nginx: `proxy_set_header X-Real-IP $remote_addr`); the
# first X-Forwarded-For entry is whatever the client sent.
LAWBOT_PROXY_ADDRESS_HEADER = env("LAWBOT_PROXY_ADDRESS_HEADER", default="")
if LAWBOT_TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^(v1/)?healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- CORS: browser apps on other origins calling the API (off unless origins are listed) ---
# LAWBOT_CORS_ORIGINS=https://app.example.com,http://localhost:5173 ("*" for any origin).
LAWBOT_CORS_ORIGINS = env.list("LAWBOT_CORS_ORIGINS", default=[])
CORS_ALLOW_ALL_ORIGINS = LAWBOT_CORS_ORIGINS == ["*"]
CORS_ALLOWED_ORIGINS = [] if CORS_ALLOW_ALL_ORIGINS else LAWBOT_CORS_ORIGINS
# The API's paths only (lawbot_site.routing): the page and the admin stay same-origin.
CORS_URLS_REGEX = r"^/(v1/|chat/completions|responses|models|healthz|openapi\.json)"
CORS_ALLOW_CREDENTIALS = False  # keys, not cookies
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "last-event-id",
    "openai-organization",
    "openai-project",
    "user-agent",
    # What the openai SDKs send from a browser (dangerouslyAllowBrowser).
    "x-stainless-arch",
    "x-stainless-lang",
    "x-stainless-os",
    "x-stainless-package-version",
    "x-stainless-retry-count",
    "x-stainless-runtime",
    "x-stainless-runtime-version",
    "x-stainless-timeout",
    "x-stainless-helper-method",
)
CORS_EXPOSE_HEADERS = ("x-request-id", "retry-after", "x-should-retry")
CORS_PREFLIGHT_MAX_AGE = 600

ROOT_URLCONF = "lawbot_site.urls"
ASGI_APPLICATION = "lawbot_site.asgi.application"
WSGI_APPLICATION = None

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
                "django.template.context_processors.i18n",
                "chat.context_processors.lawbot",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'lawbot.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the server read while an import writes; a busy timeout instead of "locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # API requests and chat answers share one sync thread (lawbot_site.asgi): its connection is
    # kept instead of reopened by every request (1 ms, a fifth of the relay's overhead). A page
    # request's connection lives in that request's own thread and is closed with the request
    # (lawbot_site.connections), or every page request would leave a file descriptor open.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
else:
    # One pool of connections per process: a request, whichever thread serves it, takes one and
    # gives it back at its end, so no request opens a connection once the pool is warm. Django's
    # pooling wants CONN_MAX_AGE 0 ("closing" returns the connection to the pool); the health
    # check hands out only connections that still work after a database restart.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "pool",
        {
            "min_size": 1,
            "max_size": env.int("LAWBOT_DB_POOL_SIZE", default=20),
            # Waiting longer for a connection than this is an outage: say so (503).
            "timeout": env.float("LAWBOT_DB_POOL_TIMEOUT", default=3.0),
        },
    )
# A test run may name its own test database, so that two runs on one PostgreSQL server don't collide.
DATABASES["default"]["TEST"] = {"NAME": env("LAWBOT_TEST_DATABASE_NAME", default=None)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# Several deployments (or test servers) may share one Redis; the prefix keeps them apart.
LAWBOT_REDIS_PREFIX = env("LAWBOT_REDIS_PREFIX", default="lawbot")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lawbot_site.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": LAWBOT_REDIS_PREFIX,
            # Fail fast when Redis is away: the cache then falls back to process memory.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{LAWBOT_REDIS_PREFIX}:asgi"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "lawbot_site.cache.ProcessMemoryCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Failed sign-ins (django-axes), counted in the cache (Redis) ---
# An address that fails LAWBOT_SIGNIN_FAILURES sign-ins (on any accounts) waits
# LAWBOT_SIGNIN_COOLOFF_MINUTES before it may try again; a failure while waiting restarts the
# wait. The account itself is never locked, so that a guesser cannot lock its owner out: the
# right password from another address still works.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_FAILURE_LIMIT = env.int("LAWBOT_SIGNIN_FAILURES", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("LAWBOT_SIGNIN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lawbot_site.signin.signin_refused"
AXES_VERBOSE = False
if not REDIS_URL:
    # Without a cache the workers share, the database keeps the count: one row per address,
    # updated by each failure (axes' AccessAttempt), not a row per guess.
    AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    AXES_DISABLE_ACCESS_LOG = True  # no row per successful sign-in either

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve static files straight from the app folders (no collectstatic step), without blocking the
# event loop: ServeStatic is ASGI-native, unlike WhiteNoise.
SERVESTATIC_USE_FINDERS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # httpx and httpcore log every upstream request at INFO: a line (and ~0.1 ms) per answer
        # relayed, which says nothing the request log does not.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- Lawbot ---
LAWBOT_LAW_SOURCE = env.list(
    "LAWBOT_LAW_SOURCE",
    default=[
        "https://law.moj.gov.tw/api/data/chlaw.json.zip",
        "https://law.moj.gov.tw/api/data/chorder.json.zip",
    ],
)
LAWBOT_INDEX_DIR = Path(env("LAWBOT_INDEX_DIR", default=str(VAR_DIR / "index")))
# Article rows an import writes per transaction (laws/importer.py): each transaction holds
# SQLite's one write lock, which every request's log row waits for.
LAWBOT_IMPORT_BATCH = env.int("LAWBOT_IMPORT_BATCH", default=5000)
# The meaning signal (laws/meaning.py): vectors beside the word index (LAWBOT_INDEX_DIR-meaning),
# computed in the background after import, cached by passage text in LAWBOT_EMBED_CACHE.
LAWBOT_MEANING = env.bool("LAWBOT_MEANING", default=True)
LAWBOT_EMBED_CACHE = Path(env("LAWBOT_EMBED_CACHE", default=str(VAR_DIR / "embed-cache")))
LAWBOT_EMBED_PROCESSES = env.int("LAWBOT_EMBED_PROCESSES", default=2)
LAWBOT_EMBED_BASE_URL = env("LAWBOT_EMBED_BASE_URL", default="")
LAWBOT_EMBED_MODEL = env("LAWBOT_EMBED_MODEL", default="")
LAWBOT_EMBED_API_KEY = env("LAWBOT_EMBED_API_KEY", default="")
# Seconds of silence on a stream before a `: ping` comment keeps proxies from cutting it.
LAWBOT_HEARTBEAT_SECONDS = env.float("LAWBOT_HEARTBEAT_SECONDS", default=15.0)
# The built-in composer's pace when streaming, so a reader sees the answer grow: one ~12-character
# piece falls due every DELAY_MS, and the pieces due are sent together at most every TICK_MS
# (a steady chunk rate per stream however many streams one worker carries).
LAWBOT_COMPOSER_DELAY_MS = env.float("LAWBOT_COMPOSER_DELAY_MS", default=8.0)
LAWBOT_COMPOSER_TICK_MS = env.float("LAWBOT_COMPOSER_TICK_MS", default=50.0)
LAWBOT_MAX_BODY_BYTES = 1024 * 1024
LAWBOT_LOG_CONTENT = env.bool("LAWBOT_LOG_CONTENT", default=True)
# purge_logs deletes request logs older than this many days (0: keep them forever).
LAWBOT_LOG_RETENTION_DAYS = env.int("LAWBOT_LOG_RETENTION_DAYS", default=90)
# Seconds a worker reuses a key it looked up (0: every request reads the database). A key
# revoked or changed in another process takes effect within this time; in the same process, at once.
LAWBOT_KEY_CACHE_SECONDS = env.float("LAWBOT_KEY_CACHE_SECONDS", default=1.0)
# Requests with a missing or invalid API key one client address may make in a clock minute before
# it gets 429 for the rest of the minute (chat.api.auth). 0: no limit.
LAWBOT_KEY_FAILURES = env.int("LAWBOT_KEY_FAILURES", default=30)
# API requests admitted at a time between arrival and their first byte (lawbot_site.admission); the
# rest wait their turn in arrival order. 0: no limit.
LAWBOT_STARTING_REQUESTS = env.int("LAWBOT_STARTING_REQUESTS", default=8)
# A concurrency slot's lifetime in the cache, refreshed while its stream flows.
LAWBOT_SLOT_SECONDS = env.int("LAWBOT_SLOT_SECONDS", default=300)
LAWBOT_LLM_BASE_URL = env("LAWBOT_LLM_BASE_URL", default="")
LAWBOT_LLM_API_KEY = env("LAWBOT_LLM_API_KEY", default="")
LAWBOT_LLM_MODEL = env("LAWBOT_LLM_MODEL", default="")
# Seconds the upstream may stay silent: to connect, to answer, and between two pieces of a stream.
LAWBOT_LLM_TIMEOUT = env.float("LAWBOT_LLM_TIMEOUT", default=60.0)
# Tokens (Lawbot's count) of articles + conversation sent upstream; fit it to the model's context.
LAWBOT_LLM_CONTEXT_TOKENS = env.int("LAWBOT_LLM_CONTEXT_TOKENS", default=6000)
# Seconds given to the upstream to rewrite a question into the statutes' words before retrieval
# (chat/answering/rewrite.py); 0 turns the rewrite off. Off by default: measured only with the
# stand-in, whose rewrite is scripted (bench/RESULTS.md); turn it on with a real model.
LAWBOT_LLM_REWRITE_SECONDS = env.float("LAWBOT_LLM_REWRITE_SECONDS", default=0.0)
# The name the upstream knows the answer cap by: max_tokens (Ollama, llama.cpp, vLLM) or
# max_completion_tokens (OpenAI's newer models).
LAWBOT_LLM_MAX_TOKENS_PARAM = env("LAWBOT_LLM_MAX_TOKENS_PARAM", default="max_tokens")
if LAWBOT_LLM_MAX_TOKENS_PARAM not in ("max_tokens", "max_completion_tokens"):
    raise ImproperlyConfigured(
        "LAWBOT_LLM_MAX_TOKENS_PARAM must be max_tokens or max_completion_tokens."
    )
if LAWBOT_LLM_BASE_URL and not LAWBOT_LLM_MODEL:
    raise ImproperlyConfigured(
        "Set LAWBOT_LLM_MODEL to the upstream's model name (LAWBOT_LLM_BASE_URL is set)."
    )
DATA_UPLOAD_MAX_MEMORY_SIZE = LAWBOT_MAX_BODY_BYTES + 1024

# --- Chat page ---
# Anyone may create an account at /accounts/signup/ (otherwise an admin creates accounts).
LAWBOT_ALLOW_SIGNUP = env.bool("LAWBOT_ALLOW_SIGNUP", default=False)
# An answer still "streaming" with no write for this long was left by a dead worker: interrupted.
LAWBOT_STREAM_STALE_SECONDS = env.float("LAWBOT_STREAM_STALE_SECONDS", default=60.0)
