"""The user's own API keys page in real Chromium (Debian's /usr/bin/chromium via Playwright)."""

import json
import shutil
from pathlib import Path

import openai
import pytest

from tests.e2e.conftest import manage

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PASSWORD = "browser-password-1"
MAKE_USERS = f"""
import json
from django.contrib.auth import get_user_model
from api_keys.services import api_key_create
users = get_user_model().objects
users.create_user("browser", password="{PASSWORD}")
stranger = users.create_user("stranger", password="{PASSWORD}")
print(json.dumps({{"stranger_key": api_key_create(user=stranger, name="theirs").api_key.pk}}))
"""
MAKE_CHINESE_USER = f"""
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("瀏覽器", password="{PASSWORD}")
"""


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("key-screenshots")
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def overflow(page) -> int:
    """How far the page sticks out sideways (0: it fits the window)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


LINES = """elements => elements.map(element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
})"""


def on_a_phone(page, shot: Path) -> None:
    """At a phone's width the page fits sideways (the key table scrolls inside its card) and the
    table's headings and statuses stay whole words, one line each (Chinese breaks anywhere)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=shot, full_page=True)
    assert overflow(page) <= 0
    headings = page.eval_on_selector_all("#keys thead th:not(:last-child)", LINES)
    statuses = page.eval_on_selector_all("#keys td[class^=status-]", LINES)
    assert headings and statuses and set(headings + statuses) == {1}, (headings, statuses)


def test_a_user_creates_copies_uses_and_revokes_a_key(lawbot_server, browser, shots):
    sync_api = pytest.importorskip("playwright.sync_api")
    made = json.loads(manage(lawbot_server.env, "shell", "-c", MAKE_USERS).strip().splitlines()[-1])
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lawbot_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    problems: list[str] = []  # script errors and Content-Security-Policy violations
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{lawbot_server.url}/keys/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "browser")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/keys/")
    assert "You have no API keys yet." in page.content()

    page.fill("#id_name", "laptop")
    page.fill("#id_rpm_limit", "60")
    page.check("input[value=lawbot-lite]")
    page.click("#create-key button[type=submit]")
    secret = page.input_value("#new-secret")
    assert secret.startswith("lb-") and len(secret) > 40
    page.click("button[data-copy=new-secret]")
    sync_api.expect(page.locator("button[data-copy=new-secret]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    client = openai.OpenAI(base_url=lawbot_server.url + "/v1", api_key=secret, max_retries=0)
    answer = client.chat.completions.create(
        model="lawbot-lite", messages=[{"role": "user", "content": "勞基法第38條"}]
    )
    assert answer.choices[0].finish_reason == "stop"
    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(
            model="lawbot-pro", messages=[{"role": "user", "content": "勞基法第38條"}]
        )

    page.goto(f"{lawbot_server.url}/keys/")  # the secret is never shown again
    assert page.locator("#new-secret").count() == 0 and secret not in page.content()
    row = page.locator("tr[data-key=laptop]")
    assert "active" in row.inner_text() and "never" not in row.inner_text().split("\t")[4]
    assert "2 requests" in page.text_content("#usage")
    assert page.locator("#usage svg rect").count() >= 2
    assert overflow(page) <= 0
    page.screenshot(path=shots / "keys-en.png", full_page=True)

    asked: list[str] = []
    page.on("dialog", lambda dialog: asked.append(dialog.message) or dialog.accept())
    row.locator("button", has_text="Revoke").click()
    page.wait_for_load_state()
    assert "revoked" in page.locator("tr[data-key=laptop]").inner_text()
    assert asked and "Revoke laptop?" in asked[0]  # revoking asks first
    on_a_phone(page, shots / "keys-en-phone.png")
    assert problems == []
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(
            model="lawbot-lite", messages=[{"role": "user", "content": "勞基法第38條"}]
        )

    response = page.goto(f"{lawbot_server.url}/keys/{made['stranger_key']}/")
    assert response.status == 404
    context.close()


def test_the_keys_page_in_traditional_chinese(lawbot_server, browser, shots):
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    manage(lawbot_server.env, "shell", "-c", MAKE_CHINESE_USER)
    context = browser.new_context(locale="zh-TW", viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lawbot_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{lawbot_server.url}/keys/")
    page.fill("#id_username", "瀏覽器")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登入").click()
    page.wait_for_url("**/keys/")
    expect(page.get_by_role("heading", name="API 金鑰", exact=True)).to_be_visible()
    expect(page.get_by_text("您還沒有 API 金鑰。")).to_be_visible()

    page.get_by_label("名稱").fill("筆電")
    page.get_by_label("每分鐘請求數").fill("60")
    page.get_by_label("每日 token 上限").fill("100000")
    page.get_by_label("同時請求數").fill("2")
    page.get_by_role("button", name="建立金鑰").click()
    expect(page.get_by_text("您的新金鑰「筆電」只會顯示這一次。")).to_be_visible()
    copy = page.get_by_role("button", name="複製")
    copy.click()
    expect(copy).to_have_text("已複製")
    page.screenshot(path=shots / "keys-zh-new-key.png", full_page=True)

    page.goto(f"{lawbot_server.url}/keys/")
    row = page.locator("tr[data-key=筆電]")
    for text in ["有效", "從未使用", "永不過期", "每分鐘 60 次請求", "同時 2 個請求", "所有模型"]:
        expect(row).to_contain_text(text)
    assert overflow(page) <= 0
    page.screenshot(path=shots / "keys-zh.png", full_page=True)

    asked: list[str] = []
    page.on("dialog", lambda dialog: asked.append(dialog.message) or dialog.accept())
    row.get_by_role("button", name="撤銷").click()
    expect(page.locator("tr[data-key=筆電]")).to_contain_text("已撤銷")
    assert asked == ["要撤銷「筆電」嗎？使用這把金鑰的程式將立即無法運作。"]

    on_a_phone(page, shots / "keys-zh-phone.png")
    assert problems == []
    context.close()
