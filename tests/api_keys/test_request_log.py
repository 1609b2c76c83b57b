import pytest

from api_keys.models import RequestLog
from tests.api_client import SEED, KeyClient, body, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def client(api_secret, corpus) -> KeyClient:
    return KeyClient(api_secret)


@pytest.mark.parametrize("stream", [False, True])
async def test_the_log_keeps_question_and_answer_by_default(client, stream):
    response = await post(client, body(stream=stream))
    if stream:
        [chunk async for chunk in response.streaming_content]
    log = await RequestLog.objects.aget(request_id=response["x-request-id"])
    assert log.question == SEED and "資遣費" in log.answer
    assert log.prompt_tokens > 0 and log.completion_tokens > 0 and log.streamed == stream


@pytest.mark.parametrize("stream", [False, True])
async def test_content_logging_off_keeps_everything_but_the_text(client, settings, stream):
    settings.LAWBOT_LOG_CONTENT = False
    response = await post(client, body(stream=stream))
    if stream:
        [chunk async for chunk in response.streaming_content]
    log = await RequestLog.objects.aget(request_id=response["x-request-id"])
    assert (log.question, log.answer) == ("", "")
    assert log.status_code == 200 and log.completion_tokens > 0 and log.finish_reason == "stop"
