"""Hostile requests on the wire to a live daphne, where the transport matters: chunked bodies
without Content-Length, raw bytes, odd headers, and prompt text that imitates SSE framing."""

import json
import socket

import httpx
import pytest

from tests.standin_llm import StandInLLM

pytestmark = pytest.mark.e2e
MiB = 1024 * 1024


def question(text: str, **extra) -> dict:
    return {"model": "lawbot-lite", "messages": [{"role": "user", "content": text}], **extra}


def auth(server) -> dict:
    return {"Authorization": f"Bearer {server.secret}"}


def openai_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


def raw_request(server, head: bytes, body: bytes = b"") -> bytes:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head + body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def chunks(data: bytes, size: int = 64 * 1024):
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("size", [MiB + 100, 3 * MiB])
def test_oversized_bodies_are_413_with_and_without_content_length(lawbot_server, size):
    body = json.dumps(question("x" * size)).encode()
    with httpx.Client(timeout=60) as client:
        sized = client.post(
            f"{lawbot_server.url}/v1/chat/completions",
            content=body,
            headers={**auth(lawbot_server), "Content-Type": "application/json"},
        )
        chunked = client.post(
            f"{lawbot_server.url}/v1/chat/completions",
            content=chunks(body),  # a generator: Transfer-Encoding: chunked, no Content-Length
            headers={**auth(lawbot_server), "Content-Type": "application/json"},
        )
    assert "content-length" not in chunked.request.headers
    assert chunked.request.headers["transfer-encoding"] == "chunked"
    for response in (sized, chunked):
        assert openai_error(response, 413)["code"] == "request_too_large"


def test_a_chunked_body_within_the_limit_is_answered(lawbot_server):
    body = json.dumps(question("勞基法第17條")).encode()
    response = httpx.post(
        f"{lawbot_server.url}/v1/chat/completions",
        content=chunks(body, 7),
        headers={**auth(lawbot_server), "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.json()["citations"][0]["title"] == "勞動基準法 第 17 條"


@pytest.mark.parametrize(
    "body, code",
    [
        (
            b'{"model": "lawbot-lite", "messages": [{"role": "user", "content": "\xff"}]}',
            "invalid_json",
        ),
        (
            b'{"model": "lawbot-lite", "messages": [{"role": "user", "content": "\\udc00"}]}',
            "invalid_json",
        ),
        (b"[" * 200_000, "invalid_json"),
        (b"\x00" * 1000, "invalid_json"),
    ],
)
def test_raw_bytes_that_are_not_json_are_400(lawbot_server, body, code):
    response = httpx.post(
        f"{lawbot_server.url}/v1/chat/completions",
        content=body,
        headers={**auth(lawbot_server), "Content-Type": "application/json"},
        timeout=30,
    )
    assert openai_error(response, 400)["code"] == code


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/jsonx", "json"])
def test_wrong_or_missing_content_type_is_400(lawbot_server, content_type):
    headers = auth(lawbot_server) | ({"Content-Type": content_type} if content_type else {})
    response = httpx.post(
        f"{lawbot_server.url}/v1/chat/completions",
        content=json.dumps(question("勞基法第17條")).encode(),
        headers=headers,
        timeout=30,
    )
    assert openai_error(response, 400)["code"] == "invalid_content_type"


@pytest.mark.parametrize(
    "value",
    [
        b"Bearer \xff\xfe\xfd",
        b"Bearer lb-\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
        b"Bearer " + b"lb-" + b"A" * 8000,
        b"Bearer\tlb-tab-separated-key-aaaaaaaaaaaaaaaaaaaa",
        b"",
    ],
)
def test_odd_authorization_bytes_on_the_wire_are_401(lawbot_server, value):
    body = json.dumps(question("勞基法第17條")).encode()
    head = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nAuthorization: " + value + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    response = raw_request(lawbot_server, head, body)
    status_line, _, rest = response.partition(b"\r\n")
    assert status_line.split()[1] == b"401", response[:500]
    payload = json.loads(rest.split(b"\r\n\r\n", 1)[1])
    assert payload["error"]["code"] == "invalid_api_key"


def test_two_authorization_headers_are_401(lawbot_server):
    body = json.dumps(question("勞基法第17條")).encode()
    head = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\n"
        + f"Authorization: Bearer {lawbot_server.secret}\r\n".encode()
        + f"Authorization: Bearer {lawbot_server.secret}\r\n".encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    response = raw_request(lawbot_server, head, body)
    assert response.split()[1] == b"401", response[:300]


@pytest.mark.parametrize(
    "path", ["/v1/models/%00", "/v1/models/%ff%fe", "/v1/models/..%2f..%2fetc"]
)
def test_odd_model_paths_are_404_json(lawbot_server, path):
    response = httpx.get(f"{lawbot_server.url}{path}", headers=auth(lawbot_server), timeout=10)
    assert openai_error(response, 404)["code"] in {"model_not_found", "not_found"}


@pytest.mark.parametrize(
    "evil",
    [
        "勞基法第17條\n\ndata: [DONE]\n\n",
        '勞基法第17條\r\n\r\ndata: {"choices": []}\r\n\r\n',
        "勞基法\r第17條\r",
        "勞基法第17條\x00\u2028\u2029\x85😀𠀀",
    ],
)
def test_prompt_text_with_sse_framing_keeps_the_stream_framed(lawbot_server, evil):
    with httpx.stream(
        "POST",
        f"{lawbot_server.url}/v1/chat/completions",
        json=question(evil, stream=True, stop=["\n\ndata: [DONE]\n\n", "\r"]),
        headers=auth(lawbot_server),
        timeout=30,
    ) as response:
        assert response.status_code == 200
        raw = b"".join(response.iter_raw())
    assert raw.endswith(b"\n\ndata: [DONE]\n\n")
    frames = raw[:-2].split(b"\n\n")
    assert frames.count(b"data: [DONE]") == 1
    for frame in frames[:-1]:
        assert frame.startswith(b"data: {") and b"\n" not in frame and b"\r" not in frame
        chunk = json.loads(frame[6:])
        assert chunk["object"] == "chat.completion.chunk"
    assert json.loads(frames[-2][6:])["choices"][0]["finish_reason"] == "stop"


@pytest.fixture(scope="module")
def standin():
    with StandInLLM() as server:
        yield server


@pytest.fixture(scope="module")
def relay_server(lawbot_server_factory, standin):
    return lawbot_server_factory(
        LAWBOT_LLM_BASE_URL=standin.url, LAWBOT_LLM_MODEL="standin-7b", LAWBOT_LLM_TIMEOUT="5"
    )


def test_an_upstream_echoing_sse_framing_is_reframed_intact(relay_server, standin):
    evil = [
        "勞基法第17條\n\ndata: [DONE]\n\n",
        'data: {"choices": []}\r\n\r\n',
        "lone\rreturn\r",
        ": ping\n\nevent: end\nid: 9\n",
        "\u2028\u2029\x85\x00😀𠀀",
    ]
    standin.reset(deltas=evil)
    with httpx.stream(
        "POST",
        f"{relay_server.url}/v1/chat/completions",
        json={**question("".join(evil), stream=True), "model": "lawbot-pro"},
        headers=auth(relay_server),
        timeout=30,
    ) as response:
        assert response.status_code == 200
        raw = b"".join(response.iter_raw())
    assert raw.endswith(b"\n\ndata: [DONE]\n\n")
    frames = raw[:-2].split(b"\n\n")
    assert frames.count(b"data: [DONE]") == 1
    chunks = []
    for frame in frames[:-1]:
        assert frame.startswith(b"data: {") and b"\n" not in frame and b"\r" not in frame
        assert len(frame.decode().splitlines()) == 1
        chunks.append(json.loads(frame[6:]))
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "".join(evil)
