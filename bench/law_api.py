"""Latency of the REST resources and the MCP tools on one live daphne (synthetic corpus, SQLite),
sequential requests from one client, next to GET /models (the API's lightest keyed request).

usage: .venv/bin/python bench/law_api.py [--requests 200]"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.relay import percentile  # noqa: E402
from tests.corpus import write_corpus  # noqa: E402
from tests.e2e.conftest import manage, server_env, start_server  # noqa: E402

MCP_HEADERS = {
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-11-25",
}


def mcp_call(name: str, arguments: dict) -> tuple[str, str, dict]:
    return (
        "POST",
        "/mcp",
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments},
        },
    )


CASES = {
    "GET /v1/models": ("GET", "/v1/models", None),
    "GET /v1/laws?q=勞基法": ("GET", "/v1/laws?q=勞基法", None),
    "GET /v1/laws/N0030001": ("GET", "/v1/laws/N0030001", None),
    "GET /v1/laws/N0030001/articles/2": ("GET", "/v1/laws/N0030001/articles/2", None),
    "GET /v1/articles/resolve": ("GET", "/v1/articles/resolve?cite=勞基法第2條第1項第4款", None),
    "GET /v1/search": ("GET", "/v1/search?q=資遣費怎麼算", None),
    "POST /v1/calculations": (
        "POST",
        "/v1/calculations",
        {"kind": "severance", "monthly_wage": 45000, "hired": "2015-03-01", "left": "2024-02-29"},
    ),
    "MCP resolve_citation": mcp_call("resolve_citation", {"citation": "勞基法第38條"}),
    "MCP search_laws": mcp_call("search_laws", {"query": "資遣費怎麼算"}),
    "MCP ask_lawbot (lite)": mcp_call(
        "ask_lawbot", {"question": "請說明勞動基準法中的資遣費計算方式", "model": "lawbot-lite"}
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        env = server_env(var)
        manage(env, "migrate", "-v0")
        manage(env, "import_laws", "--no-progress", *write_corpus(var / "corpus"))
        secret = (
            manage(env, "create_api_key", "--user", "b", "--name", "b").strip().splitlines()[-1]
        )
        url, process = start_server(env, var / "daphne.log")
        try:
            with httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {secret}"}
            ) as client:
                print(f"{'request':36} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
                for label, (method, path, body) in CASES.items():
                    headers = MCP_HEADERS if path == "/mcp" else {}
                    times = []
                    for i in range(args.requests + 5):
                        started = time.perf_counter()
                        response = client.request(method, path, json=body, headers=headers)
                        elapsed = (time.perf_counter() - started) * 1000
                        assert response.status_code == 200, response.text
                        if i >= 5:  # warm-up
                            times.append(elapsed)
                    print(
                        f"{label:36} {percentile(times, 50):8.1f} {percentile(times, 95):8.1f} "
                        f"{statistics.fmean(times):8.1f}"
                    )
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
