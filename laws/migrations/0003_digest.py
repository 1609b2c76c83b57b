"""The rows' digests (laws/fingerprint.py), computed for the corpus already imported so that an
unchanged re-import recognises its articles. The digest function is copied, not imported: a
migration must compute what it computed when it was written."""

import hashlib

from django.db import migrations, models

MODULUS = 2_147_483_647
BATCH = 5000


def _digest(*parts: str) -> int:
    raw = hashlib.blake2b("\x00".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(raw, "big") % MODULUS


def _update(schema_editor, table: str, rows: list[tuple[int, int]]) -> None:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(table)} SET {quote('digest')} = %s WHERE {quote('id')} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def fill_digests(apps, schema_editor) -> None:
    Law = apps.get_model("laws", "Law")
    Article = apps.get_model("laws", "Article")
    # The (digest, id) pairs are gathered before any row is written: no table is written while
    # a cursor still reads it.
    laws = Law.objects.values_list("id", "pcode", "name", "level", "english_name", "abolished")
    law_rows = [
        (_digest(pcode, name, level, english, "abolished" if abolished else ""), pk)
        for pk, pcode, name, level, english, abolished in laws.iterator(chunk_size=BATCH)
    ]
    articles = Article.objects.values_list("id", "chapter", "content", "content_en")
    article_rows = [
        (_digest(chapter, content, content_en), pk)
        for pk, chapter, content, content_en in articles.iterator(chunk_size=BATCH)
    ]
    _update(schema_editor, Law._meta.db_table, law_rows)
    _update(schema_editor, Article._meta.db_table, article_rows)


class Migration(migrations.Migration):
    dependencies = [
        ("laws", "0002_english_translation"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="digest",
            field=models.IntegerField(db_index=True, default=0),
        ),
        migrations.AddField(
            model_name="law",
            name="digest",
            field=models.IntegerField(db_index=True, default=0),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
    ]
