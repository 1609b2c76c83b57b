import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    # Limits live in the cache; key ids are reused between tests.
    cache.clear()
    yield
    cache.clear()
