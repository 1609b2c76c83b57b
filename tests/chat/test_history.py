"""API-stored answers are conversations: on the chat page (marked, with the key's name), kept or
purged with the request logs, deleted everywhere."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from api_keys.services import api_key_create
from chat.history import StoredAnswer, StoredInput, api_answer_store
from chat.models import Conversation

pytestmark = pytest.mark.django_db


def store(owner, name="laptop") -> Conversation:
    key = api_key_create(user=owner, name=name).api_key
    answer = StoredAnswer("resp_" + name, "答", "lawbot-lite", "complete", [], {}, {})
    message = api_answer_store(
        api_key=key,
        inputs=[StoredInput("user", "問題", "msg_" + name)],
        answer=answer,
        question="問題",
    )
    return message.conversation


def test_the_page_lists_it_marked_as_from_the_api_with_the_key(owner):
    conversation = store(owner)
    client = Client()
    client.force_login(owner)
    html = client.get("/").content.decode()
    assert "API · laptop" in html and conversation.get_absolute_url() in html
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert conversation.public_id in page  # how to continue it over the API
    client.post(f"/c/{conversation.pk}/keep", {"kept": "1"})
    conversation.refresh_from_db()
    assert conversation.kept


def test_purge_logs_deletes_old_api_conversations_unless_kept(owner, settings, capsys):
    old, kept, fresh = store(owner, "a"), store(owner, "b"), store(owner, "c")
    page = Conversation.objects.create(owner=owner, title="page")
    long_ago = timezone.now() - timedelta(days=100)
    Conversation.objects.filter(pk__in=[old.pk, kept.pk, page.pk]).update(updated=long_ago)
    Conversation.objects.filter(pk=kept.pk).update(kept=True)
    settings.LAWBOT_LOG_RETENTION_DAYS = 90
    call_command("purge_logs")
    assert "Deleted 1 conversations stored over the API" in capsys.readouterr().out
    assert set(Conversation.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk, page.pk}


def test_another_user_cannot_keep_it(owner, django_user_model):
    conversation = store(owner)
    stranger = django_user_model.objects.create_user("stranger", password="stranger-pass-1")
    client = Client()
    client.force_login(stranger)
    assert client.post(f"/c/{conversation.pk}/keep", {"kept": "1"}).status_code == 404


def test_instructions_sent_over_the_api_show_as_instructions_not_answers(owner):
    key = api_key_create(user=owner, name="k").api_key
    answer = StoredAnswer("chatcmpl-x", "答", "lawbot-lite", "complete", [], {}, {})
    inputs = [
        StoredInput("system", "只用英文回答", "chatcmpl-x-0"),
        StoredInput("user", "問", "chatcmpl-x-1"),
    ]
    message = api_answer_store(api_key=key, inputs=inputs, answer=answer, question="問")
    client = Client()
    client.force_login(owner)
    html = client.get(message.conversation.get_absolute_url()).content.decode()
    assert '<div class="bubble instructions">只用英文回答</div>' in html
    assert html.count('class="answer-body') == 1
