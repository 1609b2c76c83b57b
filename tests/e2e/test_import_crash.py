"""`kill -9` at every phase of an import: search answers from a whole corpus meanwhile (the old
one or the new one, never nothing, never an article that is gone), and the next import, or the
server by itself, heals the index.

The importer stops exactly at a phase through its test-only pause points (laws/phases.py):
LAWBOT_IMPORT_PAUSE_AT=<phase> makes it print a marker and wait there to be killed."""

import copy
import json
import os
import select
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests import corpus as synthetic
from tests.e2e.conftest import (
    ROOT,
    maintenance_url,
    manage,
    postgres_database,
    postgres_databases_drop,
    server_env,
    start_server,
)

pytestmark = pytest.mark.e2e
PHASES = ["read", "write", "batch", "committed", "index", "swap"]
QUERIES = ["資遣費", "特別休假", "損害賠償"]
CHECK = f"""
import json
from laws.index import index_state
from laws.search import search
hits = {{
    q: [[h.article.law.pcode, h.article.number, h.article.content] for h in search(q, limit=5).hits]
    for q in {QUERIES!r}
}}
print(json.dumps({{"state": index_state(), "hits": hits}}, ensure_ascii=False))
"""


def _amended(laws: list[dict]) -> list[dict]:
    """Every law amended: each article reworded (the repealed one stays repealed); 勞基法
    loses §38 and gains §99."""
    amended = copy.deepcopy(laws)
    for law in amended:
        for item in law["LawArticles"]:
            if item["ArticleType"] == "A" and item["ArticleContent"] != "（刪除）":
                item["ArticleContent"] += "（修正）"
        if "N0030001" in law["LawURL"]:
            law["LawArticles"] = [a for a in law["LawArticles"] if a["ArticleNo"] != "第 38 條"]
            law["LawArticles"].append(synthetic.article("99", "雇主應按月為勞工提繳資遣費準備。"))
    return amended


def _texts(laws: list[dict]) -> dict[tuple[str, str], str]:
    return {
        (law["LawURL"].rsplit("=", 1)[1], item["ArticleNo"].strip("第條 ")): item["ArticleContent"]
        .strip()
        .replace("\r\n", "\n")
        for law in laws
        for item in law["LawArticles"]
        if item["ArticleType"] == "A"
    }


OLD = _texts(synthetic.ACTS + synthetic.ORDERS)
NEW = _texts(_amended(synthetic.ACTS + synthetic.ORDERS))


def _new_corpus(directory) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    acts = synthetic.write_zip(directory / "ChLaw.json.zip", _amended(synthetic.ACTS))
    orders = directory / "ChOrder.json"
    orders.write_bytes(synthetic.document(_amended(synthetic.ORDERS)))
    return [str(acts), str(orders)]


def _killed_at(env: dict, phase: str, sources: list[str]) -> str:
    """Runs import_laws until it reaches phase, then kills it with SIGKILL; returns its output."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_laws", "--no-progress", *sources],
        cwd=ROOT,
        env={**env, "LAWBOT_IMPORT_PAUSE_AT": phase},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = b""
    deadline = time.monotonic() + 120
    try:
        while f"LAWBOT_IMPORT_PAUSED {phase}".encode() not in output:
            assert process.poll() is None, f"the import ended before {phase}: {output.decode()}"
            assert time.monotonic() < deadline, f"never reached {phase}: {output.decode()}"
            ready, _, _ = select.select([process.stdout], [], [], 1.0)
            if ready:
                output += os.read(process.stdout.fileno(), 65536)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
    return output.decode()


def _searched(env: dict) -> dict:
    return json.loads(manage(env, "shell", "-c", CHECK).strip().splitlines()[-1])


def _versions(hits: list[list[str]]) -> dict[str, set[str]]:
    """law → the corpus versions ("old", "new") all of its hits agree with."""
    found: dict[str, set[str]] = {}
    for pcode, number, content in hits:
        versions = {
            name
            for name, texts in (("old", OLD), ("new", NEW))
            if texts.get((pcode, number)) == content
        }
        assert versions, f"{pcode} §{number} is from neither corpus: {content}"
        found[pcode] = found.get(pcode, {"old", "new"}) & versions
        assert found[pcode], f"{pcode}'s hits mix its old and new text"
    return found


@pytest.fixture
def prepared(tmp_path):
    """A database with the old synthetic corpus imported and indexed, and the new corpus."""
    created: list[str] = []
    base_url = os.environ.get("DATABASE_URL", "")
    extra = {}
    if base_url.startswith("postgres"):
        extra["DATABASE_URL"] = postgres_database(base_url, created)
    env = server_env(tmp_path / "var", LAWBOT_MEANING="0", LAWBOT_IMPORT_BATCH="3", **extra)
    manage(env, "migrate", "-v0")
    manage(env, "import_laws", "--no-progress", *synthetic.write_corpus(tmp_path / "old"))
    yield env, _new_corpus(tmp_path / "new")
    if created:
        postgres_databases_drop(maintenance_url(base_url), created)


@pytest.mark.parametrize("phase", PHASES)
def test_a_killed_import_leaves_search_whole_and_the_next_import_heals(prepared, phase):
    env, new = prepared
    _killed_at(env, phase, new)

    after = _searched(env)
    assert after["hits"]["資遣費"], "search found nothing after the kill"
    laws = {law: v for hits in after["hits"].values() for law, v in _versions(hits).items()}
    expected = {"read": "old", "write": "old"}.get(phase, "new" if phase != "batch" else None)
    if expected:
        assert all(expected in versions for versions in laws.values()), laws
    # What the kill left is seen: the index matches the database, or the server is told not.
    assert after["state"] == ("ok" if phase in ("read", "write") else "mismatch")

    healed = manage(env, "import_laws", "--no-progress", *new)
    if phase in ("committed", "index", "swap"):
        assert "laws: 0 added, 0 changed, 6 unchanged" in healed
        assert "an import was interrupted); rebuilding it" in healed
    final = _searched(env)
    assert final["state"] == "ok"
    hits = [hit for found in final["hits"].values() for hit in found]
    assert all("new" in versions for versions in _versions(hits).values())
    assert ["N0030001", "99", NEW["N0030001", "99"]] in final["hits"]["資遣費"]


def test_the_server_rebuilds_a_mismatched_index_by_itself(prepared, tmp_path):
    env, new = prepared
    _killed_at(env, "committed", new)
    url, process = start_server(env, tmp_path / "daphne.log")
    try:
        first = httpx.get(f"{url}/healthz", timeout=10).json()
        assert first["status"] == "degraded" and first["index"]["status"] == "mismatch"
        deadline = time.monotonic() + 120
        while (body := httpx.get(f"{url}/healthz", timeout=10).json())["status"] != "ok":
            assert time.monotonic() < deadline, body
            time.sleep(0.2)
        assert body["index"] == {"status": "ok", "articles": 14}  # 38 gone, 99 new
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert _searched(env)["state"] == "ok"
