"""laws_import: bring the database in line with one or more Ministry snapshots.

The English translations (EngLaw/EngOrder) are joined to the Chinese law of the same pcode and
article number: the law gets its English name, page and translation date, each article its
English text where the translation has it."""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from laws.models import Article, Chapter, Law
from laws.sources import LawRecord, TranslationRecord, load_source

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
            Article(
                law=law,
                position=i,
                number=a.number,
                chapter=a.chapter,
                content=a.content,
                content_en=_english(record, a.number),
            )
            for law, record in pairs
            for i, a in enumerate(record.articles)
        ),
        batch_size=5000,
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
    return values


def _translate_existing(translations: list[TranslationRecord], summary: ImportSummary) -> None:
    """English files imported without their Chinese ones: the translations join the laws
    already in the database (the articles whose English text differs are updated)."""
    laws = Law.objects.in_bulk([t.pcode for t in translations], field_name="pcode")
    for translation in translations:
        law = laws.get(translation.pcode)
        if law is None:
            continue
        changed = [
            pk
            for pk, number, content_en in law.articles.values_list("pk", "number", "content_en")
            if translation.articles.get(number, "") != content_en
        ]
        if not changed and law.translated_date == translation.translated_date:
            summary.laws_unchanged += 1
            continue
        Law.objects.filter(pk=law.pk).update(
            english_name=law.english_name or translation.name,
            url_en=translation.url,
            translated_date=translation.translated_date,
        )
        for article in Article.objects.filter(pk__in=changed).only("pk", "number"):
            article.content_en = translation.articles.get(article.number, "")
            article.save(update_fields=["content_en"])
        summary.laws_changed += 1
        summary.articles_changed += len(changed)


def _count_article_changes(law: Law, record: LawRecord, summary: ImportSummary) -> None:
    old = {n: (c, e) for n, c, e in law.articles.values_list("number", "content", "content_en")}
    new = {a.number: (a.content, _english(record, a.number)) for a in record.articles}
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
    translations: dict[str, TranslationRecord] = {}
    for source in sources:
        _, laws = load_source(source)
        for record in laws:
            found = translations if isinstance(record, TranslationRecord) else records
            found[record.pcode] = record
    records = {pcode: _joined(r, translations.pop(pcode, None)) for pcode, r in records.items()}

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
            values = _law_values(record)
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
        _translate_existing(list(translations.values()), summary)
    return summary
