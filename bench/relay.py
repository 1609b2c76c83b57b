"""Relay overhead: time to first chunk through Lawbot (lawbot-pro → stand-in upstream) against the
stand-in upstream directly, in one run.

usage: .venv/bin/python bench/relay.py [--requests 200]
Everything runs on 127.0.0.1: the stand-in LLM (tests/standin_llm.py) in a thread, one daphne."""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.corpus import write_corpus  # noqa: E402
from tests.e2e.conftest import manage, server_env, start_server  # noqa: E402
from tests.standin_llm import StandInLLM  # noqa: E402

QUESTION = "請說明勞動基準法中的資遣費計算方式"


def first_chunk_ms(client: httpx.Client, url: str, body: dict, headers: dict) -> float:
    started, elapsed = time.perf_counter(), None
    with client.stream("POST", url, json=body, headers=headers) as response:
        for line in response.iter_lines():  # read to the end, timing the first content delta
            if elapsed is None and line.startswith("data: {"):
                choices = json.loads(line[6:]).get("choices") or [{}]
                if choices[0].get("delta", {}).get("content"):  # the first chunk is only the role
                    elapsed = (time.perf_counter() - started) * 1000
    return elapsed


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with StandInLLM() as standin, tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        env = server_env(var, LAWBOT_LLM_BASE_URL=standin.url, LAWBOT_LLM_MODEL="standin-7b")
        manage(env, "migrate", "-v0")
        manage(env, "import_laws", "--no-progress", *write_corpus(var / "corpus"))
        secret = (
            manage(env, "create_api_key", "--user", "b", "--name", "b").strip().splitlines()[-1]
        )
        url, process = start_server(env, var / "daphne.log")
        body = {
            "model": "lawbot-pro",
            "stream": True,
            "messages": [{"role": "user", "content": QUESTION}],
        }
        direct_body = {**body, "model": "standin-7b"}
        try:
            with httpx.Client(timeout=30) as client:
                for _ in range(10):  # warm-up: connections, index pages, the upstream client
                    first_chunk_ms(
                        client,
                        f"{url}/v1/chat/completions",
                        body,
                        {"Authorization": f"Bearer {secret}"},
                    )
                direct, relayed = [], []
                for _ in range(args.requests):  # interleaved, so both see the same machine load
                    direct.append(
                        first_chunk_ms(client, f"{standin.url}/chat/completions", direct_body, {})
                    )
                    relayed.append(
                        first_chunk_ms(
                            client,
                            f"{url}/v1/chat/completions",
                            body,
                            {"Authorization": f"Bearer {secret}"},
                        )
                    )
        finally:
            process.terminate()
            process.wait()
    added = [r - d for r, d in zip(relayed, direct, strict=True)]
    print(f"{args.requests} streamed requests each way, interleaved")
    print(
        f"  stand-in directly: first content chunk p50 {statistics.median(direct):.2f} ms, p99 {percentile(direct, 99):.2f} ms"
    )
    print(
        f"  through Lawbot:    first content chunk p50 {statistics.median(relayed):.2f} ms, p99 {percentile(relayed, 99):.2f} ms"
    )
    print(
        f"  added by Lawbot (auth, retrieval, prompt, relay): p50 {statistics.median(added):.2f} ms"
    )


if __name__ == "__main__":
    main()
