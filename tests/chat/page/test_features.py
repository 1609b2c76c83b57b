"""The chat page's features beyond asking: citation links, search, edit-and-resend with versions,
feedback, share links (cross-user), export, the 404 page and the admin's view of feedback."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from chat.markdown import render_markdown
from chat.models import Conversation, Message
from laws.models import Law

CITATION = {
    "law": "勞動基準法",
    "pcode": "N0030001",
    "article": "17",
    "title": "勞動基準法 第 17 條",
    "url": "https://law.moj.gov.tw/LawClass/LawSingle.aspx?pcode=N0030001&flno=17",
    "text": "雇主依前條終止勞動契約者，應依下列規定發給勞工資遣費：一、…",
    "paragraph": "雇主依前條終止勞動契約者，應發給勞工資遣費。",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other():
    return get_user_model().objects.create_user("other", password="other-password-1")


@pytest.fixture
def talk(owner) -> Conversation:
    conversation = Conversation.objects.create(owner=owner, title="資遣費")
    Message.objects.create(conversation=conversation, role="user", content="資遣費怎麼算？")
    Message.objects.create(
        conversation=conversation,
        role="assistant",
        model="lawbot-lite",
        content="## 答\n\n應發給資遣費[1]，見第 99 條[9]。",
        citations=[CITATION],
    )
    return conversation


def test_citation_markers_link_to_their_citation_and_only_in_range():
    html = render_markdown("見[1]與[2]，`[1]` 不是。", [CITATION])
    assert html.count("data-cite=") == 1 and 'data-cite="1"' in html
    assert CITATION["url"].replace("&", "&amp;") in html
    assert "[2]" in html and "<code>[1]</code>" in html
    # A stored URL that is not http(s) never reaches an href.
    assert 'href="#"' in render_markdown("[1]", [{**CITATION, "url": "javascript:alert(1)"}])


@pytest.mark.django_db
def test_the_page_shows_inline_citations_with_paragraph_and_amendment_date(owner, talk):
    Law.objects.create(pcode="N0030001", name="勞動基準法", modified_date="20240731")
    html = client_for(owner).get(f"/c/{talk.pk}/").content.decode()
    assert 'data-cite="1"' in html and "[9]" in html
    assert CITATION["paragraph"] in html  # the quoted paragraph, not the whole article
    assert "最後修正 2024-07-31" in html
    assert 'id="cite-' in html and 'data-number="1"' in html


@pytest.mark.django_db
def test_search_finds_titles_and_message_text_of_ones_own_conversations(owner, other, talk):
    mine = client_for(owner)
    assert [r["title"] for r in mine.get("/api/ui/search?q=資遣").json()["results"]] == ["資遣費"]
    found = mine.get("/api/ui/search", {"q": "第 99 條"}).json()["results"]
    assert [r["id"] for r in found] == [talk.pk]  # by the answer's text
    assert mine.get("/api/ui/search?q=不存在的字").json()["results"] == []
    assert client_for(other).get("/api/ui/search?q=資遣").json()["results"] == []
    assert Client().get("/api/ui/search?q=資遣").status_code == 401


@pytest.mark.django_db
def test_editing_a_question_keeps_the_replaced_turns_as_an_earlier_version(
    owner, other, talk, monkeypatch
):
    monkeypatch.setattr("chat.page.actions.answer_start", lambda message: None)
    question = talk.messages.get(role="user")
    url = f"/api/ui/messages/{question.pk}/edit"
    body = json.dumps({"question": "資遣費和預告期間？", "model": "lawbot-lite"})
    assert client_for(other).post(url, body, content_type="application/json").status_code == 404
    data = client_for(owner).post(url, body, content_type="application/json").json()
    assert sorted(data["replaced"]) == sorted(talk.messages.values_list("id", flat=True)[:2])
    current = list(talk.messages.current())
    assert [m.content for m in current] == ["資遣費和預告期間？", ""]
    assert current[0].replaces_id == question.pk and current[1].is_streaming
    assert "先前的版本（1）" in data["question_html"] and "資遣費怎麼算？" in data["question_html"]
    assert talk.messages.count() == 4  # nothing deleted


@pytest.mark.django_db
def test_regenerate_is_offered_only_where_the_answer_can_differ(owner, talk, settings):
    html = client_for(owner).get(f"/c/{talk.pk}/").content.decode()
    assert 'data-can-vary="false"' in html  # the composer writes the same answer again
    settings.LAWBOT_LLM_BASE_URL = "http://127.0.0.1:9/v1"
    talk.messages.filter(role="assistant").update(model="lawbot-pro")
    html = client_for(owner).get(f"/c/{talk.pk}/").content.decode()
    assert 'data-can-vary="true"' in html


@pytest.mark.django_db
def test_feedback_is_the_owners_and_the_admin_sees_it(owner, other, talk):
    answer = talk.messages.get(role="assistant")
    url = f"/api/ui/messages/{answer.pk}/feedback"
    down = json.dumps({"rating": -1, "note": "少了第 16 條"})
    assert client_for(other).post(url, down, content_type="application/json").status_code == 404
    assert client_for(owner).post(url, down, content_type="application/json").status_code == 200
    answer.refresh_from_db()
    assert (answer.feedback, answer.feedback_note) == (-1, "少了第 16 條")
    bad = json.dumps({"rating": 5})
    assert client_for(owner).post(url, bad, content_type="application/json").status_code == 400
    admin = get_user_model().objects.create_superuser("root", password="root-password-1")
    staff = client_for(admin)
    assert "👎 1" in staff.get("/admin/chat/conversation/").content.decode()
    assert (
        "少了第 16 條" in staff.get(f"/admin/chat/conversation/{talk.pk}/change/").content.decode()
    )


@pytest.mark.django_db
def test_a_share_link_shows_that_conversation_read_only_until_revoked(owner, other, talk):
    url = f"/api/ui/conversations/{talk.pk}/share"
    assert client_for(other).post(url, "{}", content_type="application/json").status_code == 404
    link = client_for(owner).post(url, "{}", content_type="application/json").json()["url"]
    path = link.split("testserver", 1)[1]
    token = path.strip("/").split("/")[-1]
    assert len(token) >= 32  # unguessable
    for visitor in (Client(), client_for(other)):
        page = visitor.get(path)
        html = page.content.decode()
        assert page.status_code == 200 and "資遣費怎麼算？" in html and "應發給資遣費" in html
        assert 'id="composer"' not in html and 'data-action="edit"' not in html
        assert 'data-action="rate"' not in html and "conversation-list" not in html
        assert page["Referrer-Policy"] == "no-referrer"
    # The shared link gives nothing else: not the conversation's own page, not its actions.
    assert client_for(other).get(f"/c/{talk.pk}/").status_code == 404
    assert Client().get(f"/c/{talk.pk}/export.md").status_code == 302
    again = client_for(owner).post(url, "{}", content_type="application/json").json()["url"]
    assert again == link  # one link per conversation until revoked
    revoke = json.dumps({"revoke": True})
    assert client_for(owner).post(url, revoke, content_type="application/json").json() == {
        "shared": False,
        "url": None,
    }
    assert Client().get(path).status_code == 404
    fresh = client_for(owner).post(url, "{}", content_type="application/json").json()["url"]
    assert fresh != link


@pytest.mark.django_db
def test_export_markdown_and_print_view_carry_citations_and_date(owner, other, talk):
    mine = client_for(owner)
    export = mine.get(f"/c/{talk.pk}/export.md")
    text = export.content.decode()
    assert export["Content-Type"].startswith("text/markdown")
    assert "attachment" in export["Content-Disposition"]
    assert text.startswith("# 資遣費") and "匯出自 Lawbot" in text
    assert "資遣費怎麼算？" in text and "應發給資遣費[1]" in text
    assert f"1. [勞動基準法 第 17 條]({CITATION['url']})" in text
    printed = mine.get(f"/c/{talk.pk}/print").content.decode()
    assert "列印或存成 PDF" in printed and "勞動基準法 第 17 條" in printed and "匯出於" in printed
    assert client_for(other).get(f"/c/{talk.pk}/export.md").status_code == 404
    assert client_for(other).get(f"/c/{talk.pk}/print").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_a_missing_page_is_lawbots_own_404_page(owner, settings, debug):
    settings.DEBUG = debug
    page = client_for(owner).get("/no-such-page/", HTTP_ACCEPT="text/html")
    html = page.content.decode()
    assert page.status_code == 404 and "找不到這個頁面" in html and "回到 Lawbot" in html
    assert "URLconf" not in html  # not Django's debug page
    api = client_for(owner).get("/v1/no-such-thing", HTTP_ACCEPT="text/html")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_function_calls_and_results_stored_over_the_api_show_as_what_they_are(owner):
    # A Responses conversation where the answer called the client's function, and the client
    # sent its result back: neither is an answer of Lawbot's to show, copy or rate.
    conversation = Conversation.objects.create(
        owner=owner, title="天氣", source=Conversation.Source.API
    )
    Message.objects.create(conversation=conversation, role="user", content="台北天氣？")
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "weather", "arguments": '{"city": "台北"}'},
    }
    Message.objects.create(
        conversation=conversation, role="assistant", content="", wire={"tool_calls": [call]}
    )
    Message.objects.create(
        conversation=conversation, role="tool", content="晴，25 度", wire={"tool_call_id": "call_1"}
    )
    page = client_for(owner).get(f"/c/{conversation.pk}/").content.decode()
    assert 'class="message function-call"' in page and 'class="message tool"' in page
    assert "weather({&quot;city&quot;: &quot;台北&quot;})" in page
    assert page.count("Lawbot 的回答") == 0
    export = client_for(owner).get(f"/c/{conversation.pk}/export.md").content.decode()
    assert '`weather({"city": "台北"})`' in export and "晴，25 度" in export
    assert export.count("## 回答") == 0
