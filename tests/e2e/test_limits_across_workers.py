"""Two daphne workers on one database and one Redis share every key's limits."""

import time

import openai
import pytest

from tests.e2e.conftest import manage, start_server

pytestmark = pytest.mark.e2e
ASK = [{"role": "user", "content": "勞基法第38條"}]


@pytest.fixture(scope="module")
def workers(lawbot_server_factory, redis_url):
    first = lawbot_server_factory(REDIS_URL=redis_url, LAWBOT_COMPOSER_DELAY_MS="40")
    second_url, second = start_server(first.env, first.var_dir / "daphne-2.log")
    yield first, second_url
    second.terminate()
    second.wait(timeout=10)


def eventually(call, seconds: float = 10):
    """call() once it stops failing: for what the server does right after a response ends."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return call()
        except (openai.APIStatusError, AssertionError, pytest.fail.Exception):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def key(server, *flags: str) -> str:
    name = f"shared-{time.monotonic_ns()}"
    args = ["create_api_key", "--user", "shared", "--name", name, *flags]
    return manage(server.env, *args).strip().splitlines()[-1]


def clients(urls: list[str], secret: str) -> list[openai.OpenAI]:
    return [openai.OpenAI(base_url=url, api_key=secret, max_retries=0) for url in urls]


def test_requests_per_minute_are_counted_across_workers(workers):
    first, second_url = workers
    a, b = clients([first.url, second_url], key(first, "--rpm", "2"))
    # The limit counts per clock minute: start well inside one so all three calls share it.
    left = 60 - time.time() % 60
    if left < 10:
        time.sleep(left + 0.1)
    a.chat.completions.create(model="lawbot-lite", messages=ASK)
    b.chat.completions.create(model="lawbot-lite", messages=ASK)
    with pytest.raises(openai.RateLimitError) as refused:
        a.chat.completions.create(model="lawbot-lite", messages=ASK)
    assert refused.value.code == "rate_limit_exceeded"


def test_a_stream_on_one_worker_holds_the_slot_on_the_other(workers):
    first, second_url = workers
    a, b = clients([first.url, second_url], key(first, "--max-concurrent", "1"))
    stream = a.chat.completions.create(model="lawbot-lite", messages=ASK, stream=True)
    next(iter(stream))
    with pytest.raises(openai.RateLimitError) as refused:
        b.chat.completions.create(model="lawbot-lite", messages=ASK)
    assert refused.value.code == "concurrency_limit_exceeded"
    for _chunk in stream:  # the stream finishes: its slot is free on every worker
        pass
    # The slot is released as the stream's last step, just after [DONE] reaches the client.
    assert eventually(lambda: b.chat.completions.create(model="lawbot-lite", messages=ASK)).choices


def test_the_token_budget_is_shared(workers):
    first, second_url = workers
    a, b = clients([first.url, second_url], key(first, "--tpd", "10"))
    streamed = a.chat.completions.create(model="lawbot-lite", messages=ASK, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)

    def refused():  # the tokens are counted as the stream's last step, just after [DONE]
        with pytest.raises(openai.RateLimitError) as error:
            b.chat.completions.create(
                model="lawbot-lite", messages=[{"role": "user", "content": "x"}]
            )
        return error.value

    assert eventually(refused).response.headers["x-should-retry"] == "false"
