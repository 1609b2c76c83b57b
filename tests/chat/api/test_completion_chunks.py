"""A streamed completion's content chunks, encoded around the text only, are byte for byte what
encoding the whole chunk gives."""

from types import SimpleNamespace

import pytest

from chat.api.completion_wire import Completion
from chat.sse import sse


@pytest.mark.parametrize("include_usage", [False, True])
@pytest.mark.parametrize(
    "text",
    ["依勞動基準法", 'a "quoted" \\ back\nslash', "line\u2028sep\x85next\u2029", "😀 \ufffe", ""],
)
def test_content_chunk_is_the_whole_chunk_encoded(text, include_usage):
    request = SimpleNamespace(model="lawbot-pro", include_usage=include_usage)
    completion = Completion(request, None, None, "chatcmpl-abc", 1700000000)
    for _ in range(2):  # the frame is made once, then reused
        assert completion.content_sse(text) == sse(completion.chunk({"content": text}))
