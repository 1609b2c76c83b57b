"""Lawbot settings: one module, read top to bottom, every value from the environment."""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
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
    "django.contrib.staticfiles",
    "channels",
    "laws",
    "chat",
    "api_keys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "chat.middleware.ApiNotFoundMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

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
    "loggers": {"django.request": {"level": "ERROR"}},
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
# Seconds of silence on a stream before a `: ping` comment keeps proxies from cutting it.
LAWBOT_HEARTBEAT_SECONDS = env.float("LAWBOT_HEARTBEAT_SECONDS", default=15.0)
# Pause between pieces of the built-in composer's answer, so a reader sees it grow.
LAWBOT_COMPOSER_DELAY_MS = env.float("LAWBOT_COMPOSER_DELAY_MS", default=8.0)
LAWBOT_MAX_BODY_BYTES = 1024 * 1024
LAWBOT_LOG_CONTENT = env.bool("LAWBOT_LOG_CONTENT", default=True)
LAWBOT_LLM_BASE_URL = env("LAWBOT_LLM_BASE_URL", default="")
LAWBOT_LLM_API_KEY = env("LAWBOT_LLM_API_KEY", default="")
LAWBOT_LLM_MODEL = env("LAWBOT_LLM_MODEL", default="")
LAWBOT_LLM_TIMEOUT = env.float("LAWBOT_LLM_TIMEOUT", default=60.0)
DATA_UPLOAD_MAX_MEMORY_SIZE = LAWBOT_MAX_BODY_BYTES + 1024

# --- Chat page ---
# Anyone may create an account at /accounts/signup/ (otherwise an admin creates accounts).
LAWBOT_ALLOW_SIGNUP = env.bool("LAWBOT_ALLOW_SIGNUP", default=False)
# An answer still "streaming" with no write for this long was left by a dead worker: interrupted.
LAWBOT_STREAM_STALE_SECONDS = env.float("LAWBOT_STREAM_STALE_SECONDS", default=60.0)
