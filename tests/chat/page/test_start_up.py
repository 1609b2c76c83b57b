"""What a start-up marks interrupted: only what a dead process left, never a live answer."""

import pytest
from django.utils import timezone

from api_keys.models import RequestLog
from api_keys.services import request_logs_interrupt_orphaned
from api_keys.workers import this_worker
from chat.models import Message
from chat.page.conversations import conversation_ask, messages_interrupt_abandoned

pytestmark = pytest.mark.django_db


def answer(owner, question: str) -> Message:
    asked = conversation_ask(owner=owner, conversation_id=None, question=question, model="")
    return asked.answer


def test_answers_nobody_writes_are_marked_and_live_ones_are_not(owner):
    abandoned, live = answer(owner, "一"), answer(owner, "二")

    def meanwhile(seconds: float) -> None:  # the live answer's worker saves it meanwhile
        Message.objects.filter(pk=live.pk).update(updated=timezone.now())

    assert messages_interrupt_abandoned(watch_seconds=1, sleep=meanwhile) == 1
    abandoned.refresh_from_db()
    live.refresh_from_db()
    assert (abandoned.status, live.status) == ("interrupted", "streaming")


def row(worker: str) -> RequestLog:
    return RequestLog.objects.create(
        request_id="req", path="/v1/chat/completions", status_code=0, worker=worker
    )


def test_request_rows_of_dead_processes_are_marked_and_this_ones_are_not():
    host = this_worker().rsplit(":", 2)[0]
    dead = row(f"{host}:999999999:1")  # no such pid
    alive = row(this_worker())
    elsewhere = row("another-machine:1:1")  # cannot be checked from here: left alone for a day
    assert request_logs_interrupt_orphaned() == 1
    for log in (dead, alive, elsewhere):
        log.refresh_from_db()
    assert (dead.status_code, dead.error_code) == (500, "interrupted")
    assert alive.status_code == elsewhere.status_code == 0
