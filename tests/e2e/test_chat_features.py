"""The chat page's reading and writing features in Chromium, against a live daphne whose
lawbot-pro is the stand-in LLM (so an answer with Markdown, a table and [n] markers streams at a
pace the test sets): Markdown while streaming, inline citations, the view staying at the answer's
start, the error card, the skip link, search, edit-and-resend, feedback, share across users,
export, the model picker, settings and shortcuts. Each state is checked by axe-core and
photographed under var/screenshots/features/."""

import os
import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.corpus import write_corpus, write_english
from tests.e2e import a11y
from tests.e2e.a11y import PHONE, axe_serious, new_page
from tests.e2e.conftest import ROOT, manage
from tests.standin_llm import StandInLLM

pytestmark = pytest.mark.e2e
browser = a11y.browser
PASSWORD = "browser-pass-123"
ANSWER = "#messages .message.assistant"
SHOTS = ROOT / "var" / "screenshots" / "features"
MARKDOWN = (
    "## 結論\n\n雇主應發給資遣費[1]，計算如下：\n\n"
    "| 年資 | 資遣費 |\n|---|---|\n| 3 年 | 1.5 個月平均工資 |\n| 5 年 | 2.5 個月平均工資 |\n\n"
    "- 依**勞工退休金條例**計算[1]\n- 另有預告期間[2]\n\n" + "說明文字。" * 60 + "\n\n最後一句。"
)


def pieces(text: str, size: int = 6) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.fixture(scope="module")
def standin():
    with StandInLLM() as server:
        yield server


@pytest.fixture(scope="module")
def server(lawbot_server_factory, standin):
    live = lawbot_server_factory(
        LAWBOT_LLM_BASE_URL=standin.url, LAWBOT_LLM_MODEL="standin-7b", LAWBOT_LLM_TIMEOUT="60"
    )
    # The Ministry's English files too, so that the citations carry their translations.
    corpus = live.var_dir / "corpus"
    manage(live.env, "import_laws", "--no-progress", *write_corpus(corpus), write_english(corpus))
    for name in ("carol", "dave"):
        manage(
            live.env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user({name!r}, password={PASSWORD!r})",
        )
    return live


@pytest.fixture
def upstream(standin):
    standin.reset()
    yield standin
    standin.release()


@pytest.fixture
def page(browser, server):
    page = new_page(browser, server.url)
    yield page
    page.context.close()


def sign_in(page, user="carol"):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("#composer[data-ready]")).to_be_visible()


def ask(page, text, model="lawbot-pro"):
    page.locator("#model").select_option(model)
    page.locator("#question").fill(text)
    page.locator("#question").press("Enter")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")


def test_markdown_and_citations_render_while_streaming_and_the_view_stays_put(page, upstream):
    # The last piece (one character) is held back, to compare the streamed rendering of the
    # whole text with the saved answer's.
    deltas = [*pieces(MARKDOWN), "。"]
    upstream.reset(deltas=deltas, delay=0.03, hold_after=len(deltas) - 1)
    sign_in(page)
    expect(page.locator("#question")).to_be_focused()  # the composer is focused on load
    ask(page, "資遣費怎麼算？請列表")
    answer = page.locator(ANSWER)
    body = answer.locator(".answer-body")
    # Mid-answer: a heading, a table and linked markers already, never raw Markdown.
    expect(body.locator("h2")).to_have_text("結論")
    expect(body.locator("table tr")).to_have_count(3, timeout=15_000)
    expect(body.locator('a[data-cite="1"]').first).to_be_visible()
    expect(answer).to_have_attribute("data-status", "streaming")
    assert "|---" not in body.text_content() and "**" not in body.text_content()
    top = page.evaluate("document.querySelector('#messages').scrollTop")
    assert axe_serious(page) == []
    shoot(page, "streaming-desktop")
    expect(body).to_contain_text("最後一句。", timeout=20_000)
    # The answer now fills the screen; the view stayed at its start.
    assert page.evaluate("document.querySelector('#messages').scrollTop") == top
    before = body.evaluate("e => e.getBoundingClientRect().height")
    upstream.release()
    expect(answer).to_have_attribute("data-status", "complete", timeout=15_000)
    expect(answer).to_have_attribute("data-stream-check", "exact")
    after = answer.locator(".answer-body").evaluate("e => e.getBoundingClientRect().height")
    line = answer.locator(".answer-body p").first.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight)"
    )
    assert abs(after - before) <= line, (before, after, line)  # no swap, no jump
    assert page.evaluate("document.querySelector('#messages').scrollTop") == top
    expect(page.locator("#composer-status")).to_have_text("回答完成。")
    # [n] opens a card with the quoted paragraph and the official link; the list matches.
    marker = answer.locator('.answer-body a[data-cite="1"]').first
    marker.hover()
    card = page.locator("#cite-card")
    expect(card).to_be_visible()
    first = answer.locator(".citations li").first
    expect(first).to_have_attribute("data-number", "1")
    expect(card).to_contain_text(first.locator(".cite-title").text_content())
    official = card.get_by_role("link", name=re.compile("官方條文"))
    expect(official).to_have_attribute("href", re.compile(r"^https://law\.moj"))
    assert axe_serious(page) == []
    shoot(page, "finished-citation-card-desktop")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    # Reloaded, the list is the server's: it lists the Ministry's translation after the law, and
    # on the Chinese page the card still quotes the law, not the translation.
    page.reload()
    first = page.locator(ANSWER).locator(".citations li").first
    expect(first.locator(".cite-translation")).to_have_count(1)
    # Any scroll closes an unpinned card, and the reloaded page scrolls (to the end, then the
    # marker into view): let it come to rest first. The pointer is still where the marker was
    # before the reload, so it moves off, or hovering at the same spot would be no movement.
    marker = page.locator(ANSWER).locator('.answer-body a[data-cite="1"]').first
    marker.scroll_into_view_if_needed()
    tops = []
    while len(tops) < 3 or len(set(tops[-3:])) > 1:
        tops.append(page.evaluate("document.querySelector('#messages').scrollTop"))
        page.wait_for_timeout(100)
        assert len(tops) < 50, tops
    page.mouse.move(0, 0)
    marker.hover()
    expect(card).to_be_visible()
    expect(card.locator("blockquote")).to_have_count(1)
    law = first.locator(".cite-quote").first
    expect(law).not_to_have_attribute("lang", "en")
    expect(card.locator("blockquote")).to_have_text(law.text_content())


def test_an_upstream_failure_reads_as_a_translated_error_with_only_retry(page, upstream):
    upstream.reset(fail="status", status=503)
    sign_in(page)
    ask(page, "勞基法第17條")
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "error", timeout=15_000)
    notice = answer.locator(".notice.error")
    expect(notice).to_contain_text("語言模型")
    expect(notice).not_to_contain_text("upstream")
    expect(answer.get_by_role("button", name="複製")).to_have_count(0)
    expect(answer.get_by_role("button", name="重新產生")).to_have_count(0)
    expect(page.locator("#composer-status")).to_have_text("無法完成回答。")
    assert axe_serious(page) == []
    shoot(page, "error-desktop")
    upstream.reset()
    notice.get_by_role("button", name="重試").click()
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=15_000)


def test_the_skip_link_moves_focus_without_reloading(page, upstream):
    sign_in(page)
    page.evaluate("window.__still_here = true")
    page.keyboard.press("Shift+Tab")  # from the focused composer back to… the page's start
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    assert page.evaluate("window.__still_here") is True


def test_edit_versions_feedback_search_and_shortcuts(page, server, upstream):
    sign_in(page)
    ask(page, "預告期間幾天？", model="lawbot-lite")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=15_000)
    # The composer's answers cannot differ on regenerate: not offered; lawbot-pro's can.
    expect(page.locator(ANSWER).get_by_role("button", name="重新產生")).to_be_hidden()
    page.locator("#model").select_option("lawbot-pro")
    expect(page.locator(ANSWER).get_by_role("button", name="重新產生")).to_be_visible()
    expect(page.locator("#model-about")).to_contain_text("大型語言模型")
    page.locator(ANSWER).get_by_role("button", name="重新產生").click()
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=15_000)
    expect(page.locator(ANSWER).locator(".versions summary")).to_have_text("先前的版本（1）")

    # Edit and resend: the later turns are replaced, and kept as an earlier version.
    page.locator(".message.user").get_by_role("button", name="修改").click()
    editor = page.locator(".message.user .edit-form textarea")
    editor.fill("資遣費怎麼算？")
    page.get_by_role("button", name="儲存並送出").click()
    expect(page.locator(ANSWER)).to_have_count(1)
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=15_000)
    expect(page.locator(".message.user .bubble")).to_have_text("資遣費怎麼算？")
    versions = page.locator(".message.user .versions")
    versions.locator("summary").click()
    expect(versions).to_contain_text("預告期間幾天？")

    # Feedback with a note, stored for the admin.
    page.locator(ANSWER).get_by_role("button", name="不好的回答").click()
    page.locator(ANSWER).locator(".feedback-note textarea").fill("少了第 16 條")
    page.locator(ANSWER).get_by_role("button", name="送出回饋").click()
    expect(page.locator("#composer-status")).to_have_text("已送出您的意見，謝謝。")
    assert server.query(
        "SELECT feedback, feedback_note FROM chat_message WHERE feedback IS NOT NULL"
    ) == [(-1, "少了第 16 條")]
    shoot(page, "versions-feedback-desktop")

    # Search by the text of an answer; only one's own conversations.
    # This conversation's title is its first question; it is found by the edited one's text.
    page.locator("#search").fill("資遣費怎麼算")
    expect(page.locator("#search-results a").first).to_have_text("預告期間幾天？")
    page.locator("#search").fill("沒有這種字串")
    expect(page.locator("#search-status")).to_have_text("沒有符合的對話。")
    page.locator("#search").fill("")
    expect(page.locator("#conversation-list")).to_be_visible()

    # The model picker remembers the choice for new conversations.
    page.locator("#model").select_option("lawbot-lite")
    page.keyboard.press("Control+Shift+O")  # new conversation
    expect(page).to_have_url(f"{server.url}/")
    expect(page.locator("#composer[data-ready]")).to_be_visible()
    expect(page.locator("#model")).to_have_value("lawbot-lite")
    page.locator("#settings-open").focus()
    page.keyboard.press("/")
    expect(page.locator("#question")).to_be_focused()

    # Esc stops a streaming answer.
    upstream.reset(deltas=pieces(MARKDOWN), delay=0.05)
    ask(page, "慢慢回答")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "streaming")
    expect(page.locator(f"{ANSWER} .answer-body h2")).to_be_visible()
    page.locator("#question").press("Escape")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "stopped", timeout=15_000)
    expect(page.locator("#composer-status")).to_have_text("已停止；已寫出的內容會保留。")


def test_settings_theme_and_language(page, upstream):
    sign_in(page)
    page.get_by_role("button", name="設定").click()
    page.get_by_label("深色").check()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(15, 17, 21)"
    assert axe_serious(page) == []
    shoot(page, "settings-dark-desktop")
    page.get_by_role("button", name="完成").click()
    page.reload()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(15, 17, 21)"
    page.get_by_role("button", name="設定").click()
    page.get_by_label("淺色").check()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    page.locator("#settings-language").select_option("en")
    expect(page.get_by_role("link", name="New conversation")).to_be_visible()
    # The new page's button is there before its script has bound the click: wait for the script.
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Settings").click()
    page.locator("#settings-language").select_option("zh-hant")
    expect(page.get_by_role("link", name="新對話")).to_be_visible()


def test_a_share_link_is_read_only_for_another_user_and_dies_when_revoked(
    browser, server, upstream
):
    owner = new_page(browser, server.url)
    sign_in(owner, "carol")
    ask(owner, "勞基法第38條", model="lawbot-lite")
    expect(owner.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=15_000)
    owner.get_by_role("button", name="分享").click()
    owner.get_by_role("button", name="建立並複製連結").click()
    field = owner.locator("#share-link")
    expect(field).to_have_value(re.compile(r"/s/[\w-]{32,}/$"))
    link = field.input_value()
    owner.get_by_role("button", name="關閉").click()
    with owner.expect_download() as download:
        owner.get_by_role("link", name="匯出 Markdown").click()
    text = download.value.path().read_text()
    assert text.startswith("# 勞基法第38條") and "匯出自 Lawbot" in text

    other = new_page(browser, server.url)
    sign_in(other, "dave")
    other.goto(link)
    expect(other.locator(".message.user .bubble")).to_have_text("勞基法第38條")
    expect(other.locator("#composer")).to_have_count(0)
    expect(other.locator("#conversation-list")).to_have_count(0)
    expect(other.get_by_role("button", name="修改")).to_have_count(0)
    assert axe_serious(other) == []
    shoot(other, "shared-read-only-desktop")
    owner.get_by_role("button", name="分享").click()
    owner.get_by_role("button", name="撤銷連結").click()
    expect(owner.locator(".share-status")).to_have_text("這個連結已失效。")
    other.goto(link)
    expect(other.get_by_role("heading", name="找不到這個頁面")).to_be_visible()
    owner.context.close()
    other.context.close()


# The pages' markup and styles do not depend on the database: the second run of the suite (on
# PostgreSQL + Redis) skips this two-minute sweep, which the first run makes on SQLite.
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the same markup on every database: checked in the SQLite run",
)
def test_every_state_passes_axe_on_desktop_and_phone_in_both_themes_and_languages(
    browser, server, upstream
):
    manage(
        server.env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.filter(username='root').exists() or "
        f"get_user_model().objects.create_superuser('root', password={PASSWORD!r})",
    )
    for model in ("lawbot-lite", "no-such-model"):  # rows for the admin's request log
        httpx.post(
            f"{server.url}/v1/chat/completions",
            headers={"Authorization": f"Bearer {server.secret}"},
            json={"model": model, "messages": [{"role": "user", "content": "勞基法第38條"}]},
            timeout=30,
        )
    first = new_page(browser, server.url)
    sign_in(first, "root")
    upstream.reset(deltas=pieces(MARKDOWN, 40))
    ask(first, "資遣費怎麼算？")
    expect(first.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=15_000)
    conversation = first.url
    upstream.reset(fail="status", status=503)
    first.goto("/")
    expect(first.locator("#composer[data-ready]")).to_be_visible()
    ask(first, "勞基法第17條")
    expect(first.locator(ANSWER)).to_have_attribute("data-status", "error", timeout=15_000)
    failed = first.url
    first.context.close()
    found = []
    for device, options in (("desktop", {}), ("phone", PHONE)):
        for scheme in ("light", "dark"):
            for locale in ("zh-TW", "en-US"):
                name = f"{device}-{scheme}-{locale}"
                page = new_page(browser, server.url, locale=locale, color_scheme=scheme, **options)
                states = [("sign-in", "/accounts/login/")]
                page.goto("/accounts/login/")
                found += [f"{name} sign-in: {v}" for v in axe_serious(page)]
                shoot(page, f"sign-in-{name}")
                page.locator("#id_username").fill("root")
                page.locator("#id_password").fill(PASSWORD)
                page.locator("#id_password").press("Enter")
                expect(page.locator("#composer[data-ready]")).to_be_visible()
                # Streaming: the stand-in pauses after a burst of pieces, then goes on.
                upstream.reset(deltas=pieces(MARKDOWN, 20), hold_after=8)
                page.locator("#question").fill("資遣費怎麼算？")
                page.locator("#send").click()  # on a phone Enter is a new line
                expect(page.locator(f"{ANSWER} .answer-body table")).to_be_visible()
                found += [f"{name} streaming: {v}" for v in axe_serious(page)]
                shoot(page, f"streaming-{name}")
                upstream.release()
                expect(page.locator(ANSWER)).to_have_attribute(
                    "data-status", "complete", timeout=15_000
                )
                page.goto("/")
                states = [
                    ("empty", None),
                    ("finished", conversation),
                    ("error", failed),
                    ("keys", "/keys/"),
                ]
                if device == "desktop":
                    states += [
                        ("admin-requests", "/admin/api_keys/requestlog/"),
                        ("admin-conversations", "/admin/chat/conversation/"),
                        ("admin-keys", "/admin/api_keys/apikey/"),
                        ("admin-usage", "/admin/api_keys/requestlog/usage/"),
                    ]
                for state, path in states:
                    if path:
                        page.goto(path)
                    found += [f"{name} {state}: {v}" for v in axe_serious(page)]
                    shoot(page, f"{state}-{name}")
                    if state == "admin-requests":
                        # Every column (status, latency, tokens, error) visible without a scroll.
                        fits = page.locator("#result_list").evaluate(
                            "t => t.scrollWidth <= t.parentElement.clientWidth"
                        )
                        assert fits, name
                        expect(page.locator("#result_list tbody tr")).to_have_count(2)
                if device == "phone":
                    page.goto(conversation)
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= 390, name
                    bar = page.locator(".topbar").evaluate("e => e.getBoundingClientRect().height")
                    assert bar < 60, (name, bar)  # one line, also in English
                page.context.close()
    assert not found, "\n".join(found)


def test_html_and_script_in_a_streaming_answer_never_run(page, upstream):
    hostile = (
        '## Injected\n\n<img src=x onerror="window.__xss=1">\n\n[click me](javascript:window.__xss=2)'
        '\n\n<script>window.__xss=3</script>\n\n| a | <img src=x onerror="window.__xss=4"> |\n|---|---|'
        "\n| [x](javascript:window.__xss=5) | 2 |\n\n[unfinished](javascript:window.__x"
    )
    deltas = [*pieces(hostile, 3), "\n"]
    upstream.reset(deltas=deltas, delay=0.01, hold_after=len(deltas) - 1)
    sign_in(page)
    ask(page, "XSS")
    body = page.locator(f"{ANSWER} .answer-body")
    expect(body.locator("table")).to_be_visible()  # all of it has arrived; still streaming
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "streaming")
    body.get_by_text("click me").click()
    expect(page.locator("#messages img, #messages script")).to_have_count(0)
    hrefs = page.locator("#messages a").evaluate_all("links => links.map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    assert page.evaluate("window.__xss") is None
    upstream.release()
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=15_000)
    assert page.evaluate("window.__xss") is None
