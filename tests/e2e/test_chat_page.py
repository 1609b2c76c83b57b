"""The chat page in real Chromium against a live daphne: streaming, stop, regenerate, reload,
history, rename/delete, XSS, a phone and dark mode. Screenshots go to var/screenshots/chat/."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.conftest import ROOT, manage

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PASSWORD = "browser-pass-123"
SEVERANCE = "請說明勞動基準法中的資遣費計算方式"
XSS_QUESTION = '<img src=x onerror="window.__xss=1"> [click me](javascript:window.__xss=2)'
XSS_ANSWER = (
    '## Injected\n\n<img src=x onerror="window.__xss=3">\n\n[click me](javascript:window.__xss=4)'
    '\n\n<a href="javascript:window.__xss=5">raw link</a>\n\n<script>window.__xss=6</script>'
)
ANSWER = "#messages .message.assistant"
SCREENSHOTS = ROOT / "var" / "screenshots"  # not committed (var/ is ignored)


@pytest.fixture(scope="module")
def server(lawbot_server_factory):
    # Slow pieces, so that a person (and a test) can watch the answer grow, stop it or reload.
    live = lawbot_server_factory(LAWBOT_COMPOSER_DELAY_MS="60", LAWBOT_ALLOW_SIGNUP="true")
    for name in ("alice", "bob"):
        manage(
            live.env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user({name!r}, password={PASSWORD!r})",
        )
    return live


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = SCREENSHOTS / "chat"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, server):
    context = browser.new_context(locale="zh-TW", base_url=server.url)
    page = context.new_page()
    problems = []  # script errors, CSP violations, the stream check's warning
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: message.type in ("error", "warning") and problems.append(message.text),
    )
    yield page
    context.close()
    assert [p for p in problems if "ERR_INTERNET_DISCONNECTED" not in p] == []


def ready(page: Page) -> None:
    """Waits for the page's script, which marks the form once it handles keys and clicks."""
    expect(page.locator("#composer[data-ready]")).to_be_visible()


def sign_in(page: Page, user: str = "alice") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("帳號").fill(user)
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()
    ready(page)


def ask(page: Page, question: str) -> None:
    page.get_by_label("您的問題").fill(question)
    page.get_by_label("您的問題").press("Enter")


def saved_answers(server, question: str) -> list[tuple[str, str]]:
    return server.query(
        "SELECT a.status, a.content FROM chat_message a JOIN chat_message q ON q.id = "
        "(SELECT max(id) FROM chat_message WHERE conversation_id = a.conversation_id "
        "AND id < a.id AND role = 'user') "
        "WHERE a.role = 'assistant' AND q.content = ? ORDER BY a.id",
        (question,),
    )


def answer_length(page: Page) -> int:
    return page.locator(f"{ANSWER} .answer-body").last.evaluate("e => e.textContent.length")


def wait_for_more_text(page: Page, more_than: int) -> None:
    page.wait_for_function(
        "([selector, n]) => { const all = document.querySelectorAll(selector);"
        " return all.length && all[all.length - 1].textContent.length > n; }",
        arg=[f"{ANSWER} .answer-body", more_than],
    )


def test_sign_in_ask_and_watch_the_answer_stream_in(page, server, shots):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.screenshot(path=shots / "01-sign-in.png")
    sign_in(page)
    page.screenshot(path=shots / "02-empty.png")
    box = page.get_by_label("您的問題")
    box.fill("第一行")
    box.press("Shift+Enter")
    box.press_sequentially("第二行")
    expect(box).to_have_value("第一行\n第二行")  # Shift+Enter is a new line, nothing sent
    expect(page.locator(ANSWER)).to_have_count(0)
    # Only spaces: nothing is sent, and the page says why.
    box.fill("   ")
    box.press("Enter")
    expect(page.locator("#composer-status")).to_have_text("請先輸入問題。")
    expect(page.locator(ANSWER)).to_have_count(0)
    # A paste past the 8,000-character limit is cut by the browser: the page says so.
    box.fill("勞" * 8000)
    expect(page.locator("#composer-status")).to_have_text("問題最多 8,000 字：超出的部分沒有貼上。")
    box.fill("")
    page.get_by_label("模型", exact=True).select_option("lawbot-lite")
    ask(page, SEVERANCE)
    expect(page.get_by_role("button", name="停止")).to_be_visible()
    # The next question can be written while the answer streams; Enter does not send it.
    expect(box).to_be_enabled()
    box.fill("下一個問題")
    box.press("Enter")
    expect(page.locator("#composer-status")).to_have_text("請等這個回答完成，或先停止它，再送出。")
    expect(box).to_have_value("下一個問題")
    box.fill("")
    expect(page).to_have_url(re.compile(r"/c/\d+/$"))
    wait_for_more_text(page, 20)
    early = answer_length(page)
    wait_for_more_text(page, early + 100)  # the text grows while we watch, not all at once
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "streaming")
    page.screenshot(path=shots / "03-streaming.png")
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(answer).to_have_attribute("data-stream-check", "exact")
    expect(box).to_be_enabled()
    expect(answer.locator(".markdown h2").first).to_be_visible()  # Markdown rendered
    citations = answer.locator(".citations li")
    expect(citations.first).to_contain_text("勞動基準法")
    citations.first.locator("summary").click()
    expect(citations.first.locator("blockquote")).to_be_visible()
    link = citations.first.get_by_role("link")
    expect(link).to_have_attribute("href", re.compile(r"^https://law\.moj\.gov\.tw/"))
    expect(page.locator("#conversation-list a").first).to_have_text(SEVERANCE)
    status, content = saved_answers(server, SEVERANCE)[-1]
    assert status == "complete"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    answer.get_by_role("button", name="複製").click()
    expect(answer.get_by_role("button", name="已複製")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == content
    page.screenshot(path=shots / "04-answer.png")
    # Reloaded, the title keeps its room beside the conversation's tools (at 1280 px the API id
    # beside them had squeezed it to nothing); the id has a line of its own below.
    page.reload()
    title = page.locator("#conversation-title").bounding_box()
    api_id = page.locator(".conversation-head .api-id").bounding_box()
    assert title["width"] >= 150, title
    assert api_id["y"] >= title["y"] + title["height"] - 1, (title, api_id)
    page.screenshot(path=shots / "05-conversation-reloaded.png")


def test_stop_keeps_the_text_written_so_far(page, server, shots):
    sign_in(page)
    ask(page, "勞工資遣費和預告期間的規定")
    wait_for_more_text(page, 30)
    page.get_by_role("button", name="停止").click()
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "stopped")
    expect(answer.locator(".notice")).to_contain_text("已停止")
    expect(page.get_by_label("您的問題")).to_be_enabled()
    expect(page.locator("#composer-status")).to_have_text("已停止；已寫出的內容會保留。")
    status, content = saved_answers(server, "勞工資遣費和預告期間的規定")[-1]
    assert status == "stopped" and content
    assert answer.locator(".raw").input_value() == content
    page.screenshot(path=shots / "05-stopped.png")

    # Regenerate replaces the stopped answer with a complete one.
    answer.get_by_role("button", name="重新產生").click()
    expect(page.get_by_role("button", name="停止")).to_be_visible()
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(page.locator(ANSWER)).to_have_count(1)
    # The stopped answer is kept as an earlier version of the new one.
    regenerated = saved_answers(server, "勞工資遣費和預告期間的規定")
    assert [s for s, _ in regenerated] == ["stopped", "complete"]
    assert len(regenerated[1][1]) > len(content)
    expect(page.locator(ANSWER).locator(".versions summary")).to_have_text("先前的版本（1）")


def test_reload_mid_answer_reattaches_and_ends_with_the_answer_exactly_once(page, server, shots):
    sign_in(page)
    ask(page, SEVERANCE + "？")
    wait_for_more_text(page, 60)
    before = answer_length(page)
    page.reload()
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "streaming")
    wait_for_more_text(page, before + 50)  # still growing after the reload
    page.screenshot(path=shots / "06-after-reload.png")
    expect(answer).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(answer).to_have_attribute("data-stream-check", "exact")
    [(status, content)] = saved_answers(server, SEVERANCE + "？")
    assert status == "complete"
    assert answer.locator(".raw").input_value() == content
    assert page.locator(ANSWER).count() == 1


def test_closing_the_tab_does_not_stop_the_answer(browser, server):
    context = browser.new_context(locale="zh-TW", base_url=server.url)
    page = context.new_page()
    sign_in(page)
    ask(page, "民法第184條")
    wait_for_more_text(page, 10)
    url = page.url
    page.close()
    again = context.new_page()
    again.goto(url)
    expect(again.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=30_000)
    [(status, content)] = saved_answers(server, "民法第184條")
    assert status == "complete" and "侵害他人之權利" in content
    context.close()


def test_history_after_signing_in_again_then_rename_and_delete(page, server, shots):
    sign_in(page, "bob")
    ask(page, "勞基法第38條")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(page.get_by_role("button", name="重新命名")).to_be_visible()  # for the new one, too
    page.get_by_role("button", name="登出").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    sign_in(page, "bob")
    expect(page.get_by_role("button", name="重新命名")).to_have_count(0)  # no conversation open
    page.get_by_role("link", name="勞基法第38條").click()
    ready(page)
    expect(page.locator("#messages .message.user .bubble")).to_have_text("勞基法第38條")
    expect(page.locator(ANSWER)).to_contain_text("特別休假")

    page.get_by_role("button", name="重新命名").click()
    page.get_by_label("標題").fill("特休的規定")
    page.get_by_role("button", name="儲存").click()
    expect(page.locator("#conversation-title")).to_have_text("特休的規定")
    expect(page.locator("#conversation-list")).to_contain_text("特休的規定")
    ready(page)

    page.get_by_role("button", name="刪除").click()
    dialog = page.locator("#delete-dialog")
    expect(dialog).to_contain_text("無法復原")
    page.screenshot(path=shots / "07-delete-confirmation.png")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="刪除").click()
    dialog.get_by_role("button", name="刪除").click()
    expect(page).to_have_url(f"{server.url}/")
    expect(page.locator("#conversation-list")).not_to_contain_text("特休的規定")


def test_html_in_questions_and_answers_never_runs(page, server, shots):
    sign_in(page)
    ask(page, XSS_QUESTION)
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(page.locator("#messages .message.user .bubble")).to_have_text(XSS_QUESTION)
    # An answer (as an upstream model might write it) with HTML, script and a javascript: link.
    manage(
        server.env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; from chat.models import *; "
        "c = Conversation.objects.create(owner=get_user_model().objects.get(username='alice'), "
        f"title='XSS'); Message.objects.create(conversation=c, role='user', content={XSS_QUESTION!r}); "
        f"Message.objects.create(conversation=c, role='assistant', content={XSS_ANSWER!r})",
    )
    page.goto("/")
    page.get_by_role("link", name="XSS", exact=True).click()
    expect(page.locator(ANSWER).locator("h2", has_text="Injected")).to_be_visible()
    page.locator(f"{ANSWER} .markdown").get_by_text("click me").click()
    expect(page.locator("#messages img")).to_have_count(0)
    expect(page.locator("#messages script")).to_have_count(0)
    hrefs = page.locator("#messages a").evaluate_all("links => links.map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    assert page.evaluate("window.__xss") is None
    page.screenshot(path=shots / "08-xss-inert.png")


def test_a_lost_connection_shows_a_readable_error_with_retry(page, server):
    sign_in(page)
    page.context.set_offline(True)
    ask(page, "勞工退休金條例第12條")
    notice = page.locator("#messages .notice.error")
    expect(notice).to_contain_text("問題無法送出")
    page.context.set_offline(False)
    notice.get_by_role("button", name="重試").click()
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(notice).to_have_count(0)


def test_phone_sized_screen_in_dark_mode(browser, server, shots):
    context = browser.new_context(
        locale="zh-TW",
        base_url=server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        color_scheme="dark",
    )
    page = context.new_page()
    sign_in(page)
    expect(page.locator("#sidebar")).to_be_hidden()
    box = page.get_by_label("您的問題")
    # No "Enter to send" where Enter is a new line.
    expect(box).to_have_attribute("placeholder", "輸入法律問題…")
    box.fill("酒駕")
    box.press("Enter")  # on a touch screen Enter is a new line
    expect(box).to_have_value("酒駕\n")
    box.press_sequentially("會怎麼罰")
    page.get_by_role("button", name="送出").tap()
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=30_000)
    status = page.locator("#composer-status")
    expect(status).to_have_text("回答完成。")
    assert status.evaluate("e => e.scrollWidth <= e.clientWidth")  # whole, not 「回…」
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing sticks out sideways
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 17, 21)"
    page.screenshot(path=shots / "09-phone-dark.png")
    page.get_by_role("button", name="對話").tap()
    expect(page.locator("#sidebar")).to_be_visible()
    expect(page.locator("#conversation-list a").first).to_be_visible()
    page.screenshot(path=shots / "10-phone-sidebar.png")
    context.close()


def test_english_interface(browser, server):
    context = browser.new_context(locale="en-US", base_url=server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="New conversation")).to_be_visible()
    ready(page)
    page.get_by_label("Your question").fill(
        "How much annual leave does the Labor Standards Act give?"
    )
    page.get_by_role("button", name="Send").click()
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "complete", timeout=30_000)
    # Answered in English, the point first.
    expect(answer.locator(".markdown")).to_contain_text("In short: Under the Labor Standards Act")
    expect(answer.get_by_role("button", name="Copy")).to_be_visible()
    page.locator("#language").select_option("zh-hant")
    expect(page.get_by_role("link", name="新對話")).to_be_visible()
    context.close()


def test_self_sign_up(browser, server):
    context = browser.new_context(locale="zh-TW", base_url=server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="建立帳號").click()
    page.locator("#id_username").fill("newcomer")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="建立帳號").click()
    ready(page)
    expect(page.get_by_text("newcomer")).to_be_visible()
    context.close()
