"""The API keys pages in both interface languages: Traditional Chinese (the default) and English.

What a user sees is the page's text plus the attributes that are read out or shown (aria-label,
title, data-confirm, data-copied, placeholder); <code> (key prefixes, URLs, model names) is not
language."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from api_keys.models import ApiKey
from api_keys.services import api_key_create, api_key_revoke
from tests.api_keys.factories import log_rows

pytestmark = pytest.mark.django_db

SHOWN_ATTRIBUTES = ("aria-label", "title", "data-confirm", "data-copied", "placeholder")


class Shown(HTMLParser):
    """The text of a page a user sees or hears, without <code>, <script> and <style>."""

    def __init__(self, html: str):
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("code", "script", "style"):
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("code", "script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def shown(response) -> str:
    return Shown(response.content.decode()).text


@pytest.fixture
def in_language(client, owner):
    def sign_in(language: str):
        client.force_login(owner)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return sign_in


def make_keys(owner, names: tuple[str, str, str]) -> ApiKey:
    """An active key with every limit, a revoked key and an expired one; the active key has
    requests (two of them errors) today."""
    active, revoked, expired = names
    key = api_key_create(
        user=owner, name=active, rpm_limit=30, tpd_limit=5000, max_concurrent=2
    ).api_key
    api_key_revoke(api_key=api_key_create(user=owner, name=revoked).api_key)
    api_key_create(
        user=owner,
        name=expired,
        allowed_models=["lawbot-lite"],
        expires_in_days=1,
    )
    ApiKey.objects.filter(name=expired).update(expires_at=timezone.now() - timedelta(days=1))
    log_rows(key, days_ago=0, count=3)
    log_rows(key, days_ago=0, count=2, status=500)
    return key


def post_form(client, **fields):
    data = {"name": "", "rpm_limit": "", "tpd_limit": "", "max_concurrent": "", **fields}
    return client.post(reverse("api_keys:list"), {"expires_in_days": "", **data})


# Latin words a Chinese page may show: names, the product, the SDK's terms, the user's name.
LATIN_ALLOWED = {"Lawbot", "API", "OpenAI", "SDK", "token", "owner", "English"}
LATIN_ALLOWED |= {"lawbot", "pro", "lite"}  # the model names beside their checkboxes


def test_the_keys_page_in_traditional_chinese(in_language, owner):
    make_keys(owner, ("筆電", "舊伺服器", "試用"))
    response = in_language("zh-hant").get(reverse("api_keys:list"))
    page, text = response.content.decode(), shown(response)
    assert "<title>API 金鑰 · Lawbot</title>" in page and "<h1>API 金鑰</h1>" in page
    for chinese in [
        "建立金鑰",  # the heading and the button
        "名稱",
        "狀態",
        "最後使用",
        "撤銷",
        "有效",
        "已撤銷",
        "已過期",
        "從未使用",
        "永不過期",
        "每分鐘 30 次請求",
        "每日 5000 個 token",
        "同時 2 個請求",
        "所有模型",
        "每分鐘請求數",  # form labels and help texts
        "1–600；留空表示不限制",
        "1–365；留空表示永不過期",
        "最近 30 天的用量",
        "最近 30 天：5 次請求，150 個 token（輸入 50 + 輸出 100），2 次錯誤。",
        "每日請求數（最高 5；紅色為錯誤）",
        "要撤銷「筆電」嗎？使用這把金鑰的程式將立即無法運作。",
    ]:
        assert chinese in text, chinese
    for prefix in ApiKey.objects.values_list("prefix", flat=True):  # shown in the usage table
        text = text.replace(prefix, "")
    leftover = set(re.findall(r"[A-Za-z]+", text)) - LATIN_ALLOWED
    assert not leftover, f"English left on the Chinese page: {sorted(leftover)}"


def test_the_keys_page_in_english(in_language, owner):
    make_keys(owner, ("laptop", "old-server", "trial"))
    text = shown(in_language("en").get(reverse("api_keys:list")))
    for english in [
        "API keys",
        "Create a key",
        "Create key",
        "Last used",
        "Revoke",
        "active",
        "revoked",
        "expired",
        "never",
        "30 rpm",
        "5000 tokens/day",
        "2 at once",
        "all models",
        "Requests per minute",
        "1–600; empty: no limit",
        "Usage, last 30 days",
        "5 requests, 150 tokens (50 prompt + 100 completion), 2 errors in the last 30 days.",
        "Requests per day (peak 5; errors in red)",
        "Revoke laptop? Programs using it stop working at once.",
    ]:
        assert english in text, english
    # No Chinese but the language menu's own name for Chinese.
    assert re.findall(r"[\u3000-\u9fff\uff00-\uffef]+", text) == ["繁體中文"]


def test_a_new_key_and_its_copy_button_in_chinese(in_language):
    response = post_form(in_language("zh-hant"), name="筆電")
    assert response.status_code == 201
    text = shown(response)
    assert "您的新金鑰「筆電」只會顯示這一次。" in text and "請立即複製" in text
    assert 'data-copied="已複製">複製</button>' in response.content.decode()
    assert 'aria-label="完整的 API 金鑰"' in response.content.decode()


def test_form_errors_are_in_chinese(in_language, owner, monkeypatch):
    client = in_language("zh-hant")
    api_key_create(user=owner, name="筆電")
    text = shown(post_form(client, name="筆電"))
    assert "您已經有同名的金鑰了。" in text and "You already have" not in text
    text = shown(post_form(client, name="平板", rpm_limit="601"))
    assert "請確認此數值是否小於或等於 600。" in text  # Django's own catalogue
    assert "Ensure this value" not in text
    monkeypatch.setattr("api_keys.forms.MAX_ACTIVE_KEYS", 1)
    text = shown(post_form(client, name="平板"))
    assert "您已有 1 把有效金鑰，已達上限；請先撤銷一把。" in text


def test_form_errors_in_english(in_language, owner, monkeypatch):
    client = in_language("en")
    monkeypatch.setattr("api_keys.forms.MAX_ACTIVE_KEYS", 2)
    api_key_create(user=owner, name="laptop")
    api_key_create(user=owner, name="phone")
    text = shown(post_form(client, name="tablet"))
    assert "You have 2 active keys, the most allowed; revoke one first." in text


def test_the_key_detail_page_in_both_languages(in_language, owner):
    key = make_keys(owner, ("筆電", "舊伺服器", "試用"))
    url = reverse("api_keys:detail", args=[key.pk])
    response = in_language("zh-hant").get(url)
    assert "<title>筆電 · API 金鑰 · Lawbot</title>" in response.content.decode()
    text = shown(response)
    assert "← API 金鑰" in text and "最近 30 天的用量" in text and "從未使用" in text
    assert "每日 token 用量（最高 150）" in text  # the chart, not the form's daily limit
    response = in_language("en").get(url)
    text = shown(response)
    assert "← API keys" in text and "Usage, last 30 days" in text and "never" in text


def test_the_confirmation_escapes_the_key_name(in_language, owner):
    api_key_create(user=owner, name='a"b<c>')
    page = in_language("zh-hant").get(reverse("api_keys:list")).content.decode()
    assert 'data-confirm="要撤銷「a&quot;b&lt;c&gt;」嗎？' in page
