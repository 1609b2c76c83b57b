"""Which paths take the lean API handler (no session, CSRF or locale middleware)."""

import pytest

from lawbot_site.routing import MCP_PATHS, is_api_path, takes_lean_handler


@pytest.mark.parametrize(
    "path",
    [
        "/v1/laws",
        "/laws/N0030001/articles/10-1",
        "/v1/articles/resolve",
        "/search",
        "/v1/calculations",
        "/chat/completions",
        "/v1/mcp",
    ],
)
def test_api_paths_take_the_lean_handler(path):
    assert takes_lean_handler(path) and is_api_path(path)


@pytest.mark.parametrize(
    "path", ["/", "/c/1/", "/keys/", "/admin/", "/api/ui/ask", "/accounts/login/"]
)
def test_page_paths_keep_the_page_middleware(path):
    assert not takes_lean_handler(path)


def test_mcp_is_served_at_the_root_and_under_v1():
    assert MCP_PATHS == ("/mcp", "/v1/mcp")
