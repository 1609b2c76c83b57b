"""What daphne itself would do before or after Lawbot sees a request: parse multipart bodies (and
answer a malformed one with Twisted's bare 400), and log query strings (where a key may be)."""

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
