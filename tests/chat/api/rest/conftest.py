import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from api_keys.services import api_key_create


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Limit counters live in the cache, keyed by the key's id, which a rolled-back database
    hands out again."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client(api_secret, corpus) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_secret}")
    return client


@pytest.fixture
def anonymous(corpus) -> APIClient:
    return APIClient()


@pytest.fixture
def other_user_key():
    user = get_user_model().objects.create_user("other", password="other-password-1")
    return api_key_create(user=user, name="other", rpm_limit=2)
