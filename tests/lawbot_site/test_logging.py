"""The server's log says what happened to requests, not each upstream call's HTTP line."""

import logging

import httpx


def test_upstream_http_calls_are_not_logged_at_info(caplog):
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    with caplog.at_level(logging.INFO), httpx.Client(transport=transport) as client:
        client.get("http://upstream.test/v1/models")
    assert not [r for r in caplog.records if r.name.startswith(("httpx", "httpcore"))]
    # a warning still gets through
    assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)
