"""Usage aggregation over a million request logs (issue 6).

Builds a temporary SQLite database with the project's migrations, fills it with ROWS request logs
spread over 40 days and 50 keys, and times the queries behind the usage pages and the token
budget. Run: .venv/bin/python bench/usage_aggregation.py [ROWS]"""

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["LAWBOT_VAR_DIR"] = tempfile.mkdtemp(prefix="lawbot-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from asgiref.sync import async_to_sync  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q, Sum  # noqa: E402
from django.db.models.functions import TruncDate  # noqa: E402
from django.utils import timezone  # noqa: E402

from api_keys.limits import tokens_used_today  # noqa: E402
from api_keys.models import ApiKey, RequestLog  # noqa: E402
from api_keys.services import api_key_create  # noqa: E402
from api_keys.usage import usage_by_key_and_day, usage_since  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
KEYS, USERS, DAYS = 50, 10, 40


def fill() -> list[ApiKey]:
    users = [get_user_model().objects.create_user(f"user{i}") for i in range(USERS)]
    keys = [api_key_create(user=users[i % USERS], name=f"key{i}").api_key for i in range(KEYS)]
    rng = random.Random(6)
    now = timezone.now()
    columns = (
        "request_id, created_at, day, api_key_id, user_id, path, model, status_code, streamed, "
        "client_closed, finish_reason, latency_ms, first_token_ms, prompt_tokens, "
        "completion_tokens, error_code, error_message, question, answer"
    )
    insert = f"INSERT INTO api_keys_requestlog ({columns}) VALUES ({', '.join(['%s'] * 19)})"
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(ROWS):
            key = keys[rng.randrange(KEYS)]
            created = now - timedelta(seconds=rng.randrange(DAYS * 86400))
            failed = rng.random() < 0.05
            batch.append(
                (
                    f"req_{i:024x}",
                    created.strftime("%Y-%m-%d %H:%M:%S.%f"),  # how Django stores UTC in SQLite
                    timezone.localdate(created).isoformat(),
                    key.pk,
                    key.user_id,
                    "/v1/chat/completions",
                    rng.choice(("lawbot-pro", "lawbot-lite")),
                    429 if failed else 200,
                    True,
                    False,
                    "" if failed else "stop",
                    rng.randrange(200, 4000),
                    rng.randrange(20, 400),
                    0 if failed else rng.randrange(10, 200),
                    0 if failed else rng.randrange(100, 1500),
                    "rate_limit_exceeded" if failed else "",
                    "",
                    "",
                    "",
                )
            )
            if len(batch) == 20_000:
                cursor.executemany(insert, batch)
                batch.clear()
        cursor.executemany(insert, batch)
    return keys


def timed(label: str, run, repeat: int = 5) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    print(f"{label:<58} median {statistics.median(times):8.1f} ms  ({result})")


def naive_by_created_at():
    # What the day column saves: grouping on the local date computed from created_at.
    return list(
        RequestLog.objects.filter(created_at__date__gte=usage_since())
        .annotate(d=TruncDate("created_at"))
        .values("api_key_id", "d")
        .annotate(
            n=Count("id"), t=Sum("prompt_tokens"), e=Count("id", filter=Q(status_code__gte=400))
        )
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    keys = fill()
    print(
        f"{ROWS:,} request logs, {KEYS} keys, {DAYS} days: filled in {time.perf_counter() - start:.0f} s"
    )
    print(f"SQLite {connection.Database.sqlite_version}, database {os.environ['LAWBOT_VAR_DIR']}")
    one_user = [k for k in keys if k.user_id == keys[0].user_id]
    timed("admin usage page: every key, 30 days", lambda: len(usage_by_key_and_day()))
    timed(
        f"user's keys page: one user's {len(one_user)} keys, 30 days",
        lambda: len(usage_by_key_and_day(keys=one_user)),
    )
    timed("key page: one key, 30 days", lambda: len(usage_by_key_and_day(keys=[keys[0]])))
    timed("token budget seed: one key, today", lambda: async_to_sync(tokens_used_today)(keys[0]))
    timed(
        "(for comparison) every key, grouped on created_at dates",
        lambda: len(naive_by_created_at()),
        repeat=1,
    )
    with connection.cursor() as cursor:
        sql, params = RequestLog.objects.usage_by_day(since=usage_since()).query.sql_with_params()
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        print("plan (every key):", "; ".join(row[-1] for row in cursor.fetchall()))


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(os.environ["LAWBOT_VAR_DIR"], ignore_errors=True)
