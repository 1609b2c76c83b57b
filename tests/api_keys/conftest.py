from uuid import uuid4

import pytest


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A fresh cache namespace per test: limits live in the cache and key ids get reused
    (between tests on SQLite, between runs on PostgreSQL), and a shared Redis must not be
    flushed under other servers' feet."""
    default = dict(settings.CACHES["default"])
    if default["BACKEND"].endswith(("LocMemCache", "ProcessMemoryCache")):
        default["LOCATION"] = uuid4().hex
    else:
        default["KEY_PREFIX"] = f"test-{uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
