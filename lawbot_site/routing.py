"""Which paths are the API's: the one list that the ASGI split, the 404/500 handlers and the
not-found middleware share."""

# Served at the root and under /v1 (SPEC: the SDKs append paths to whatever base_url they get).
API_ROOTS = (
    "chat/completions",
    "responses",
    "models",
    "healthz",
    "openapi.json",
    # The REST resources (chat/api/rest) and the MCP endpoint (chat/api/mcp).
    "laws",
    "articles",
    "search",
    "calculations",
    "mcp",
)
LEAN_PREFIXES = tuple(f"/{root}" for root in API_ROOTS) + tuple(f"/v1/{root}" for root in API_ROOTS)


# The MCP endpoint is an ASGI app of its own (the MCP SDK's transport), not a Django view.
MCP_PATHS = ("/mcp", "/v1/mcp")


def is_api_path(path: str) -> bool:
    """Everything under /v1 and the root-level API endpoints: errors there are OpenAI JSON."""
    return path.startswith("/v1/") or path.startswith(LEAN_PREFIXES)


def takes_lean_handler(path: str) -> bool:
    """API endpoints authenticated by key: no session, CSRF or locale middleware (see asgi.py)."""
    return path.startswith(LEAN_PREFIXES)
