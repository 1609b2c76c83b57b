"""The chat page's views: sign-in, ownership, the JSON endpoints, rendering and safety."""

import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import AsyncClient, Client
from django.utils import timezone

from chat.markdown import render_markdown
from chat.models import Conversation, Message
from chat.page.answer_worker import running_task


class Tags(HTMLParser):
    """Every real tag and attribute in a page (text that merely looks like HTML is not one)."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    for tag, attrs in Tags(html).tags:
        assert tag not in ("img", "iframe", "object", "embed"), tag
        if tag == "script":  # only our own file and JSON data
            assert (
                attrs.get("src", "").startswith("/static/") or attrs["type"] == "application/json"
            )
        assert not any(name.startswith("on") for name in attrs), attrs
        assert not (attrs.get("href") or "").strip().lower().startswith("javascript"), attrs


async def settled(message_id: int) -> None:
    task = running_task(message_id)
    if task is not None:
        await task


XSS = '<img src=x onerror="alert(1)"> [click](javascript:alert(2)) <a href="javascript:alert(3)">a</a>'


@pytest.fixture
def other():
    return get_user_model().objects.create_user("other", password="other-password-1")


@pytest.fixture
def conversation(owner) -> Conversation:
    conversation = Conversation.objects.create(owner=owner, title="資遣費")
    Message.objects.create(conversation=conversation, role="user", content="資遣費怎麼算？")
    Message.objects.create(
        conversation=conversation,
        role="assistant",
        model="lawbot-lite",
        content="## 答\n\n依**勞動基準法**第 17 條。",
        citations=[
            {
                "law": "勞動基準法",
                "pcode": "N0030001",
                "article": "17",
                "title": "勞動基準法 第 17 條",
                "url": "https://law.moj.gov.tw/LawClass/LawSingle.aspx?pcode=N0030001&flno=17",
                "text": "雇主依前條終止勞動契約者，應發給勞工資遣費。",
            }
        ],
    )
    return conversation


@pytest.fixture
def signed_in(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def test_markdown_is_sanitised_after_rendering():
    html = render_markdown(
        XSS + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\n<script>x</script>\n```"
    )
    assert_inert(html)
    assert not [tag for tag, _ in Tags(html).tags if tag == "script"]
    assert "<table>" in html and "&lt;script&gt;" in html


def test_the_sanitiser_holds_even_if_the_renderer_let_html_through(monkeypatch):
    from markdown_it import MarkdownIt

    from chat import markdown

    monkeypatch.setattr(markdown, "_renderer", MarkdownIt("commonmark", {"html": True}))
    html = render_markdown(XSS + '\n\n<a href="https://law.moj.gov.tw/">ok</a>')
    assert_inert(html)
    assert 'href="https://law.moj.gov.tw/" target="_blank" rel="noopener' in html


@pytest.mark.django_db
def test_every_page_requires_sign_in(client, conversation):
    for path in ("/", f"/c/{conversation.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post("/api/ui/ask", "{}", content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db
def test_the_page_shows_the_conversation_rendered_with_citations(signed_in, conversation):
    response = signed_in.get(f"/c/{conversation.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>答</h2>" in html and "<strong>勞動基準法</strong>" in html
    assert "勞動基準法 第 17 條" in html and "flno=17" in html
    assert 'aria-current="page"' in html


@pytest.mark.django_db
def test_another_users_conversation_is_not_found(other, conversation):
    client = Client()
    client.force_login(other)
    answer = conversation.messages.get(role="assistant")
    assert client.get(f"/c/{conversation.pk}/").status_code == 404
    assert client.post(f"/c/{conversation.pk}/rename", {"title": "x"}).status_code == 404
    assert client.post(f"/c/{conversation.pk}/delete").status_code == 404
    assert client.post(f"/api/ui/messages/{answer.pk}/stop").status_code == 404
    assert client.get(f"/api/ui/messages/{answer.pk}/stream").status_code == 404
    regenerate = f"/api/ui/conversations/{conversation.pk}/regenerate"
    assert client.post(regenerate).status_code == 404
    for target in (conversation.pk, "x1"):
        ask = {"conversation": target, "question": "hi"}
        assert client.post("/api/ui/ask", ask, content_type="application/json").status_code == 404
    assert f"/c/{conversation.pk}/" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_answer_left_streaming_by_a_dead_worker_shows_as_interrupted(signed_in, conversation):
    Message.objects.filter(role="assistant").update(
        status="streaming", updated=timezone.now() - timedelta(minutes=5)
    )
    html = signed_in.get(f"/c/{conversation.pk}/").content.decode()
    assert Message.objects.get(role="assistant").status == "interrupted"
    assert 'data-status="interrupted"' in html and "依<strong>勞動基準法</strong>" in html


@pytest.mark.django_db
def test_rename_and_delete(signed_in, conversation):
    signed_in.post(f"/c/{conversation.pk}/rename", {"title": "  新的  標題 "})
    conversation.refresh_from_db()
    assert conversation.title == "新的 標題"
    response = signed_in.post(f"/c/{conversation.pk}/delete")
    assert response.status_code == 302
    assert not Conversation.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db
def test_html_from_questions_and_answers_stays_inert(signed_in, owner):
    conversation = Conversation.objects.create(owner=owner, title=XSS)
    Message.objects.create(conversation=conversation, role="user", content=XSS)
    Message.objects.create(conversation=conversation, role="assistant", content=XSS)
    response = signed_in.get(f"/c/{conversation.pk}/")
    html = response.content.decode()
    assert_inert(html)
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert "&lt;img src=x" in html  # shown as text


@pytest.mark.django_db
def test_sidebar_lists_hundreds_newest_first_in_few_queries(
    signed_in, owner, django_assert_max_num_queries
):
    Conversation.objects.bulk_create(
        Conversation(owner=owner, title=f"問題 {i:03}") for i in range(300)
    )
    with django_assert_max_num_queries(6):
        html = signed_in.get("/").content.decode()
    assert html.count('href="/c/') == 300
    assert html.index("問題 299") < html.index("問題 000")


@pytest.mark.django_db
def test_a_long_conversation_loads_in_few_queries(
    signed_in, conversation, django_assert_max_num_queries
):
    Message.objects.bulk_create(
        Message(conversation=conversation, role=role, content=f"第 {i} 則")
        for i in range(300)
        for role in ("user", "assistant")
    )
    with django_assert_max_num_queries(7):
        html = signed_in.get(f"/c/{conversation.pk}/").content.decode()
    assert html.count('class="message assistant"') == 301


@pytest.mark.django_db
def test_signup_only_when_allowed(client, settings):
    settings.LAWBOT_ALLOW_SIGNUP = False
    assert client.get("/accounts/signup/").status_code == 404
    settings.LAWBOT_ALLOW_SIGNUP = True
    response = client.post(
        "/accounts/signup/",
        {"username": "newbie", "password1": "a-long-pass-123", "password2": "a-long-pass-123"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_interface_is_in_traditional_chinese_with_english_available(signed_in):
    assert "新對話" in signed_in.get("/").content.decode()
    signed_in.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "New conversation" in signed_in.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_asking_starts_a_conversation_and_an_answer_that_completes(owner, corpus):
    client = AsyncClient()
    await sync_to_async(client.force_login)(owner)
    response = await client.post(
        "/api/ui/ask",
        json.dumps({"question": "勞基法第38條", "model": "lawbot-lite"}),
        content_type="application/json",
    )
    data = response.json()
    assert response.status_code == 200 and data["conversation"]["created"]
    assert data["conversation"]["title"] == "勞基法第38條"
    await settled(data["message_id"])
    message = await Message.objects.aget(pk=data["message_id"])
    assert message.status == "complete" and "特別休假" in message.content
    regenerate = f"/api/ui/conversations/{data['conversation']['id']}/regenerate"
    # The built-in composer would write the same answer again: regenerating is refused...
    same = await client.post(regenerate, "{}", content_type="application/json")
    assert same.status_code == 409 and same.json()["error"]["code"] == "answer_would_not_change"
    # ...but with another model it can differ; the earlier answer is kept as a version.
    again = await client.post(
        regenerate, json.dumps({"model": "lawbot-pro"}), content_type="application/json"
    )
    new_id = again.json()["message_id"]
    await settled(new_id)
    assert await Message.objects.filter(role="assistant").acount() == 2
    assert await Message.objects.current().filter(role="assistant").acount() == 1
    regenerated = await Message.objects.aget(pk=new_id)
    assert regenerated.replaces_id == data["message_id"] and regenerated.model == "lawbot-pro"
    response = await client.get(f"/api/ui/messages/{new_id}/stream", headers={"Last-Event-ID": "5"})
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    assert body.startswith("id: ") and "event: end" in body and '"status": "complete"' in body


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_asking_while_an_answer_streams_is_refused(owner, corpus, settings):
    settings.LAWBOT_COMPOSER_DELAY_MS = 20
    client = AsyncClient()
    await sync_to_async(client.force_login)(owner)
    first = (
        await client.post(
            "/api/ui/ask", json.dumps({"question": "資遣費"}), content_type="application/json"
        )
    ).json()
    second = await client.post(
        "/api/ui/ask",
        json.dumps({"question": "again", "conversation": first["conversation"]["id"]}),
        content_type="application/json",
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "answer_streaming"
    empty = await client.post(
        "/api/ui/ask", json.dumps({"question": "  "}), content_type="application/json"
    )
    assert empty.status_code == 400 and empty.json()["error"]["message"] == "請先輸入問題。"
    await client.post(f"/api/ui/messages/{first['message_id']}/stop")
    await settled(first["message_id"])


@pytest.mark.django_db
def test_a_failed_answer_shows_a_readable_error_with_retry(signed_in, conversation):
    Message.objects.filter(role="assistant").update(
        status="error",
        content="",
        error="The upstream LLM is unavailable (cannot connect to it); try again later.",
        error_code="upstream_unavailable",
    )
    html = signed_in.get(f"/c/{conversation.pk}/").content.decode()
    # In the page's language, without jargon, saying what to do; never the English detail.
    assert "語言模型" in html and "lawbot-lite" in html
    assert "upstream" not in html.lower()
    assert 'role="alert"' in html and 'data-action="regenerate"' in html  # Retry
    # Nothing to copy, rate or regenerate in an empty answer: the notice's Retry is the action.
    assert 'data-action="copy"' not in html and 'data-action="rate"' not in html
    assert html.count('data-action="regenerate"') == 1


@pytest.mark.django_db
def test_posts_need_the_csrf_token(owner, conversation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    ask = {"question": "hi", "conversation": conversation.pk}
    assert client.post("/api/ui/ask", ask, content_type="application/json").status_code == 403
    assert client.post(f"/c/{conversation.pk}/delete").status_code == 403
    assert Conversation.objects.exists()


@pytest.mark.django_db
def test_admin_shows_conversations_with_their_messages_read_only(client, conversation):
    admin = get_user_model().objects.create_superuser("root", password="root-password-1")
    client.force_login(admin)
    assert "資遣費" in client.get("/admin/chat/conversation/").content.decode()
    page = client.get(f"/admin/chat/conversation/{conversation.pk}/change/").content.decode()
    assert "資遣費怎麼算？" in page and "lawbot-lite" in page
    assert client.get("/admin/chat/conversation/add/").status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_deleting_a_conversation_mid_answer_ends_its_task_quietly(owner, corpus, settings):
    settings.LAWBOT_COMPOSER_DELAY_MS = 10
    client = AsyncClient()
    await sync_to_async(client.force_login)(owner)
    data = (
        await client.post(
            "/api/ui/ask", json.dumps({"question": "資遣費"}), content_type="application/json"
        )
    ).json()
    task = running_task(data["message_id"])
    await client.post(f"/c/{data['conversation']['id']}/delete")
    await task
    assert task.exception() is None
    assert not await Message.objects.aexists()
