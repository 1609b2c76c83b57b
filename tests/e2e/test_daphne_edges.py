"""What daphne itself would do before or after Lawbot sees a request: parse multipart bodies (and
answer a malformed one with Twisted's bare 400), drop a request line too long without a word,
and log query strings (where a key may be)."""

import json
import socket

import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_a_malformed_multipart_body_gets_openai_json(lawbot_server):
    response = httpx.post(
        f"{lawbot_server.url}/v1/chat/completions",
        content=b"--x\r\nnot a part at all",
        headers={
            "Authorization": f"Bearer {lawbot_server.secret}",
            "Content-Type": "multipart/form-data; boundary=x",
        },
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_content_type"


def test_an_api_key_in_a_query_string_stays_out_of_the_access_log(lawbot_server):
    secret = "lb-querystringsecret-0123456789abcdef"
    httpx.get(f"{lawbot_server.url}/v1/models?api_key={secret}", timeout=30)
    httpx.get(f"{lawbot_server.url}/healthz", timeout=30)  # a line after it, so it is flushed
    log = (lawbot_server.var_dir / "daphne.log").read_text()
    assert "/v1/models?…" in log
    assert secret not in log


def _raw(server, request: bytes) -> bytes:
    """The server's whole answer to bytes sent as they are (httpx would refuse to send some)."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def _status_and_error(answer: bytes) -> tuple[int, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)["error"]


def test_a_request_line_too_long_gets_414_in_openai_json(lawbot_server):
    # Twisted's line reader used to drop the connection without a word (the fuzz run's
    # "Remote end closed connection without response").
    query = "%F0%9F%8F%BB" * 2000
    answer = _raw(lawbot_server, f"GET /v1/search?q={query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    status, error = _status_and_error(answer)
    assert status == 414
    assert error["code"] == "uri_too_long"
    assert "POST" in error["message"]


def test_headers_too_large_get_431_in_openai_json(lawbot_server):
    headers = "".join(f"X-Filler-{i}: {'a' * 1000}\r\n" for i in range(20))
    answer = _raw(lawbot_server, f"GET /v1/models HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    status, error = _status_and_error(answer)
    assert status == 431
    assert error["code"] == "headers_too_large"


def test_a_malformed_request_line_gets_400_in_openai_json(lawbot_server):
    status, error = _status_and_error(_raw(lawbot_server, b"GET\r\n\r\n"))
    assert status == 400
    assert error["code"] == "bad_request"
