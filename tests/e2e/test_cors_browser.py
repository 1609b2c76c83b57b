"""CORS from a real Chromium page on another origin (another port) calling the API with fetch:
allowed when LAWBOT_CORS_ORIGINS lists the page's origin (preflight answered), refused otherwise."""

import http.server
import threading

import pytest

from tests.e2e.conftest import free_port
from tests.e2e.test_keys_browser import CHROMIUM, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e
APP = b"<!doctype html><html><head><meta charset='utf-8'><title>app</title></head><body></body></html>"
CALL = """async ([url, key]) => {
  try {
    const response = await fetch(url + "/v1/responses", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + key },
      body: JSON.stringify({ model: "lawbot-lite", input: "勞基法第38條", stream: true }),
    });
    const text = await response.text();
    return { status: response.status, requestId: response.headers.get("x-request-id"),
             completed: text.includes("event: response.completed") };
  } catch (error) {
    return { error: String(error) };
  }
}"""


@pytest.fixture(scope="module")
def app_origin():
    """A page on another origin: a plain static server on its own port."""

    class App(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(APP)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), App)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def cors_server(lawbot_server_factory, app_origin):
    return lawbot_server_factory(LAWBOT_CORS_ORIGINS=app_origin)


def call_from_app(browser, app_origin, server) -> dict:  # noqa: F811
    page = browser.new_page()
    try:
        page.goto(app_origin + "/")
        return page.evaluate(CALL, [server.url, server.secret])
    finally:
        page.close()


def test_a_listed_origin_calls_the_api_from_the_browser(browser, app_origin, cors_server):  # noqa: F811
    seen = call_from_app(browser, app_origin, cors_server)
    assert seen.get("status") == 200, seen
    assert seen["completed"] and seen["requestId"].startswith("req_")  # exposed header


def test_without_cors_origins_the_browser_refuses(browser, app_origin, lawbot_server):  # noqa: F811
    seen = call_from_app(browser, app_origin, lawbot_server)
    assert "error" in seen and "Failed to fetch" in seen["error"]
