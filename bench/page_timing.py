"""The chat page in Chromium: time from pressing Enter to the first text of the answer, and to
the finished answer, measured inside the page (performance.now() at the keydown and at the DOM
changes), over several questions.

usage: .venv/bin/python bench/page_timing.py [--root CHECKOUT] [--runs 10] [--model lawbot-lite]
--root serves another checkout of Lawbot (e.g. `git archive <commit> | tar -x -C /tmp/before`)
with this venv, to compare before and after. The server runs the composer at its production
pacing (a piece due every 8 ms, sent at most every 50 ms), SQLite, the synthetic corpus."""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
from tests.corpus import write_corpus  # noqa: E402
from tests.e2e.conftest import free_port, server_env  # noqa: E402

QUESTIONS = [
    "請說明勞動基準法中的資遣費計算方式",
    "勞基法第38條",
    "酒駕被抓會有什麼處罰？",
    "勞工資遣費和預告期間的規定",
    "民法第184條",
]
WATCH = """() => { window.__lawbot_timing = new Promise((resolve) => {
  const box = document.querySelector('#question');
  let pressed = null, first = null;
  box.addEventListener('keydown', (e) => { if (e.key === 'Enter') pressed = performance.now(); },
                       { capture: true, once: true });
  const seen = new MutationObserver(() => {
    const answers = document.querySelectorAll('#messages .message.assistant');
    const last = answers[answers.length - 1];
    if (!last || pressed === null) return;
    const body = last.querySelector('.answer-body');
    if (first === null && body && body.textContent.trim()) first = performance.now();
    if (last.dataset.status === 'complete' && first !== null) {
      seen.disconnect();
      resolve([first - pressed, performance.now() - pressed]);
    }
  });
  seen.observe(document.querySelector('#messages'), { subtree: true, childList: true,
    characterData: true, attributes: true, attributeFilter: ['data-status'] });
}); }"""


def run(root: Path, runs: int, model: str) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        env = server_env(var, LAWBOT_COMPOSER_DELAY_MS="8", LAWBOT_COMPOSER_TICK_MS="50")
        python = [sys.executable, "manage.py"]
        subprocess.run([*python, "migrate", "-v0"], cwd=root, env=env, check=True)
        corpus = write_corpus(var / "corpus")
        subprocess.run(
            [*python, "import_laws", "--no-progress", *corpus], cwd=root, env=env, check=True
        )
        subprocess.run(
            [*python, "shell", "-c", "from django.contrib.auth import get_user_model; "
             "get_user_model().objects.create_user('bench', password='bench-pass-123')"],
            cwd=root, env=env, check=True,
        )  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-p", str(port), "lawbot_site.asgi:application"],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            return measure(url, runs, model)
        finally:
            server.terminate()
            server.wait(timeout=10)


def measure(url: str, runs: int, model: str) -> tuple[list[float], list[float]]:
    firsts, totals = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        page = browser.new_page(locale="zh-TW", base_url=url)
        page.goto("/accounts/login/")
        page.locator("#id_username").fill("bench")
        page.locator("#id_password").fill("bench-pass-123")
        page.locator("#id_password").press("Enter")
        for i in range(runs + 1):  # the first, a warm-up, is not counted
            page.goto("/")
            page.wait_for_selector("#composer[data-ready]")
            page.locator("#model").select_option(model)
            page.locator("#question").fill(QUESTIONS[i % len(QUESTIONS)] + "？" * (i // 5))
            page.evaluate(WATCH)
            page.locator("#question").press("Enter")
            first, total = page.evaluate("window.__lawbot_timing")
            if i:
                firsts.append(first)
                totals.append(total)
        browser.close()
    return firsts, totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=HERE)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--model", default="lawbot-lite")
    args = parser.parse_args()
    firsts, totals = run(args.root.resolve(), args.runs, args.model)
    for name, values in (("first text after Enter", firsts), ("finished answer", totals)):
        print(
            f"{name}: median {statistics.median(values):.0f} ms, "
            f"min {min(values):.0f}, max {max(values):.0f} ms (n={len(values)})"
        )


if __name__ == "__main__":
    main()
