"""The chat page in real Chromium: a calculation, a "what can I do" question and an English
question each open with the direct answer, and the answer's markers [n] are the numbers of the
page's list of cited articles, each showing the paragraph quoted. Screenshots go to
var/screenshots/ (not committed)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.conftest import ROOT, manage

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "answers-pass-123"
SHOTS = ROOT / "var" / "screenshots"
ANSWER = "#messages .message.assistant"
# A procedure law the synthetic corpus lacks (a paraphrase, not statute text), for next steps.
PROCEDURE = (
    "from laws.models import Law, Article; "
    "law = Law.objects.create(pcode='N0020007', name='勞資爭議處理法', level='法律', "
    "url='https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode=N0020007', content_hash='x', "
    "english_name='Act for Settlement of Labor-Management Disputes'); "
    "Article.objects.create(law=law, position=1, number='9', "
    "content='勞資爭議當事人申請調解時，應向勞務提供地之主管機關提出調解申請書。')"
)
QUESTIONS = [
    ("calculation", "月薪4萬5，年資3年6個月，被資遣可以拿多少資遣費？", "**簡答**"),
    ("what-to-do", "公司要資遣我，我該怎麼辦？", "簡答"),
    (
        "english",
        "My monthly salary is NT$36,000 and I worked 2 years. How much severance pay?",
        "In short",
    ),
]


@pytest.fixture(scope="module")
def server(lawbot_server_factory):
    live = lawbot_server_factory(LAWBOT_COMPOSER_DELAY_MS="1")
    manage(live.env, "shell", "-c", PROCEDURE)
    manage(
        live.env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user('carol', password={PASSWORD!r})",
    )
    return live


def capture(page, question: str, name: str) -> tuple[str, list[str]]:
    """Asks in a new conversation, waits for the whole answer, screenshots it; returns the
    answer's text and the titles of the page's list."""
    page.goto("/")
    expect(page.locator("#composer[data-ready]")).to_be_visible()
    page.locator("#model").select_option("lawbot-lite")
    page.get_by_label("您的問題").fill(question)
    page.get_by_label("您的問題").press("Enter")
    answer = page.locator(ANSWER).last
    expect(answer).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(answer.locator(".citations li").first).to_be_visible()
    answer.locator(".citations li summary").first.click()
    SHOTS.mkdir(parents=True, exist_ok=True)
    answer.locator(".answer-body").evaluate("e => e.scrollIntoView()")
    page.screenshot(path=SHOTS / f"answer-{name}.png")
    answer.locator(".citations").evaluate("e => e.scrollIntoView()")
    page.screenshot(path=SHOTS / f"answer-{name}-list.png")
    text = answer.locator(".answer-body").inner_text()
    numbers = answer.locator(".citations .cite-number").all_inner_texts()
    return text, numbers


@pytest.mark.parametrize(("name", "question", "lead"), QUESTIONS)
def test_the_answer_opens_with_the_point_and_its_markers_are_the_list_numbers(
    server, name, question, lead
):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            locale="zh-TW", base_url=server.url, viewport={"width": 1100, "height": 900}
        )
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("帳號").fill("carol")
        page.get_by_label("密碼").fill(PASSWORD)
        page.get_by_role("button", name="登入").click()
        text, numbers = capture(page, question, name)
        browser.close()
    assert text.lstrip().startswith(lead.strip("*"))
    markers = list(dict.fromkeys(re.findall(r"\[\d+\]", text)))
    assert markers == numbers == [f"[{n}]" for n in range(1, len(numbers) + 1)]
    if name == "what-to-do":
        assert "下一步" in text and "勞資爭議處理法" in text
