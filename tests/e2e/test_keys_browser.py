"""The user's own API keys page in real Chromium (Debian's /usr/bin/chromium via Playwright)."""

import json
import shutil

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


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_a_user_creates_copies_uses_and_revokes_a_key(lawbot_server, browser):
    sync_api = pytest.importorskip("playwright.sync_api")
    made = json.loads(manage(lawbot_server.env, "shell", "-c", MAKE_USERS).strip().splitlines()[-1])
    context = browser.new_context()
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

    asked: list[str] = []
    page.on("dialog", lambda dialog: asked.append(dialog.message) or dialog.accept())
    row.locator("button", has_text="Revoke").click()
    page.wait_for_load_state()
    assert "revoked" in page.locator("tr[data-key=laptop]").inner_text()
    assert asked and "Revoke laptop?" in asked[0]  # revoking asks first
    assert problems == []
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(
            model="lawbot-lite", messages=[{"role": "user", "content": "勞基法第38條"}]
        )

    response = page.goto(f"{lawbot_server.url}/keys/{made['stranger_key']}/")
    assert response.status == 404
    context.close()
