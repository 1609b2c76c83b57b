"""CPU per relayed request, by stage, from the process clock of the daphne worker.

usage: .venv/bin/python bench/profile.py [--requests 300] [--deltas 100] [--corpus A.zip,B.zip]
       [--baseline DIR]

Two daphne workers in one run against the same stand-in upstream (tests/standin_llm.py, which
streams --deltas content chunks): one plain, one with LAWBOT_PROFILE (bench/stage_clock.py: per-
stage thread CPU counters). Requests go one at a time, alternating between the two in batches,
so both see the same machine. The plain worker's CPU per request (utime + stime from /proc, all
threads, warm-up excluded) is the figure; the profiled worker's counters split it by stage, and
what no stage claims is "request/response handling" (daphne, Django, authentication, limits,
SSE encoding). CPU time, not wall time: the machine's load barely moves it.

--baseline DIR: a third, plain worker runs the code in DIR (e.g. `git archive <commit> | tar -x
-C DIR`) in the same alternation, for a before/after figure from one run."""

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import corpus_load, cpu_seconds, start_daphne  # noqa: E402
from tests.corpus import write_corpus  # noqa: E402
from tests.e2e.conftest import manage, server_env  # noqa: E402
from tests.standin_llm import StandInLLM  # noqa: E402

QUESTION = "請說明勞動基準法中的資遣費計算方式"


def one_request(client: httpx.Client, url: str, secret: str, model: str) -> None:
    body = {"model": model, "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with client.stream(
        "POST",
        f"{url}/v1/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {secret}"},
    ) as response:
        assert response.status_code == 200, response.read()
        text = "".join(response.iter_text())
    assert "[DONE]" in text, text[-300:]


def stages(path: Path, pid: int) -> dict:
    path.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    for _ in range(500):
        if path.exists():
            return json.loads(path.read_text())
        time.sleep(0.01)
    raise RuntimeError("the profiled server wrote no counters")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300, help="per worker")
    parser.add_argument("--deltas", type=int, default=100, help="content chunks per answer")
    parser.add_argument("--model", default="lawbot-pro")
    parser.add_argument("--corpus", default="")
    parser.add_argument(
        "--imported", default="", help="LAWBOT_VAR_DIR of an SQLite import of --corpus, copied in"
    )
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--baseline", default="", help="a checkout of the code to compare with")
    args = parser.parse_args()
    with StandInLLM() as standin, tempfile.TemporaryDirectory() as tmp:
        standin.reset(deltas=["雇主依第十一條終止勞動契約者，"] * args.deltas)
        var = Path(tmp)
        env = server_env(var, LAWBOT_LLM_BASE_URL=standin.url, LAWBOT_LLM_MODEL="standin-7b")
        sources = args.corpus.split(",") if args.corpus else write_corpus(var / "corpus")
        corpus_load(env, var, sources, args.imported)
        secret = manage(env, "create_api_key", "--user", "b", "--name", "b").strip().split()[-1]
        counters = var / "stages.json"
        plain_url, plain = start_daphne(env, var / "plain.log")
        profiled_url, profiled = start_daphne(
            {**env, "LAWBOT_PROFILE": str(counters)}, var / "profiled.log"
        )
        workers = [(plain_url, plain), (profiled_url, profiled)]
        if args.baseline:
            workers.append(start_daphne(env, var / "baseline.log", cwd=Path(args.baseline)))
        load = os.getloadavg()
        try:
            with httpx.Client(timeout=60) as client:
                for _ in range(20):  # warm-up: connections, index pages, the upstream client
                    for url, _process in workers:
                        one_request(client, url, secret, args.model)
                plain_before, profiled_before = cpu_seconds(plain.pid), cpu_seconds(profiled.pid)
                baseline_before = cpu_seconds(workers[-1][1].pid)
                stages_before = stages(counters, profiled.pid)
                done = 0
                while done < args.requests:
                    batch = min(args.batch, args.requests - done)
                    for _ in range(batch):
                        one_request(client, plain_url, secret, args.model)
                    for _ in range(batch):
                        one_request(client, profiled_url, secret, args.model)
                    if args.baseline:
                        for _ in range(batch):
                            one_request(client, workers[-1][0], secret, args.model)
                    done += batch
                plain_cpu = cpu_seconds(plain.pid) - plain_before
                baseline_cpu = cpu_seconds(workers[-1][1].pid) - baseline_before
                profiled_cpu = cpu_seconds(profiled.pid) - profiled_before
                stages_after = stages(counters, profiled.pid)
        finally:
            for _url, process in workers:
                process.terminate()
                process.wait()
    n = args.requests
    print(
        f"{n} streamed {args.model} requests per worker, one at a time, {args.deltas} content "
        f"chunks each; corpus: {'full snapshot' if args.corpus else 'synthetic'}; load average "
        f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    print(f"  CPU per request, plain worker:    {plain_cpu / n * 1000:6.2f} ms")
    if args.baseline:
        print(
            f"  CPU per request, baseline worker: {baseline_cpu / n * 1000:6.2f} ms ({args.baseline})"
        )
    print(f"  CPU per request, profiled worker: {profiled_cpu / n * 1000:6.2f} ms, of which")
    claimed = 0.0
    for stage in sorted(stages_after, key=lambda s: -stages_after[s][0]):
        seconds = stages_after[stage][0] - stages_before.get(stage, [0, 0])[0]
        calls = stages_after[stage][1] - stages_before.get(stage, [0, 0])[1]
        claimed += seconds
        print(f"    {stage:<26} {seconds / n * 1000:6.2f} ms  ({calls / n:.0f} calls a request)")
    rest = profiled_cpu - claimed
    print(
        f"    {'request/response handling':<26} {rest / n * 1000:6.2f} ms  (what no stage claims)"
    )


if __name__ == "__main__":
    main()
