"""Import timings on the full snapshot, and how long a request's write waits meanwhile.

usage: .venv/bin/python bench/import_stall.py --var-dir DIR [--code DIR] SOURCE ...

In a fresh LAWBOT_VAR_DIR (SQLite, meaning index off): a full import, a re-import of the same
files (nothing changed), and a re-import with every 20th Chinese act amended (one article
reworded, one removed, one added). During each, a writer in this process inserts one row into
a table of its own in the same database every 20 ms (as a request's log row would, with the
server's 20 s busy timeout) and the longest wait is reported. --code runs another checkout's
manage.py (e.g. `git archive main | tar -x -C /tmp/ref`) on the same files, for a before/after
in one run.
"""

import argparse
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def amended(source: str, target: Path) -> int:
    """A copy of a Ministry zip with every 20th law amended; returns how many."""
    with zipfile.ZipFile(source) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".json"))
        document = json.loads(archive.read(name).decode("utf-8-sig"))
    changed = 0
    for number, law in enumerate(document["Laws"]):
        articles = [a for a in law["LawArticles"] if a.get("ArticleType") == "A"]
        if number % 20 or len(articles) < 3:
            continue
        articles[0]["ArticleContent"] += "（修正）"
        law["LawArticles"].remove(articles[1])
        law["LawArticles"].append(
            {"ArticleType": "A", "ArticleNo": "第 9999 條", "ArticleContent": "本法自公布日施行。"}
        )
        changed += 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, "\ufeff" + json.dumps(document, ensure_ascii=False))
    target.write_bytes(buffer.getvalue())
    return changed


class Writer(threading.Thread):
    """One small write every 20 ms on its own connection; records how long each one took."""

    def __init__(self, database: Path):
        super().__init__(daemon=True)
        self.database = database
        self.waits: list[float] = []
        self.failures = 0
        self.stop = threading.Event()

    def run(self) -> None:
        connection = sqlite3.connect(self.database, timeout=20, isolation_level=None)
        connection.execute("CREATE TABLE IF NOT EXISTS bench_stall (at REAL)")
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                connection.execute("INSERT INTO bench_stall VALUES (?)", (time.time(),))
            except sqlite3.OperationalError:
                self.failures += 1
            self.waits.append(time.perf_counter() - started)
            self.stop.wait(0.02)
        connection.close()


def run(code: Path, env: dict, sources: list[str], label: str) -> None:
    writer = Writer(Path(env["LAWBOT_VAR_DIR"]) / "lawbot.sqlite3")
    writer.start()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_laws", "--no-progress", *sources],
        cwd=code,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    writer.stop.set()
    writer.join()
    output = process.stdout.read()
    process.stdout.close()
    if status:
        sys.exit(output[-2000:])
    waits = sorted(writer.waits)
    summary = next((line for line in output.splitlines() if line.startswith("Imported")), "")
    print(
        f"{label}: wall {wall:.1f} s, CPU {usage.ru_utime + usage.ru_stime:.1f} s; "
        f"writes meanwhile: {len(waits)}, longest wait {waits[-1] * 1000:.0f} ms, "
        f"p99 {waits[int(len(waits) * 0.99)] * 1000:.0f} ms, "
        f"> 1 s: {sum(w > 1 for w in waits)}, failed (locked): {writer.failures}"
    )
    print(f"    {summary.split(': ', 1)[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var-dir", type=Path, required=True)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose manage.py runs")
    parser.add_argument("sources", nargs="+")
    args = parser.parse_args()
    shutil.rmtree(args.var_dir, ignore_errors=True)
    args.var_dir.mkdir(parents=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LAWBOT_", "DATABASE_URL"))},
        "LAWBOT_VAR_DIR": str(args.var_dir),
        "LAWBOT_MEANING": "0",
        "DJANGO_SETTINGS_MODULE": "lawbot_site.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=args.code, env=env, check=True
    )
    print(f"code: {args.code}; load: {os.getloadavg()[0]:.2f}")
    run(args.code, env, args.sources, "full import")
    run(args.code, env, args.sources, "re-import, nothing changed")
    chinese = next(s for s in args.sources if Path(s).name.startswith("ChLaw"))
    changed = args.var_dir / "ChLaw-amended.json.zip"
    count = amended(chinese, changed)
    sources = [str(changed) if s == chinese else s for s in args.sources]
    run(args.code, env, sources, f"re-import, {count} laws amended")
    print(f"load: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
