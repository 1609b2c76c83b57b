"""The one-second key cache (api_keys.services.RecentKeys): fewer database reads under load,
revocation still prompt. The cache's clock is faked; nothing here waits."""

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from api_keys.models import ApiKey
from api_keys.services import (
    api_key_create,
    api_key_for_secret,
    api_key_revoke,
    hash_secret,
    recent_keys,
    visible_prefix,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(recent_keys, "clock", lambda: now[0])
    return now


@pytest.fixture
def secret(owner) -> str:
    return api_key_create(user=owner, name="cached").secret


async def change_behind_the_cache() -> None:
    """What another worker or `manage.py revoke_api_key` does: nothing reaches this process."""
    await ApiKey.objects.aupdate(revoked_at=timezone.now())


async def test_within_the_cache_period_the_key_is_not_read_again(secret, clock, settings):
    assert await api_key_for_secret(secret) is not None
    await change_behind_the_cache()
    assert await api_key_for_secret(secret) is not None  # served from memory
    clock[0] += settings.LAWBOT_KEY_CACHE_SECONDS
    assert await api_key_for_secret(secret) is None  # read again: revoked


async def test_no_cache_when_the_setting_is_zero(secret, clock, settings):
    settings.LAWBOT_KEY_CACHE_SECONDS = 0
    assert await api_key_for_secret(secret) is not None
    await change_behind_the_cache()
    assert await api_key_for_secret(secret) is None


async def test_a_key_revoked_in_this_process_is_refused_at_once(secret, clock):
    api_key = await api_key_for_secret(secret)
    await sync_to_async(api_key_revoke)(api_key=await ApiKey.objects.aget(pk=api_key.pk))
    assert await api_key_for_secret(secret) is None


async def test_a_deactivated_users_key_is_refused_at_once(secret, clock, owner):
    assert await api_key_for_secret(secret) is not None
    owner.is_active = False
    await owner.asave()
    assert await api_key_for_secret(secret) is None


async def test_a_cached_key_that_expires_by_the_clock_is_refused(secret, clock):
    api_key = await api_key_for_secret(secret)
    api_key.expires_at = timezone.now()  # as if its expiry time had just passed
    assert await api_key_for_secret(secret) is None


async def test_unknown_secrets_are_not_cached(secret, clock, owner):
    unknown = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    assert await api_key_for_secret(unknown) is None
    await ApiKey.objects.acreate(
        user=owner, name="new", prefix=visible_prefix(unknown), secret_hash=hash_secret(unknown)
    )
    assert await api_key_for_secret(unknown) is not None  # the miss was not remembered
