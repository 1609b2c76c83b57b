"""The language picker names each language in itself: a foreign worker on the Chinese page
must find "English", not 英語."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("accept", ["zh-Hant", "en"])
def test_each_language_is_named_in_itself(client, accept):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert '<option value="en" lang="en"' in page and ">English</option>" in page
    assert ">繁體中文</option>" in page
    assert "英語" not in page and "Traditional Chinese" not in page
