from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from api_keys.models import RequestLog
from api_keys.services import api_key_create
from api_keys.usage import chart, daily_totals, usage_by_key_and_day, usage_context
from tests.api_keys.factories import log_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(owner):
    return api_key_create(user=owner, name="a").api_key, api_key_create(
        user=owner, name="b"
    ).api_key


def test_usage_groups_requests_tokens_and_errors_per_key_per_day(keys):
    a, b = keys
    log_rows(a, days_ago=0, count=3)
    log_rows(a, days_ago=0, count=2, status=429, tokens=(0, 0))
    log_rows(a, days_ago=2, count=1, tokens=(5, 5))
    log_rows(b, days_ago=0, count=4, status=500, tokens=(1, 0))
    log_rows(a, days_ago=30, count=7)  # outside the 30 days (today is one of them)
    rows = usage_by_key_and_day()
    today = timezone.localdate()
    got = {(r.api_key.name, (today - r.day).days): (r.requests, r.tokens, r.errors) for r in rows}
    assert got == {("a", 0): (5, 90, 2), ("b", 0): (4, 4, 4), ("a", 2): (1, 10, 0)}
    assert [r.api_key.name for r in usage_by_key_and_day(keys=[b])] == ["b"]


def test_daily_totals_cover_every_day_and_the_chart_scales_to_the_peak(keys):
    a, b = keys
    log_rows(a, days_ago=0, count=4)
    log_rows(b, days_ago=0, count=4, status=500)
    log_rows(a, days_ago=3, count=2)
    totals = daily_totals(usage_by_key_and_day())
    assert len(totals) == 30 and totals[-1].day == timezone.localdate()
    assert [t.requests for t in totals[-4:]] == [2, 0, 0, 8]
    requests = chart(totals, measure="requests")
    last = requests["bars"][-1]
    assert requests["peak"] == 8 and last.height == 120 and last.error_height == 60
    assert requests["bars"][-4].height == 30
    context = usage_context(keys=[a])
    assert context["usage_sum"].requests == 6


def test_purge_logs_deletes_in_batches_what_is_older_than_the_retention(keys, settings, capsys):
    a, _ = keys
    log_rows(a, days_ago=100, count=7)
    log_rows(None, days_ago=95, count=3)
    log_rows(a, days_ago=10, count=2)
    settings.LAWBOT_LOG_RETENTION_DAYS = 90
    call_command("purge_logs", "--batch-size", "3")
    assert "Deleted 10 request logs older than 90 days." in capsys.readouterr().out
    assert RequestLog.objects.count() == 2
    call_command("purge_logs")  # again: nothing left to do
    assert "Deleted 0" in capsys.readouterr().out
    call_command("purge_logs", "--days", "5")
    assert RequestLog.objects.count() == 0


def test_purge_logs_keeps_everything_when_retention_is_zero(keys, settings, capsys):
    log_rows(keys[0], days_ago=1000)
    settings.LAWBOT_LOG_RETENTION_DAYS = 0
    call_command("purge_logs")
    assert RequestLog.objects.count() == 1
    assert "keep forever" in capsys.readouterr().out


def test_the_day_column_is_the_local_date(keys, settings):
    settings.TIME_ZONE = "Asia/Taipei"
    created = timezone.now().replace(hour=20, minute=0)  # 20:00 UTC is 04:00 next day in Taipei
    log = RequestLog.objects.create(
        request_id="r", path="/", status_code=200, created_at=created, api_key=keys[0]
    )
    assert log.day == (created + timedelta(hours=8)).date()
