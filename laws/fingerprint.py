"""What the search index was built from, and whether the database still says the same.

Every article and law row carries a digest of the fields the indexes read from it (written by
the importer with the row). The corpus fingerprint sums, over all articles and over all laws,
each row's digest mixed with its id, in one aggregate query the database answers from the rows'
two integer columns; an index records the fingerprint of the database it was built from, and an
index whose fingerprint differs from the database's is out of date (an import was interrupted
before its index was swapped in), whatever its age says.

The mix is (digest × (id mod 65521 + 1)) mod 2³¹−1 per row: not linear in the pair, so two rows
swapping their texts change the sum, and small enough that the sum of millions of rows fits in a
64-bit integer on SQLite and PostgreSQL alike."""

import hashlib
import threading
import time

from django.db import connections, router

from laws.models import Article, Law

MODULUS = 2_147_483_647  # 2³¹ − 1: digests fit a 32-bit signed integer column
ID_SPREAD = 65_521
CACHE_SECONDS = 5.0


def _digest(*parts: str) -> int:
    raw = hashlib.blake2b("\x00".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(raw, "big") % MODULUS


def article_digest(chapter: str, content: str, content_en: str) -> int:
    """What the word and meaning indexes read from an article (its law's part is the law's)."""
    return _digest(chapter, content, content_en)


def law_digest(pcode: str, name: str, level: str, english_name: str, abolished: bool) -> int:
    """What the indexes read from a law: its names and level (law-name detection, the level's
    prior, the passages' lead) and whether it is in force (which articles are indexed)."""
    return _digest(pcode, name, level, english_name, "abolished" if abolished else "")


def mix(row_id: int, digest: int) -> int:
    """One row's share of the fingerprint: the same arithmetic as the SQL in corpus_fingerprint."""
    return digest * (row_id % ID_SPREAD + 1) % MODULUS


def corpus_fingerprint() -> dict[str, int]:
    """{"articles", "article_sum", "laws", "law_sum"} of the database now, in one query."""
    alias = router.db_for_read(Article)
    connection = connections[alias]
    quote = connection.ops.quote_name

    def part(tag: str, model) -> str:
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        row = f"({quote('digest')} * ({pk} % {ID_SPREAD} + 1)) % {MODULUS}"
        return f"SELECT '{tag}', COUNT(*), COALESCE(SUM({row}), 0) FROM {table}"

    with connection.cursor() as cursor:
        cursor.execute(f"{part('article', Article)} UNION ALL {part('law', Law)}")
        found = {tag: (int(count), int(total)) for tag, count, total in cursor.fetchall()}
    return {
        "articles": found["article"][0],
        "article_sum": found["article"][1],
        "laws": found["law"][0],
        "law_sum": found["law"][1],
    }


_cache_lock = threading.Lock()
_cached: tuple[float, dict[str, int]] | None = None


def corpus_fingerprint_cached(*, now: float | None = None) -> dict[str, int]:
    """corpus_fingerprint(), asked of the database at most once every CACHE_SECONDS (for
    /healthz, which load balancers probe every few seconds)."""
    global _cached
    now = time.monotonic() if now is None else now
    with _cache_lock:
        if _cached is not None and now - _cached[0] < CACHE_SECONDS:
            return _cached[1]
    found = corpus_fingerprint()
    with _cache_lock:
        _cached = (now, found)
    return found


def forget_cached() -> None:
    global _cached
    with _cache_lock:
        _cached = None
