"""/healthz latency while 1 MiB questions are processed, on the API and on the chat page's endpoint.

usage: .venv/bin/python bench/stall.py [--rounds 5] [--root DIR]
Starts one daphne on 127.0.0.1 in a temporary folder on the synthetic corpus (SQLite), the code
from --root (default: this checkout; e.g. a `git archive` of another commit, run with this venv),
sends each 1 MiB question in turn while one client probes /healthz back to back on a kept
connection, and prints the probes' p50 and max per endpoint, with the server's CPU time per
question (from /proc, so a loaded machine does not inflate it)."""

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import cpu_seconds  # noqa: E402
from tests.corpus import write_corpus  # noqa: E402
from tests.e2e import conftest  # noqa: E402

PASSWORD = "stall-pass-123"
# The audit's body: a wage repeated to fill the 1 MiB limit (the calculators read every number);
# and one long run of digits (a number reader that tried it from each digit was quadratic).
QUESTIONS = {"wage": "月薪4萬5 " * 86_000, "digits": "1" * 1_000_000}


def healthz_probes(url: str, work) -> list[float]:
    """/healthz latencies (ms), probed one after another on a kept connection while work()
    runs in a thread."""
    latencies = []
    with httpx.Client(timeout=30) as probe:
        probe.get(f"{url}/healthz")  # connected before the question arrives
        working = threading.Thread(target=work)
        working.start()
        while working.is_alive():
            started = time.perf_counter()
            probe.get(f"{url}/healthz")
            latencies.append((time.perf_counter() - started) * 1000)
        working.join()
    return latencies


def probed(url: str, pid: int, send) -> tuple[list[float], float, float, int]:
    """Probe latencies (ms) while send() runs, its wall and server CPU seconds, its status."""
    result: dict = {}

    def run() -> None:
        started, cpu = time.perf_counter(), cpu_seconds(pid)
        result["status"] = send()
        result["wall"], result["cpu"] = time.perf_counter() - started, cpu_seconds(pid) - cpu

    latencies = healthz_probes(url, run)
    return latencies, result["wall"], result["cpu"], result["status"]


def report(name: str, rounds: list) -> None:
    latencies = [ms for r in rounds for ms in r[0]]
    print(
        f"{name}: {len(rounds)} questions, status {sorted({r[3] for r in rounds})}, "
        f"wall p50 {statistics.median(r[1] for r in rounds) * 1000:.0f} ms, "
        f"server CPU p50 {statistics.median(r[2] for r in rounds) * 1000:.0f} ms; "
        f"/healthz meanwhile: {len(latencies)} probes, p50 {statistics.median(latencies):.1f} ms, "
        f"max {max(latencies):.1f} ms (per question: "
        + ", ".join(f"{max(r[0]):.0f}" for r in rounds)
        + ")"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    conftest.ROOT = args.root.resolve()  # manage() and start_server() run from it
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        env = conftest.server_env(var, LAWBOT_COMPOSER_DELAY_MS="0")
        conftest.manage(env, "migrate", "-v0")
        conftest.manage(env, "import_laws", "--no-progress", *write_corpus(var / "corpus"))
        secret = conftest.manage(env, "create_api_key", "--user", "b", "--name", "b").split()[-1]
        conftest.manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user('stall', password={PASSWORD!r})",
        )
        url, process = conftest.start_server(env, var / "daphne.log")
        try:
            print(
                f"code: {args.root}; load average {os.getloadavg()[0]:.1f} on "
                f"{os.cpu_count()} cores"
            )
            headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
            page = conftest.signed_in(url, "stall", PASSWORD)
            page_headers = {**page.headers, "Content-Type": "application/json"}
            # The same probes with nothing else to do: what the machine's load alone costs them.
            idle = [probed(url, process.pid, lambda: time.sleep(2) or 200) for _ in range(3)]
            report("no question (2 s of probes)", idle)
            for shape, question in QUESTIONS.items():
                api_body = json.dumps(
                    {"model": "lawbot-lite", "messages": [{"role": "user", "content": question}]},
                    ensure_ascii=False,
                ).encode()
                page_body = json.dumps({"question": question}, ensure_ascii=False).encode()

                def api(api_body=api_body) -> int:
                    return httpx.post(
                        f"{url}/v1/chat/completions", content=api_body, headers=headers, timeout=120
                    ).status_code

                def ui(page_body=page_body) -> int:
                    return page.post(
                        f"{url}/api/ui/ask", content=page_body, headers=page_headers, timeout=120
                    ).status_code

                api(), ui()  # warm-up
                rounds = [probed(url, process.pid, api) for _ in range(args.rounds)]
                report(f"{shape}, API /v1/chat/completions", rounds)
                rounds = [probed(url, process.pid, ui) for _ in range(args.rounds)]
                report(f"{shape}, page /api/ui/ask", rounds)
        finally:
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
