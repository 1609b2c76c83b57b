"""A 1 MiB question is answered without freezing the worker: /healthz keeps answering meanwhile."""

import json
import threading
import time

import httpx
import pytest

pytestmark = pytest.mark.e2e
# The audit's body: a wage repeated to fill the 1 MiB limit (the calculators read every number).
QUESTION = "月薪4萬5 " * 86_000  # 1,032,000 bytes of UTF-8


def test_healthz_answers_while_a_1_mib_question_is_processed(lawbot_server):
    body = json.dumps(
        {"model": "lawbot-lite", "messages": [{"role": "user", "content": QUESTION}]},
        ensure_ascii=False,
    ).encode()
    assert len(body) <= 1024 * 1024
    result: dict = {}

    def ask() -> None:
        result["response"] = httpx.post(
            f"{lawbot_server.url}/v1/chat/completions",
            content=body,
            headers={
                "Authorization": f"Bearer {lawbot_server.secret}",
                "Content-Type": "application/json",
            },
            timeout=120,
        )

    asking = threading.Thread(target=ask)
    latencies = []
    with httpx.Client(timeout=30) as probe:
        probe.get(f"{lawbot_server.url}/healthz")  # connected before the question arrives
        asking.start()
        while asking.is_alive():
            started = time.perf_counter()
            assert probe.get(f"{lawbot_server.url}/healthz").status_code == 200
            latencies.append(time.perf_counter() - started)
    asking.join()
    assert result["response"].status_code == 200, result["response"].text
    assert latencies, "the question was answered before a probe could be sent"
    # A generous bound for a shared machine (bench/leaks.py measures the 50 ms target); before
    # the calculators were bounded, the probe waited ~9 s behind the question.
    assert max(latencies) < 1.0, latencies
