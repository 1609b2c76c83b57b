"""The pinned `openai` npm package and a raw fetch reader, run by Node against daphne."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
NODE_DIR = Path(__file__).resolve().parents[1] / "node"
SEED = "請說明勞動基準法中的資遣費計算方式"


def run_node(script: str, *args: str) -> dict:
    assert shutil.which("node"), "Node.js is required for these tests"
    assert (NODE_DIR / "node_modules" / "openai").exists(), (
        "run `make test`: it installs tests/node"
    )
    result = subprocess.run(
        ["node", script, *args], cwd=NODE_DIR, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_node_sdk_for_await_and_stream_helper(lawbot_server):
    seen = run_node("stream.mjs", lawbot_server.url, lawbot_server.secret, SEED)
    assert seen["chunks"] > 10
    assert "勞動基準法 第 17 條" in seen["text"]
    assert {"勞動基準法 第 17 條", "勞工退休金條例 第 12 條"} <= set(seen["citations"])
    assert seen["usage"]["total_tokens"] > 0
    assert "資遣費" in seen["final"] and seen["finalFinish"] == "stop"
    assert seen["errorStatus"] == 401


def test_raw_fetch_reader(lawbot_server):
    seen = run_node("fetch_reader.mjs", lawbot_server.url, lawbot_server.secret, SEED)
    assert seen["status"] == 200 and seen["done"]
    assert "勞工退休金條例 第 12 條" in seen["text"]
    assert seen["reads"] > 1  # the body arrived in several reads, not at once


def test_node_sdk_responses_create_streamed(lawbot_server):
    seen = run_node("responses.mjs", lawbot_server.url, lawbot_server.secret, SEED)
    assert seen["types"][0] == "response.created" and seen["types"][-1] == "response.completed"
    assert seen["types"].count("response.output_text.delta") > 10
    assert seen["text"] == seen["finalText"] == seen["storedText"]
    assert "勞動基準法 第 17 條" in seen["citations"]
