"""laws_import: bring the database in line with one or more Ministry snapshots."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from laws.models import Article, Chapter, Law
from laws.sources import LawRecord, load_source

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


def _write_children(pairs: list[tuple[Law, LawRecord]]) -> None:
    Chapter.objects.bulk_create(
        (
            Chapter(law=law, position=i, heading=heading)
            for law, record in pairs
            for i, heading in enumerate(record.chapters)
        ),
        batch_size=5000,
    )
    Article.objects.bulk_create(
        (
            Article(law=law, position=i, number=a.number, chapter=a.chapter, content=a.content)
            for law, record in pairs
            for i, a in enumerate(record.articles)
        ),
        batch_size=5000,
    )


def _count_article_changes(law: Law, record: LawRecord, summary: ImportSummary) -> None:
    old = dict(law.articles.values_list("number", "content"))
    new = {a.number: a.content for a in record.articles}
    for number, content in new.items():
        if number not in old:
            summary.articles_added += 1
        elif old[number] != content:
            summary.articles_changed += 1
        else:
            summary.articles_unchanged += 1
    summary.articles_removed += len(old.keys() - new.keys())


def laws_import(
    *,
    sources: Iterable[str],
    progress: Callable[[Iterable[LawRecord], int], Iterable[LawRecord]] | None = None,
) -> ImportSummary:
    """Reads every source first (a bad file stops the import before anything is written), then
    writes all changes in one transaction. Raises SourceError for an unreadable source."""
    records: dict[str, LawRecord] = {}
    for source in sources:
        _, laws = load_source(source)
        for record in laws:
            records[record.pcode] = record

    summary = ImportSummary()
    existing = {law.pcode: law for law in Law.objects.only("id", "pcode", "content_hash")}
    items: Iterable[LawRecord] = records.values()
    if progress:
        items = progress(items, len(records))
    new: list[tuple[Law, LawRecord]] = []
    changed: list[tuple[Law, LawRecord]] = []
    with transaction.atomic():
        for record in items:
            law = existing.get(record.pcode)
            if law is not None and law.content_hash == record.content_hash:
                summary.laws_unchanged += 1
                summary.articles_unchanged += len(record.articles)
                continue
            values = {name: getattr(record, name) for name in LAW_FIELDS}
            if law is None:
                new.append((Law(pcode=record.pcode, **values), record))
                summary.laws_added += 1
                summary.articles_added += len(record.articles)
            else:
                _count_article_changes(law, record, summary)
                Law.objects.filter(pk=law.pk).update(**values)
                Chapter.objects.filter(law=law).delete()
                Article.objects.filter(law=law).delete()
                changed.append((law, record))
                summary.laws_changed += 1
        Law.objects.bulk_create([law for law, _ in new], batch_size=2000)
        _write_children(new + changed)
    return summary
