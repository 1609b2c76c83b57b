"""laws_import: bring the database in line with one or more Ministry snapshots.

The English translations (EngLaw/EngOrder) are joined to the Chinese law of the same pcode and
article number: the law gets its English name, page and translation date, each article its
English text where the translation has it.

Rows keep their identity across re-imports: a changed law is updated in its row, and its articles
are matched to the new record by number (the k-th article numbered 17 with the k-th, should a law
ever number two alike) and updated in place where they differ, inserted where new, deleted where
gone; its chapters are matched by position. The search indexes map their documents to article
ids, so the index built before an import keeps finding live rows (with their new text) until the
one built after it is swapped in; an article the import removed is skipped by search.

Writes are committed in batches of laws (LAWBOT_IMPORT_BATCH article rows each), not in one
transaction, because every intermediate state is as searchable as the last:
- a law is written whole in one transaction together with its content_hash, so each law is
  either entirely old or entirely new, and an import killed mid-way is resumed by the next one
  (the laws already written are unchanged to it, the rest are written);
- the index searched meanwhile (the previous one) finds each of its documents' rows, with the
  old or the new text of their law, or no row for an article removed; articles and laws that are
  new wait for the new index.
One transaction over the whole import would buy nothing, and on SQLite it would hold the
database's only write lock for its whole length, while every request's log row waits for it."""

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from laws.fingerprint import article_digest, law_digest
from laws.models import Article, Chapter, Law
from laws.phases import pause_point
from laws.sources import ArticleRecord, LawRecord, TranslationRecord, load_source

# Between two batches on SQLite: longer than SQLite's longest wait between two tries for a busy
# lock (100 ms), so that a request waiting to write gets in before the next batch takes the lock.
SQLITE_BATCH_PAUSE = 0.12
ARTICLE_FIELDS = ["position", "number", "chapter", "content", "content_en", "digest"]
DELETE_CHUNK = 500  # ids per DELETE … IN (…)

LAW_FIELDS = [
    "name",
    "level",
    "category",
    "modified_date",
    "effective_date",
    "effective_note",
    "abolished",
    "english_name",
    "url",
    "foreword",
    "histories",
    "content_hash",
]


@dataclass
class ImportSummary:
    laws_added: int = 0
    laws_changed: int = 0
    laws_unchanged: int = 0
    articles_added: int = 0
    articles_changed: int = 0
    articles_removed: int = 0
    articles_unchanged: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.laws_added or self.laws_changed)

    def __str__(self) -> str:
        return (
            f"laws: {self.laws_added} added, {self.laws_changed} changed, "
            f"{self.laws_unchanged} unchanged; articles: {self.articles_added} added, "
            f"{self.articles_changed} changed, {self.articles_removed} removed, "
            f"{self.articles_unchanged} unchanged"
        )


def _english(record: LawRecord, number: str) -> str:
    return record.translation.articles.get(number, "") if record.translation else ""


def _joined(record: LawRecord, translation: TranslationRecord | None) -> LawRecord:
    """The Chinese record with its translation; the digest covers both, so a new translation
    of an unchanged law is imported and an unchanged pair is skipped."""
    if translation is None:
        return record
    record.translation = translation
    record.english_name = record.english_name or translation.name
    record.content_hash = hashlib.sha256(
        f"{record.content_hash}:{translation.content_hash}".encode()
    ).hexdigest()
    return record


def _law_values(record: LawRecord) -> dict:
    values = {name: getattr(record, name) for name in LAW_FIELDS}
    translation = record.translation
    values["url_en"] = translation.url if translation else ""
    values["translated_date"] = translation.translated_date if translation else ""
    values["digest"] = law_digest(
        record.pcode, record.name, record.level, values["english_name"], record.abolished
    )
    return values


def _keyed(records: list[ArticleRecord]) -> Iterator[tuple[tuple[str, int], int, ArticleRecord]]:
    """((number, occurrence), position, article) for a law's articles in order."""
    seen: Counter[str] = Counter()
    for position, article in enumerate(records):
        yield (article.number, seen[article.number]), position, article
        seen[article.number] += 1


def _old_articles(law_ids: list[int]) -> dict[int, dict[tuple[str, int], tuple[int, int, int]]]:
    """law id → {(number, occurrence): (pk, position, digest)} of the articles stored now."""
    found: dict[int, dict[tuple[str, int], tuple[int, int, int]]] = defaultdict(dict)
    seen: Counter[tuple[int, str]] = Counter()
    rows = (
        Article.objects.filter(law_id__in=law_ids)
        .order_by("law_id", "position", "id")
        .values_list("id", "law_id", "number", "position", "digest")
    )
    for pk, law_id, number, position, digest in rows:
        found[law_id][(number, seen[law_id, number])] = (pk, position, digest)
        seen[law_id, number] += 1
    return found


def _sync_articles(pairs: list[tuple[Law, LawRecord]], summary: ImportSummary) -> None:
    """The articles of pairs' laws (new or changed) made to match their records, in place."""
    old = _old_articles([law.pk for law, _ in pairs])
    create: list[Article] = []
    update: list[tuple] = []  # the ARTICLE_FIELDS' values, then the id
    moved: list[tuple[int, int]] = []  # (position, id): only their place changed
    remove: list[int] = []
    for law, record in pairs:
        stored = old.get(law.pk, {})
        matched = set()
        for key, position, article in _keyed(record.articles):
            content_en = _english(record, article.number)
            digest = article_digest(article.chapter, article.content, content_en)
            fields = {
                "position": position,
                "number": article.number,
                "chapter": article.chapter,
                "content": article.content,
                "content_en": content_en,
                "digest": digest,
            }
            found = stored.get(key)
            if found is None:
                create.append(Article(law=law, **fields))
                summary.articles_added += 1
                continue
            matched.add(key)
            pk, old_position, old_digest = found
            if old_digest == digest:
                summary.articles_unchanged += 1
            else:
                summary.articles_changed += 1
            if old_digest != digest:
                update.append((*(fields[name] for name in ARTICLE_FIELDS), pk))
            elif old_position != position:
                moved.append((position, pk))
        gone = [pk for key, (pk, _, _) in stored.items() if key not in matched]
        summary.articles_removed += len(gone)
        remove.extend(gone)
    for start in range(0, len(remove), DELETE_CHUNK):
        Article.objects.filter(pk__in=remove[start : start + DELETE_CHUNK]).delete()
    _update_rows(Article, ARTICLE_FIELDS, update)
    _update_rows(Article, ["position"], moved)
    Article.objects.bulk_create(create, batch_size=5000)


def _update_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """UPDATE … SET fields WHERE id for each row (its values, then its id), as one prepared
    statement: an article removed near a law's start moves every article after it, and
    bulk_update's CASE expressions over thousands of rows held SQLite's lock for seconds."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(model._meta.get_field(f).column)} = %s" for f in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {columns} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _sync_chapters(pairs: list[tuple[Law, LawRecord]]) -> None:
    """The chapters of pairs' laws made to match their records, matched by position."""
    old: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
    rows = Chapter.objects.filter(law_id__in=[law.pk for law, _ in pairs])
    for pk, law_id, position, heading in rows.values_list("id", "law_id", "position", "heading"):
        old[law_id][position] = (pk, heading)
    create: list[Chapter] = []
    update: list[Chapter] = []
    remove: list[int] = []
    for law, record in pairs:
        stored = old.get(law.pk, {})
        for position, heading in enumerate(record.chapters):
            found = stored.get(position)
            if found is None:
                create.append(Chapter(law=law, position=position, heading=heading))
            elif found[1] != heading:
                update.append(Chapter(pk=found[0], law=law, position=position, heading=heading))
        remove.extend(
            pk for position, (pk, _) in stored.items() if position >= len(record.chapters)
        )
    for start in range(0, len(remove), DELETE_CHUNK):
        Chapter.objects.filter(pk__in=remove[start : start + DELETE_CHUNK]).delete()
    Chapter.objects.bulk_update(update, ["heading"], batch_size=500)
    Chapter.objects.bulk_create(create, batch_size=5000)


def _write_batch(batch: list[tuple[Law | None, LawRecord]], summary: ImportSummary) -> None:
    """One transaction: the batch's laws (None: new) and all their children, whole."""
    with transaction.atomic():
        new: list[tuple[Law, LawRecord]] = []
        changed: list[tuple[Law, LawRecord]] = []
        for law, record in batch:
            values = _law_values(record)
            if law is None:
                new.append((Law(pcode=record.pcode, **values), record))
                summary.laws_added += 1
            else:
                Law.objects.filter(pk=law.pk).update(**values)
                changed.append((law, record))
                summary.laws_changed += 1
        Law.objects.bulk_create([law for law, _ in new], batch_size=2000)
        pairs = new + changed
        _sync_chapters(pairs)
        _sync_articles(pairs, summary)
        pause_point("write")


def _between_batches() -> None:
    if connection.vendor == "sqlite":
        time.sleep(SQLITE_BATCH_PAUSE)


def _translate_existing(translations: list[TranslationRecord], summary: ImportSummary) -> None:
    """English files imported without their Chinese ones: the translations join the laws
    already in the database (the articles whose English text differs are updated, in place),
    one law per transaction."""
    laws = Law.objects.in_bulk([t.pcode for t in translations], field_name="pcode")
    for translation in translations:
        law = laws.get(translation.pcode)
        if law is None:
            continue
        rows = law.articles.values_list("pk", "number", "chapter", "content", "content_en")
        changed = [
            Article(
                pk=pk,
                content_en=translation.articles.get(number, ""),
                digest=article_digest(chapter, content, translation.articles.get(number, "")),
            )
            for pk, number, chapter, content, content_en in rows
            if translation.articles.get(number, "") != content_en
        ]
        if not changed and law.translated_date == translation.translated_date:
            summary.laws_unchanged += 1
            continue
        english_name = law.english_name or translation.name
        with transaction.atomic():
            Law.objects.filter(pk=law.pk).update(
                english_name=english_name,
                url_en=translation.url,
                translated_date=translation.translated_date,
                digest=law_digest(law.pcode, law.name, law.level, english_name, law.abolished),
            )
            Article.objects.bulk_update(changed, ["content_en", "digest"], batch_size=500)
        summary.laws_changed += 1
        summary.articles_changed += len(changed)


def _read(sources: Iterable[str]) -> tuple[dict[str, LawRecord], dict[str, TranslationRecord]]:
    records: dict[str, LawRecord] = {}
    translations: dict[str, TranslationRecord] = {}
    for source in sources:
        _, laws = load_source(source)
        for record in laws:
            found = translations if isinstance(record, TranslationRecord) else records
            found[record.pcode] = record
    records = {pcode: _joined(r, translations.pop(pcode, None)) for pcode, r in records.items()}
    return records, translations


def laws_import(
    *,
    sources: Iterable[str],
    progress: Callable[[Iterable[LawRecord], int], Iterable[LawRecord]] | None = None,
) -> ImportSummary:
    """Reads every source first (a bad file stops the import before anything is written), then
    writes the laws that changed, in batches (see the module's docstring). Raises SourceError
    for an unreadable source."""
    records, translations = _read(sources)
    pause_point("read")
    summary = ImportSummary()
    existing = {law.pcode: law for law in Law.objects.only("id", "pcode", "content_hash")}
    items: Iterable[LawRecord] = records.values()
    if progress:
        items = progress(items, len(records))
    batch: list[tuple[Law | None, LawRecord]] = []
    pending = 0
    for record in items:
        law = existing.get(record.pcode)
        if law is not None and law.content_hash == record.content_hash:
            summary.laws_unchanged += 1
            summary.articles_unchanged += len(record.articles)
            continue
        batch.append((law, record))
        pending += len(record.articles) + 1
        if pending >= settings.LAWBOT_IMPORT_BATCH:
            _write_batch(batch, summary)
            batch, pending = [], 0
            pause_point("batch")
            _between_batches()
    if batch:
        _write_batch(batch, summary)
    _translate_existing(list(translations.values()), summary)
    return summary
