"""The index records the database it was built from; a disagreement is found and healed."""

import copy

import pytest
from django.core.management import call_command
from django.test import AsyncClient

from laws import index as index_module
from laws.fingerprint import corpus_fingerprint, forget_cached, mix
from laws.importer import laws_import
from laws.index import get_index, index_build, index_state
from laws.models import Article, Law
from laws.search import _live_candidates, search
from tests import corpus as synthetic

pytestmark = pytest.mark.django_db


def _newer(tmp_path) -> str:
    """The synthetic corpus with 勞基法 amended: §17 reworded, §38 repealed outright."""
    labour = copy.deepcopy(synthetic.LABOUR)
    items = labour["LawArticles"]
    next(a for a in items if a["ArticleNo"] == "第 17 條")["ArticleContent"] = (
        "雇主終止勞動契約者，應按年資發給勞工資遣費。"
    )
    items.remove(next(a for a in items if a["ArticleNo"] == "第 38 條"))
    return str(synthetic.write_zip(tmp_path / "newer.zip", [labour]))


def test_the_fingerprint_query_computes_what_the_rows_say(corpus):
    expected = {
        "articles": Article.objects.count(),
        "article_sum": sum(mix(pk, d) for pk, d in Article.objects.values_list("id", "digest")),
        "laws": Law.objects.count(),
        "law_sum": sum(mix(pk, d) for pk, d in Law.objects.values_list("id", "digest")),
    }
    assert corpus_fingerprint() == expected
    assert expected["article_sum"] > 0


def test_two_articles_swapping_their_texts_change_the_fingerprint(corpus):
    first, second = Article.objects.order_by("id")[:2]
    before = corpus_fingerprint()
    Article.objects.filter(pk=first.pk).update(digest=second.digest)
    Article.objects.filter(pk=second.pk).update(digest=first.digest)
    assert corpus_fingerprint() != before


def test_an_index_records_the_database_it_was_built_from(corpus):
    assert get_index().meta["fingerprint"] == corpus_fingerprint()
    assert index_state() == "ok"


def test_an_import_the_index_never_saw_is_a_mismatch(corpus, tmp_path):
    laws_import(sources=[_newer(tmp_path)])  # killed before the index was rebuilt
    assert index_state() == "mismatch"


def test_import_laws_heals_a_mismatch_although_nothing_changed(corpus_files, tmp_path, capsys):
    call_command("import_laws", *corpus_files, "--no-progress")
    newer = _newer(tmp_path)
    laws_import(sources=[newer])  # the run that was killed after its commit
    capsys.readouterr()
    call_command("import_laws", newer, "--no-progress")
    out = capsys.readouterr().out
    assert "laws: 0 added, 0 changed, 1 unchanged" in out
    assert "an import was interrupted); rebuilding it" in out
    assert index_state() == "ok"
    call_command("import_laws", newer, "--no-progress")
    assert "Search index: up to date" in capsys.readouterr().out


def test_an_index_without_a_fingerprint_is_rebuilt(corpus_files, settings, capsys):
    """An index built before indexes recorded their database is not trusted."""
    import json

    call_command("import_laws", *corpus_files, "--no-progress")
    meta_path = settings.LAWBOT_INDEX_DIR / "meta.json"
    meta = json.loads(meta_path.read_text())
    del meta["fingerprint"]
    meta["built_at"] -= 1  # seen as another build
    meta_path.resolve().write_text(json.dumps(meta))
    call_command("import_laws", *corpus_files, "--no-progress")
    assert "rebuilding it" in capsys.readouterr().out


def test_index_laws_if_needed_leaves_an_index_that_agrees(corpus, capsys, settings):
    settings.LAWBOT_MEANING = False
    stamp = get_index().stamp
    call_command("index_laws", "--if-needed")
    assert "up to date" in capsys.readouterr().out
    assert get_index().stamp == stamp


def test_index_laws_if_needed_gives_way_to_a_running_import(corpus, tmp_path, capsys):
    laws_import(sources=[_newer(tmp_path)])
    lock = index_module.CorpusLock()
    assert lock.acquire(wait=False)
    try:
        call_command("index_laws", "--if-needed")
    finally:
        lock.release()
    assert "running" in capsys.readouterr().out
    assert index_state() == "mismatch"


def test_search_skips_articles_an_import_removed(corpus):
    """The old index names an article that is gone: search passes over it, and still finds as
    many articles as there are."""
    index = get_index()
    scores = index.bm25("特別休假")
    best = int(scores.argmax())
    gone = int(index.doc_article[best])
    Article.objects.filter(pk=gone).delete()
    _, docs, _, rows = _live_candidates(index, scores, 1)
    assert len(rows) == 1 and gone not in rows
    hits = search("特別休假", limit=3).hits
    assert hits and gone not in [hit.article.pk for hit in hits]


def test_search_finds_the_new_text_of_articles_changed_in_place(corpus, tmp_path):
    laws_import(sources=[_newer(tmp_path)])  # the index is the old one
    found = {hit.article.number: hit.article.content for hit in search("資遣費", limit=5).hits}
    assert found["17"] == "雇主終止勞動契約者，應按年資發給勞工資遣費。"


@pytest.fixture
def rebuilds(monkeypatch) -> list[int]:
    """The background rebuilds the server starts (recorded, not run: tests stay in-process)."""
    started: list[int] = []

    class Child:
        def poll(self):
            return 0  # finished at once: the next mismatch may start another

    def spawn():
        started.append(1)
        return Child()

    monkeypatch.setattr(index_module, "_spawn_rebuild", spawn)
    monkeypatch.setattr(index_module, "_healer", None)
    return started


async def _healthz() -> tuple[int, dict]:
    response = await AsyncClient().get("/healthz")
    return response.status_code, response.json()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_healthz_reports_a_mismatch_and_starts_a_rebuild(corpus, tmp_path, rebuilds):
    from asgiref.sync import sync_to_async

    status, body = await _healthz()
    assert (status, body["status"], body["index"]["status"]) == (200, "ok", "ok")
    assert rebuilds == []

    await sync_to_async(laws_import)(sources=[_newer(tmp_path)])
    forget_cached()
    status, body = await _healthz()
    assert (status, body["status"]) == (200, "degraded")
    assert body["index"] == {"status": "mismatch", "articles": 14, "rebuilding": True}
    assert rebuilds == [1]

    await sync_to_async(index_build)()  # what the child does
    status, body = await _healthz()
    assert (status, body["status"], body["index"]["status"]) == (200, "ok", "ok")
    assert body["index"]["articles"] == 13


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_healthz_does_not_start_a_rebuild_while_an_import_runs(corpus, tmp_path, rebuilds):
    from asgiref.sync import sync_to_async

    await sync_to_async(laws_import)(sources=[_newer(tmp_path)])
    forget_cached()
    lock = index_module.CorpusLock()
    assert lock.acquire(wait=False)
    try:
        status, body = await _healthz()
    finally:
        lock.release()
    assert body["index"]["status"] == "mismatch" and rebuilds == []


def test_the_fingerprint_is_read_from_the_database_at_most_every_few_seconds(corpus):
    from laws import fingerprint

    first = fingerprint.corpus_fingerprint_cached(now=1000.0)
    Article.objects.filter(number="17").delete()
    assert fingerprint.corpus_fingerprint_cached(now=1000.0 + 1) == first
    later = fingerprint.corpus_fingerprint_cached(now=1000.0 + fingerprint.CACHE_SECONDS + 1)
    assert later != first
