"""Admission (lawbot_site.admission): API requests start a few at a time, in arrival order, and give
their place back at the response's first byte or before waiting on an upstream LLM."""

import asyncio
import json

import pytest
from asgiref.testing import ApplicationCommunicator

from lawbot_site.admission import admission_release, admitted
from lawbot_site.asgi import application
from tests.chat.answering.test_upstream import body

pytestmark = pytest.mark.asyncio
SCOPE = {"type": "http", "method": "GET", "path": "/v1/models", "headers": []}


class App:
    """A fake ASGI app that records when it was entered and starts its response on demand."""

    def __init__(self, name: str, entered: list[str]):
        self.name, self.entered, self.go = name, entered, asyncio.Event()

    async def __call__(self, scope, receive, send):
        self.entered.append(self.name)
        await self.go.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def sent(message):
    pass


async def settle() -> None:
    """Lets every runnable task run (a waiter on the semaphore cannot, however long)."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_requests_past_the_limit_wait_for_a_first_byte_in_arrival_order(settings):
    settings.LAWBOT_STARTING_REQUESTS = 1
    entered: list[str] = []
    apps = [App(name, entered) for name in ("a", "b", "c")]
    tasks = [asyncio.ensure_future(admitted(app, SCOPE, None, sent)) for app in apps]
    await settle()
    assert entered == ["a"]
    apps[0].go.set()  # a starts its response: b may start
    await settle()
    assert entered == ["a", "b"]
    apps[2].go.set()
    apps[1].go.set()
    await asyncio.gather(*tasks)
    assert entered == ["a", "b", "c"]


async def test_a_request_that_fails_before_its_first_byte_gives_its_place_back(settings):
    settings.LAWBOT_STARTING_REQUESTS = 1

    async def failing(scope, receive, send):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await admitted(failing, SCOPE, None, sent)
    entered: list[str] = []
    app = App("next", entered)
    app.go.set()
    await admitted(app, SCOPE, None, sent)
    assert entered == ["next"]


async def test_releasing_early_lets_the_next_request_start(settings):
    settings.LAWBOT_STARTING_REQUESTS = 1
    entered: list[str] = []
    slow = App("waits on an upstream", entered)

    async def releasing(scope, receive, send):
        admission_release()
        await slow(scope, receive, send)

    first = asyncio.ensure_future(admitted(releasing, SCOPE, None, sent))
    await settle()
    assert entered == ["waits on an upstream"]  # and holds no place any more
    second = App("second", entered)
    second.go.set()
    await admitted(second, SCOPE, None, sent)
    assert entered == ["waits on an upstream", "second"]
    slow.go.set()
    await first


@pytest.mark.django_db(transaction=True)
async def test_a_silent_upstream_does_not_hold_up_other_requests(
    settings,
    upstream,  # noqa: F811
    api_secret,
    corpus,
):
    settings.LAWBOT_STARTING_REQUESTS = 1
    settings.LAWBOT_LLM_TIMEOUT = 60.0  # longer than the test waits for the other request
    upstream.reset(fail="stall_headers")
    payload = json.dumps(body(stream=True)).encode()
    headers = [
        (b"authorization", f"Bearer {api_secret}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    scope = {**SCOPE, "method": "POST", "path": "/v1/chat/completions", "headers": headers}
    stalled = ApplicationCommunicator(application, scope)
    await stalled.send_input({"type": "http.request", "body": payload})
    while not upstream.requests:  # the request reached the upstream, which stays silent
        await asyncio.sleep(0.01)
    auth = [(b"authorization", f"Bearer {api_secret}".encode())]
    other = ApplicationCommunicator(application, {**SCOPE, "headers": auth})
    await other.send_input({"type": "http.request", "body": b""})
    start = await other.receive_output(timeout=10)
    assert start["type"] == "http.response.start" and start["status"] == 200
    upstream.release()
    await stalled.send_input({"type": "http.disconnect"})
    await stalled.wait(timeout=10)
