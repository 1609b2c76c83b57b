"""Parse time of Chat Completions request bodies: the strict JSON reader plus validation.

Per call, the best of 9 runs, in CPU time of this process (the machine is shared: wall time
would count other people's work). Run: .venv/bin/python bench/chat_request.py
"""

import contextlib
import functools
import json
import os
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")

import django  # noqa: E402

django.setup()

from chat.api.chat_request import parse_chat_request  # noqa: E402
from chat.api.errors import ApiError  # noqa: E402

QUESTION = "2003年3月1日到職，月薪45000，公司說要資遣我，資遣費怎麼算？"
TURNS = [
    {"role": "user", "content": QUESTION},
    {"role": "assistant", "content": "依勞工退休金條例第 12 條，資遣費… [1]" * 20},
]


def encoded(body: dict, ensure_ascii: bool = True) -> bytes:
    return json.dumps(body, ensure_ascii=ensure_ascii).encode()


BODIES = {
    # What the openai Python SDK sends for a plain question (it escapes non-ASCII).
    "typical: system + user": encoded(
        {
            "model": "lawbot-pro",
            "messages": [
                {"role": "system", "content": "Answer in Traditional Chinese."},
                {"role": "user", "content": QUESTION},
            ],
        }
    ),
    "typical streamed, with options": encoded(
        {
            "model": "lawbot-pro",
            "messages": [{"role": "user", "content": QUESTION}],
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": 0.2,
            "max_completion_tokens": 800,
            "stop": ["\n\n\n"],
            "user": "u-123",
        }
    ),
    "20 turns, text parts": encoded(
        {
            "model": "lawbot-lite",
            "messages": TURNS * 9
            + [{"role": "user", "content": [{"type": "text", "text": QUESTION}] * 2}],
        },
        ensure_ascii=False,
    ),
    "1000 messages": encoded({"model": "lawbot-lite", "messages": TURNS[:1] * 1000}),
    "one 960 KB message": encoded(
        {"model": "lawbot-lite", "messages": [{"role": "user", "content": "勞動基準法" * 64_000}]},
        ensure_ascii=False,
    ),
    "refused: temperature 3": encoded(
        {"model": "lawbot-pro", "messages": TURNS[:1], "temperature": 3}
    ),
    "refused: unknown field": encoded({"model": "lawbot-pro", "messages": TURNS[:1], "foo": 1}),
}


def parse(raw: bytes) -> None:
    with contextlib.suppress(ApiError):
        parse_chat_request(raw, "application/json")


def main() -> None:
    for name, raw in BODIES.items():
        number = max(1, 20_000 // (1 + len(raw) // 500))
        runs = timeit.repeat(
            functools.partial(parse, raw), number=number, repeat=9, timer=time.process_time
        )
        best = min(runs) / number
        print(f"{name:34} {len(raw):>9,} B  {best * 1e6:10.1f} µs")


if __name__ == "__main__":
    main()
