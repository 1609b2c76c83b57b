"""Relay overhead, side by side in one run: the stand-in upstream directly, a minimal asyncio relay
(the floor, bench/floor_relay.py), Lawbot (lawbot-pro → the stand-in) and LiteLLM's proxy (the
gateway people pick instead), all against the same stand-in, requests alternating between them.

usage: .venv/bin/python bench/relay.py [--requests 200] [--deltas 100] [--corpus A.zip,B.zip]
       [--baseline DIR]
LiteLLM runs from bench/.venv-litellm (bench/litellm_venv.sh installs it; without it the run
says so and leaves LiteLLM out). Everything runs on 127.0.0.1.

For each server: the time to the first content chunk and to the end of the stream, minus the
stand-in's own in the same round (the overhead), and the server's CPU per request from /proc
(utime + stime, warm-up excluded), which the machine's load barely moves. --baseline DIR adds
a Lawbot worker running the code in DIR (e.g. `git archive <commit> | tar -x -C DIR`): before
and after in one run."""

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import corpus_load, cpu_seconds, free_port, start_daphne  # noqa: E402
from tests.corpus import write_corpus  # noqa: E402
from tests.e2e.conftest import manage, server_env  # noqa: E402
from tests.standin_llm import StandInLLM  # noqa: E402

QUESTION = "請說明勞動基準法中的資遣費計算方式"
LITELLM_KEY = "sk-bench-" + secrets.token_hex(16)
LITELLM = ROOT / "bench" / ".venv-litellm" / "bin" / "litellm"


def wait_listening(port: int, process: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


def timed_stream(client: httpx.Client, url: str, body: dict, headers: dict) -> tuple[float, float]:
    """(ms to the first content delta, ms to the end of the stream)."""
    started, first = time.perf_counter(), None
    with client.stream("POST", url, json=body, headers=headers) as response:
        assert response.status_code == 200, response.read()[:300]
        for line in response.iter_lines():
            if first is None and line.startswith("data: {"):
                choices = json.loads(line[6:]).get("choices") or [{}]
                if choices[0].get("delta", {}).get("content"):  # the first chunk is only the role
                    first = (time.perf_counter() - started) * 1000
    assert first is not None
    return first, (time.perf_counter() - started) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def litellm_start(var: Path, upstream: str) -> tuple[str, subprocess.Popen] | None:
    if not LITELLM.exists():
        print(f"LiteLLM left out: {LITELLM} is missing (run bench/litellm_venv.sh)")
        return None
    config = var / "litellm.yaml"
    config.write_text(
        "model_list:\n"
        "  - model_name: standin-7b\n"
        "    litellm_params:\n"
        "      model: openai/standin-7b\n"
        f"      api_base: {upstream}\n"
        "      api_key: none\n"
    )
    port = free_port()
    log = (var / "litellm.log").open("wb")
    # A master key, as any real deployment has: LiteLLM then checks a key on every request too.
    env = {
        **os.environ,
        "LITELLM_LOG": "ERROR",
        "LITELLM_TELEMETRY": "False",
        "LITELLM_MASTER_KEY": LITELLM_KEY,
    }
    process = subprocess.Popen(
        [str(LITELLM), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=var,
    )
    wait_listening(port, process)
    return f"http://127.0.0.1:{port}", process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--deltas", type=int, default=100, help="content chunks per answer")
    parser.add_argument("--corpus", default="")
    parser.add_argument(
        "--imported", default="", help="LAWBOT_VAR_DIR of an SQLite import of --corpus, copied in"
    )
    parser.add_argument("--baseline", default="", help="a checkout of the code to compare with")
    args = parser.parse_args()
    processes: list[subprocess.Popen] = []
    with StandInLLM() as standin, tempfile.TemporaryDirectory() as tmp:
        standin.reset(deltas=["雇主依第十一條終止勞動契約者，"] * args.deltas)
        var = Path(tmp)
        env = server_env(var, LAWBOT_LLM_BASE_URL=standin.url, LAWBOT_LLM_MODEL="standin-7b")
        sources = args.corpus.split(",") if args.corpus else write_corpus(var / "corpus")
        corpus_load(env, var, sources, args.imported)
        secret = manage(env, "create_api_key", "--user", "b", "--name", "b").strip().split()[-1]
        messages = [{"role": "user", "content": QUESTION}]
        body = {"model": "standin-7b", "stream": True, "messages": messages}
        targets: dict[str, tuple[str, dict, dict, subprocess.Popen | None]] = {
            "stand-in directly": (f"{standin.url}/chat/completions", body, {}, None)
        }
        try:
            floor_port = free_port()
            floor = subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / "floor_relay.py"), str(floor_port)]
                + ["127.0.0.1", str(standin.port)]
            )
            processes.append(floor)
            wait_listening(floor_port, floor)
            targets["minimal asyncio relay"] = (
                f"http://127.0.0.1:{floor_port}/v1/chat/completions",
                body,
                {},
                floor,
            )
            url, lawbot = start_daphne(env, var / "daphne.log")
            processes.append(lawbot)
            targets["Lawbot (lawbot-pro)"] = (
                f"{url}/v1/chat/completions",
                {**body, "model": "lawbot-pro"},
                {"Authorization": f"Bearer {secret}"},
                lawbot,
            )
            if args.baseline:
                url, before = start_daphne(env, var / "before.log", cwd=Path(args.baseline))
                processes.append(before)
                targets["Lawbot before"] = (
                    f"{url}/v1/chat/completions",
                    {**body, "model": "lawbot-pro"},
                    {"Authorization": f"Bearer {secret}"},
                    before,
                )
            started = litellm_start(var, standin.url)
            if started:
                processes.append(started[1])
                targets["LiteLLM proxy"] = (
                    f"{started[0]}/v1/chat/completions",
                    body,
                    {"Authorization": f"Bearer {LITELLM_KEY}"},
                    started[1],
                )
            first: dict[str, list[float]] = {name: [] for name in targets}
            whole: dict[str, list[float]] = {name: [] for name in targets}
            cpu: dict[str, float] = {}
            load = os.getloadavg()
            with httpx.Client(timeout=60) as client:
                for _ in range(10):  # warm-up: connections, index pages, upstream clients
                    for target, target_body, headers, _ in targets.values():
                        timed_stream(client, target, target_body, headers)
                for name, (*_, process) in targets.items():
                    cpu[name] = -cpu_seconds(process.pid) if process else 0.0
                for _ in range(args.requests):  # alternating: each round sees the same machine
                    for name, (target, target_body, headers, _) in targets.items():
                        a, b = timed_stream(client, target, target_body, headers)
                        first[name].append(a)
                        whole[name].append(b)
                for name, (*_, process) in targets.items():
                    cpu[name] += cpu_seconds(process.pid) if process else 0.0
        finally:
            for process in processes:
                process.terminate()
                process.wait()
    direct = targets and first["stand-in directly"]
    direct_whole = whole["stand-in directly"]
    print(
        f"{args.requests} streamed requests to each, alternating, {args.deltas} content chunks an "
        f"answer; corpus: {'full snapshot' if args.corpus else 'synthetic'}; load average "
        f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"  {'':<24}{'first chunk p50':>16}{'added p50':>11}{'added p90':>11}"
        f"{'whole stream +p50':>19}{'CPU/request':>13}"
    )
    added_p50 = {}
    for name in targets:
        added = [a - d for a, d in zip(first[name], direct, strict=True)]
        added_whole = [a - d for a, d in zip(whole[name], direct_whole, strict=True)]
        added_p50[name] = statistics.median(added)
        print(
            f"  {name:<24}{statistics.median(first[name]):>13.2f} ms{added_p50[name]:>8.2f} ms"
            f"{percentile(added, 90):>8.2f} ms{statistics.median(added_whole):>16.2f} ms"
            + (f"{cpu[name] / args.requests * 1000:>10.2f} ms" if cpu[name] else f"{'—':>13}")
        )
    if "LiteLLM proxy" in added_p50:
        ratio = added_p50["Lawbot (lawbot-pro)"] / added_p50["LiteLLM proxy"]
        print(f"  Lawbot's added first-chunk latency / LiteLLM's (p50): {ratio:.2f}")


if __name__ == "__main__":
    main()
