"""CPU per relayed request, by stage, from the process clock of the daphne worker.

usage: .venv/bin/python bench/profile.py [--requests 300] [--deltas 100] [--corpus A.zip,B.zip]
       [--model lawbot-lite [--no-stream]] [--before DIR] [--py-spy PATH]

Two daphne workers in one run against the same stand-in upstream (tests/standin_llm.py, which
streams --deltas content chunks): one plain, one with LAWBOT_PROFILE (bench/stage_clock.py: per-
stage thread CPU counters). Requests go one at a time, alternating between the two in batches,
so both see the same machine. The plain worker's CPU per request (utime + stime from /proc, all
threads, warm-up excluded) is the figure; the profiled worker's counters split it by stage, and
what no stage claims is "request/response handling" (daphne, Django, authentication, limits,
SSE encoding). CPU time, not wall time: the machine's load barely moves it.

--before DIR (or --baseline DIR): a third, plain worker runs the code in DIR (e.g. `git archive <commit> | tar -x
-C DIR`) in the same alternation, for a before/after figure from one run."""

import argparse
import json
import os
import signal
import subprocess
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


def one_request(
    client: httpx.Client, url: str, secret: str, model: str, stream: bool = True
) -> None:
    body = {"model": model, "stream": stream, "messages": [{"role": "user", "content": QUESTION}]}
    if not stream:
        response = client.post(
            f"{url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200, response.text
        return
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
        "--imported", default="", help="LAWBOT_VAR_DIR of an import of --corpus, copied in"
    )
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--no-stream", action="store_true", help="non-streaming requests")
    parser.add_argument(
        "--key-limits",
        action="store_true",
        help="the key has requests-per-minute, tokens-per-day and concurrency (--max-concurrent) "
        "limits, never reached, so every request uses the cache for them",
    )
    parser.add_argument(
        "--max-concurrent",
        type=int,
        default=4,
        help="the concurrency limit of --key-limits (the check's cost used to grow with it)",
    )
    parser.add_argument(
        "--postgres",
        default="",
        help="a PostgreSQL database that --imported's import filled, used as it is (with --redis)",
    )
    parser.add_argument("--redis", default="", help="REDIS_URL of the workers")
    parser.add_argument(
        "--before",
        "--baseline",
        default="",
        help="another checkout (e.g. `git worktree add` of the commit before a change): a third, "
        "plain worker runs from it, same venv, batches alternating with the others",
    )
    parser.add_argument(
        "--before-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="environment of the 'before' worker only (with --before, or this checkout without "
        "it): a setting measured against the others in the same run",
    )
    parser.add_argument(
        "--production",
        action="store_true",
        help="the workers run as deployed: DEBUG off (SECRET_KEY and ALLOWED_HOSTS set)",
    )
    parser.add_argument(
        "--py-spy",
        default="",
        help="also sample the plain worker with this py-spy binary (not a project dependency) "
        "during the measured requests; its collapsed stacks go to plain-stacks.txt here",
    )
    args = parser.parse_args()
    stream = not args.no_stream
    with StandInLLM() as standin, tempfile.TemporaryDirectory() as tmp:
        standin.reset(deltas=["雇主依第十一條終止勞動契約者，"] * args.deltas)
        var = Path(tmp)
        env = server_env(var, LAWBOT_LLM_BASE_URL=standin.url, LAWBOT_LLM_MODEL="standin-7b")
        if args.production:
            env.update(DEBUG="0", SECRET_KEY="bench-" + "x" * 50, ALLOWED_HOSTS="127.0.0.1")
        if args.postgres:
            env["DATABASE_URL"] = args.postgres
        if args.redis:
            env.update(REDIS_URL=args.redis, LAWBOT_REDIS_PREFIX=f"bench-{var.name}")
        sources = args.corpus.split(",") if args.corpus else write_corpus(var / "corpus")
        corpus_load(env, var, sources, args.imported)
        name = f"profile-{var.name}"
        # --key-limits: limits never reached, so that every request checks and counts them.
        limits = [
            "--rpm",
            "1000000",
            "--tpd",
            "1000000000",
            "--max-concurrent",
            str(args.max_concurrent),
        ]
        secret = (
            manage(
                env,
                "create_api_key",
                *("--user", "b", "--name", name),
                *(limits if args.key_limits else []),
            )
            .strip()
            .split()[-1]
        )
        counters = var / "stages.json"
        workers = {"plain": start_daphne(env, var / "plain.log")}
        workers["profiled"] = start_daphne(
            {**env, "LAWBOT_PROFILE": str(counters)}, var / "profiled.log"
        )
        if args.before or args.before_env:
            before_env = {**env, **dict(pair.split("=", 1) for pair in args.before_env)}
            root = Path(args.before) if args.before else ROOT
            workers["before"] = start_daphne(before_env, var / "before.log", cwd=root)
        plain, profiled = workers["plain"][1], workers["profiled"][1]
        load = os.getloadavg()
        try:
            with httpx.Client(timeout=60) as client:
                for _ in range(20):  # warm-up: connections, index pages, the upstream client
                    for url, _ in workers.values():
                        one_request(client, url, secret, args.model, stream)
                spy = None
                if args.py_spy:
                    # --gil: only the thread running Python, so waits are not counted as work.
                    spy = subprocess.Popen(
                        [args.py_spy, "record", "--pid", str(plain.pid), "--format", "raw"]
                        + ["--rate", "250", "--threads", "--gil", "--nonblocking"]
                        + ["--output", "plain-stacks.txt"],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    time.sleep(1)
                cpu = {label: -cpu_seconds(p.pid) for label, (_, p) in workers.items()}
                stages_before = stages(counters, profiled.pid)
                done = 0
                while done < args.requests:
                    batch = min(args.batch, args.requests - done)
                    for url, _ in workers.values():
                        for _ in range(batch):
                            one_request(client, url, secret, args.model, stream)
                    done += batch
                for label, (_, p) in workers.items():
                    cpu[label] += cpu_seconds(p.pid)
                stages_after = stages(counters, profiled.pid)
                if spy:
                    spy.send_signal(signal.SIGINT)
                    spy.wait(60)
        finally:
            for _, process in workers.values():
                process.terminate()
                process.wait()
    n = args.requests
    print(
        f"{n} {'streamed' if stream else 'non-streaming'} {args.model} requests per worker, one "
        f"at a time ({args.deltas} content chunks each when relayed); corpus: "
        f"{'full snapshot' if args.corpus else 'synthetic'}; "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}{' + Redis' if args.redis else ''}; "
        f"load average {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    if "before" in cpu:
        what = " ".join([args.before, *args.before_env]).strip()
        print(f"  CPU per request, before ({what}): {cpu['before'] / n * 1000:6.2f} ms")
    print(f"  CPU per request, plain worker:    {cpu['plain'] / n * 1000:6.2f} ms")
    print(f"  CPU per request, profiled worker: {cpu['profiled'] / n * 1000:6.2f} ms, of which")
    claimed = 0.0
    for stage in sorted(stages_after, key=lambda s: -stages_after[s][0]):
        seconds = stages_after[stage][0] - stages_before.get(stage, [0, 0])[0]
        calls = stages_after[stage][1] - stages_before.get(stage, [0, 0])[1]
        claimed += seconds
        print(f"    {stage:<26} {seconds / n * 1000:6.2f} ms  ({calls / n:.0f} calls a request)")
    rest = cpu["profiled"] - claimed
    print(
        f"    {'request/response handling':<26} {rest / n * 1000:6.2f} ms  (what no stage claims)"
    )


if __name__ == "__main__":
    main()
