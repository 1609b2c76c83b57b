import copy
import functools
import http.server
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from laws.importer import laws_import
from laws.models import Article, Chapter, Law
from laws.sources import SourceError
from tests import corpus as synthetic

pytestmark = pytest.mark.django_db


def test_import_stores_laws_chapters_and_articles(corpus_files):
    summary = laws_import(sources=corpus_files)
    assert summary.laws_added == 6
    assert summary.articles_added == Article.objects.count() == 16
    labour = Law.objects.get(pcode="N0030001")
    assert labour.name == "勞動基準法"
    assert labour.level == "法律"
    assert labour.english_name == "Labor Standards Act"
    assert labour.url.endswith("pcode=N0030001")
    assert not labour.abolished
    assert Law.objects.get(pcode="Z0000001").abolished
    assert Law.objects.get(pcode="N0030002").level == "命令"
    assert list(Chapter.objects.filter(law=labour).values_list("heading", flat=True))[:2] == [
        "第 一 章 總則",
        "第 二 章 勞動契約",
    ]
    article = Article.objects.get(law=labour, number="10-1")
    assert article.chapter == "第 二 章 勞動契約"
    assert article.url.endswith("pcode=N0030001&flno=10-1")
    assert "\r" not in Article.objects.get(law=labour, number="2").content


def test_reimporting_the_same_snapshot_changes_nothing(corpus_files):
    laws_import(sources=corpus_files)
    ids = set(Article.objects.values_list("id", flat=True))
    summary = laws_import(sources=corpus_files)
    assert (summary.laws_added, summary.laws_changed, summary.laws_unchanged) == (0, 0, 6)
    assert summary.articles_unchanged == 16
    assert set(Article.objects.values_list("id", flat=True)) == ids


def test_a_newer_snapshot_updates_what_changed(tmp_path, corpus_files):
    laws_import(sources=corpus_files)
    civil = copy.deepcopy(synthetic.CIVIL)
    civil["LawArticles"][0]["ArticleContent"] = "因故意或過失侵害他人權利者，應負賠償責任。"
    civil["LawArticles"].append(
        synthetic.article("185", "數人共同不法侵害他人之權利者，連帶負責。")
    )
    newer = synthetic.write_zip(tmp_path / "newer.zip", [civil])
    summary = laws_import(sources=[str(newer)])
    assert (summary.laws_changed, summary.laws_unchanged) == (1, 0)
    assert (summary.articles_changed, summary.articles_added, summary.articles_unchanged) == (
        1,
        1,
        1,
    )
    assert Article.objects.get(law__pcode="B0000001", number="184").content.startswith(
        "因故意或過失侵害"
    )
    assert Article.objects.filter(law__pcode="N0030001").count() == 9


@pytest.mark.parametrize(
    "content, message",
    [
        (b"PK\x03\x04 this is not really a zip", "corrupt zip"),
        (b"\xef\xbb\xbf{not json", "not valid JSON"),
        (b'{"Laws": "nope"}', "no 'Laws' list"),
        (b'{"Laws": [{"LawName": "x"}]}', "no pcode"),
        (b"\xff\xfe\x00\x00", "not UTF-8"),
    ],
)
def test_a_bad_file_gives_one_line_and_leaves_the_corpus_intact(
    tmp_path, corpus_files, content, message
):
    laws_import(sources=corpus_files)
    before = Article.objects.count()
    bad = tmp_path / "bad.json.zip"
    bad.write_bytes(content)
    with pytest.raises(CommandError) as error:
        call_command("import_laws", corpus_files[0], str(bad), "--no-progress")
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert Article.objects.count() == before


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(SourceError, match="no such file"):
        laws_import(sources=["/nonexistent/ChLaw.json.zip"])


def test_import_from_an_http_url(tmp_path, corpus_files):
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "corpus")
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/ChLaw.json.zip"
        summary = laws_import(sources=[url])
    finally:
        server.shutdown()
    assert summary.laws_added == 5


def test_import_command_prints_a_summary_and_builds_the_index(corpus_files, capsys, settings):
    call_command("import_laws", *corpus_files, "--no-progress")
    out = capsys.readouterr().out
    assert "laws: 6 added, 0 changed, 0 unchanged" in out
    assert "Search index: 14 articles" in out  # in force, repealed article left out
    assert (settings.LAWBOT_INDEX_DIR / "terms.npy").exists()


def test_import_uses_lawbot_law_source_by_default(corpus_files, settings, capsys):
    settings.LAWBOT_LAW_SOURCE = corpus_files
    call_command("import_laws", "--no-progress")
    assert Law.objects.count() == 6


def test_unchanged_reimport_keeps_the_index(corpus_files, capsys, settings):
    call_command("import_laws", *corpus_files, "--no-progress")
    built = (settings.LAWBOT_INDEX_DIR / "meta.json").read_text()
    call_command("import_laws", *corpus_files, "--no-progress")
    assert "Search index: up to date" in capsys.readouterr().out
    assert (settings.LAWBOT_INDEX_DIR / "meta.json").read_text() == built
    call_command("import_laws", *corpus_files, "--no-progress", "--rebuild-index")
    assert (settings.LAWBOT_INDEX_DIR / "meta.json").read_text() != built


def _zip(path, member: bytes):
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ChLaw.json", member)
    return path


def test_a_zip_with_corrupt_compressed_data_is_a_clear_error(tmp_path):
    from laws.sources import parse_source

    data = bytearray(_zip(tmp_path / "c.zip", b'{"Laws": []}' + b" " * 5000).read_bytes())
    start = 30 + len("ChLaw.json")  # the local header, then the deflated bytes
    data[start : start + 8] = b"\xff" * 8
    with pytest.raises(SourceError, match="corrupt zip"):
        parse_source("c.zip", bytes(data))


def test_a_zip_bomb_is_refused_before_it_fills_memory(tmp_path, monkeypatch):
    from laws import sources

    monkeypatch.setattr(sources, "MAX_UNZIPPED_BYTES", 1 << 20)
    bomb = _zip(tmp_path / "bomb.zip", b" " * (4 << 20)).read_bytes()  # 4 MiB of spaces
    assert len(bomb) < 10_000
    with pytest.raises(SourceError, match="unpacks to more than 1 MiB"):
        sources.parse_source("bomb.zip", bomb)


def test_english_translations_join_the_chinese_laws(tmp_path, corpus_files):
    english = synthetic.write_english(tmp_path / "english")
    laws_import(sources=[*corpus_files, english])
    labour = Law.objects.get(pcode="N0030001")
    assert labour.url_en == "https://law.moj.gov.tw/Eng/LawClass/LawAll.aspx?pcode=N0030001"
    assert labour.translated_date == "20230101"
    assert labour.english_name == "Labor Standards Act"
    severance = Article.objects.get(law=labour, number="17")
    assert severance.content.startswith("雇主依前條")  # the Chinese text is still the law
    assert severance.content_en.startswith("An employer terminating")
    assert severance.url_en.endswith("/Eng/LawClass/LawSingle.aspx?pcode=N0030001&flno=17")
    assert Article.objects.get(law=labour, number="10-1").content_en.startswith("An employer")
    lagging = Article.objects.get(law=labour, number="84-2")
    assert (lagging.content_en, lagging.url_en) == ("", "")
    assert Law.objects.get(pcode="B0000001").url_en == ""  # no translation in this file


def test_reimporting_with_translations_changes_nothing(tmp_path, corpus_files):
    sources = [*corpus_files, synthetic.write_english(tmp_path / "english")]
    laws_import(sources=sources)
    summary = laws_import(sources=list(reversed(sources)))
    assert (summary.laws_added, summary.laws_changed, summary.laws_unchanged) == (0, 0, 6)


def test_english_file_alone_joins_the_laws_already_imported(tmp_path, corpus_files):
    laws_import(sources=corpus_files)
    english = synthetic.write_english(tmp_path / "english")
    first = laws_import(sources=[english])
    assert first.laws_changed == 3
    assert Article.objects.get(law__pcode="C0000001", number="185-3").content_en
    again = laws_import(sources=[english])
    assert (again.laws_changed, again.laws_unchanged) == (0, 3)


def _ids() -> dict[tuple[str, str], int]:
    return {(p, n): pk for pk, p, n in Article.objects.values_list("id", "law__pcode", "number")}


def test_a_changed_law_is_updated_in_place(tmp_path, corpus_files):
    laws_import(sources=corpus_files)
    before = _ids()
    chapters = dict(Chapter.objects.values_list("heading", "id"))
    labour = copy.deepcopy(synthetic.LABOUR)
    items = labour["LawArticles"]
    items[0]["ArticleContent"] = "第 一 章 通則"  # a chapter renamed in place
    changed = next(a for a in items if a["ArticleNo"] == "第 17 條")
    changed["ArticleContent"] = "雇主終止勞動契約者，應發給勞工資遣費。"
    items.remove(next(a for a in items if a["ArticleNo"] == "第 38 條"))
    items.insert(3, synthetic.article("11", "非有法定事由，雇主不得預告勞工終止勞動契約。"))
    newer = synthetic.write_zip(tmp_path / "newer.zip", [labour, synthetic.CIVIL])
    summary = laws_import(sources=[str(newer)])

    assert (summary.laws_changed, summary.laws_unchanged) == (1, 1)
    # Changed: §17's text, and §1 and §2, whose chapter heading is part of what is indexed.
    assert (
        summary.articles_added,
        summary.articles_changed,
        summary.articles_removed,
        summary.articles_unchanged,
    ) == (1, 3, 1, 5 + 2)
    after = _ids()
    assert ("N0030001", "38") not in after
    assert after.pop(("N0030001", "11")) not in before.values()
    assert after == {key: pk for key, pk in before.items() if key != ("N0030001", "38")}
    severance = Article.objects.get(pk=before["N0030001", "17"])
    assert severance.content == "雇主終止勞動契約者，應發給勞工資遣費。"
    assert severance.position == 5  # 1, 2, 11 (inserted), 10-1, 16, 17
    numbers = Article.objects.filter(law__pcode="N0030001").values_list("number", flat=True)
    assert list(numbers) == ["1", "2", "11", "10-1", "16", "17", "24", "39", "84-2"]
    assert Chapter.objects.get(heading="第 一 章 通則").id == chapters["第 一 章 總則"]
    assert Chapter.objects.get(heading="第 二 章 勞動契約").id == chapters["第 二 章 勞動契約"]


def test_articles_numbered_alike_are_matched_in_order(tmp_path):
    twice = synthetic.law(
        "A0000009",
        "重複條號測試法",
        [synthetic.article("5", "甲。"), synthetic.article("5", "乙。")],
    )
    laws_import(sources=[str(synthetic.write_zip(tmp_path / "a.zip", [twice]))])
    first, second = Article.objects.order_by("position").values_list("id", flat=True)
    twice["LawArticles"][1]["ArticleContent"] = "丙。"
    summary = laws_import(sources=[str(synthetic.write_zip(tmp_path / "b.zip", [twice]))])
    assert (summary.articles_changed, summary.articles_unchanged) == (1, 1)
    assert list(Article.objects.order_by("position").values_list("id", "content")) == [
        (first, "甲。"),
        (second, "丙。"),
    ]


def test_an_import_is_written_in_batches_each_law_whole(
    tmp_path, corpus_files, settings, monkeypatch
):
    """A batch that fails leaves the batches before it written and its own laws untouched;
    the next import writes the rest."""
    from laws import importer

    settings.LAWBOT_IMPORT_BATCH = 1  # one law per transaction
    monkeypatch.setattr(importer, "SQLITE_BATCH_PAUSE", 0)
    written = []
    real = importer._write_batch

    def failing_third(batch, summary):
        if len(written) == 2:
            raise RuntimeError("killed")
        real(batch, summary)
        written.append(batch[0][1].pcode)

    monkeypatch.setattr(importer, "_write_batch", failing_third)
    with pytest.raises(RuntimeError):
        laws_import(sources=corpus_files)
    assert sorted(Law.objects.values_list("pcode", flat=True)) == sorted(written)
    for pcode in written:
        law = Law.objects.get(pcode=pcode)
        source = next(raw for raw in synthetic.ACTS + synthetic.ORDERS if pcode in raw["LawURL"])
        numbers = [a for a in source["LawArticles"] if a["ArticleType"] == "A"]
        assert law.articles.count() == len(numbers)

    monkeypatch.setattr(importer, "_write_batch", real)
    summary = laws_import(sources=corpus_files)
    assert (summary.laws_added, summary.laws_unchanged) == (4, 2)
    assert Article.objects.count() == 16


def test_imported_rows_carry_their_digests(tmp_path, corpus_files):
    from laws.fingerprint import article_digest, law_digest

    laws_import(sources=[*corpus_files, synthetic.write_english(tmp_path / "english")])
    article = Article.objects.select_related("law").get(law__pcode="N0030001", number="17")
    assert article.digest == article_digest(article.chapter, article.content, article.content_en)
    law = article.law
    assert law.digest == law_digest(law.pcode, law.name, law.level, law.english_name, law.abolished)
