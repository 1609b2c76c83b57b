"""Stored completions and responses (issue 15): the cost of storing one and of the list, page and
lookup queries behind GET /chat/completions and /responses/{id}, over many stored answers.

Builds a temporary SQLite database with the project's migrations, stores ROWS answers (chat
completions and responses, half of them with metadata) for USERS users, then times the
queries. Run: .venv/bin/python bench/history.py [ROWS]"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["LAWBOT_VAR_DIR"] = tempfile.mkdtemp(prefix="lawbot-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from api_keys.services import api_key_create  # noqa: E402
from chat.api.pagination import PageQuery, paginate  # noqa: E402
from chat.api.stored_completions import stored_completion_json  # noqa: E402
from chat.history import (  # noqa: E402
    StoredAnswer,
    StoredInput,
    answer_find,
    answers_of,
    api_answer_store,
    with_metadata,
)

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
USERS = 10
ANSWER = "依勞動基準法第 17 條[1]，雇主應發給資遣費。" * 20


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    print(f"{name:58} p50 {statistics.median(ordered):7.2f} ms  p95 {p95:7.2f} ms")


def main() -> None:
    call_command("migrate", verbosity=0)
    users = [get_user_model().objects.create_user(f"user{i}") for i in range(USERS)]
    keys = [api_key_create(user=user, name="bench").api_key for user in users]
    ids: list[str] = []

    def store(i: int) -> None:
        prefix = "chatcmpl-" if i % 2 else "resp_"
        public_id = f"{prefix}{i:012d}"
        ids.append(public_id)
        api_answer_store(
            api_key=keys[i % USERS],
            inputs=[StoredInput("user", "請說明資遣費的計算方式", f"{public_id}-0")],
            answer=StoredAnswer(
                public_id,
                ANSWER,
                "lawbot-lite",
                "complete",
                [],
                {"n": str(i % 4)} if i % 2 else {},
                {},
            ),
            question="請說明資遣費的計算方式",
        )

    start = time.perf_counter()
    stores = [timed(lambda i=i: store(i), 1)[0] for i in range(ROWS)]
    print(f"{ROWS} answers stored in {time.perf_counter() - start:.1f} s")
    report("api_answer_store (one answer + its input, a new conversation)", stores)
    owner = users[1].pk
    mine = answers_of(owner, "chatcmpl-")
    middle = ids[ROWS // 2 + 1]
    report(
        "GET /chat/completions (first page, 20)",
        timed(lambda: paginate(mine, PageQuery(None, 20, "asc"), stored_completion_json), 50),
    )
    report(
        "GET /chat/completions?order=desc&limit=100",
        timed(lambda: paginate(mine, PageQuery(None, 100, "desc"), stored_completion_json), 50),
    )
    report(
        "GET /chat/completions?after=<middle>",
        timed(lambda: paginate(mine, PageQuery(middle, 20, "asc"), stored_completion_json), 50),
    )
    report(
        "GET /chat/completions?metadata[n]=1",
        timed(
            lambda: paginate(
                with_metadata(mine, {"n": "1"}), PageQuery(None, 20, "asc"), stored_completion_json
            ),
            50,
        ),
    )
    report(
        "GET /chat/completions/{id} (lookup)",
        timed(lambda: answer_find(owner_id=owner, public_id=middle, prefix="chatcmpl-"), 200),
    )


main()
