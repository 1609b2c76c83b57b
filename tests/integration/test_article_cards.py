"""Every article card (laws/lexicon/articles/*.tsv) names an article of the full snapshot, not a repealed one."""

import os
from pathlib import Path

import pytest

from laws.importer import laws_import
from laws.models import Article

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
SOURCES = [p for p in os.environ.get("LAWBOT_TEST_CORPUS", "").split(",") if p]
CARDS_DIR = Path(__file__).resolve().parents[2] / "laws" / "lexicon" / "articles"


def card_keys() -> list[tuple[str, str]]:
    keys = []
    for path in sorted(CARDS_DIR.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                keys.append((path.name, line.split("\t")[0]))
    return keys


def test_every_card_names_an_article_in_force():
    if not SOURCES:
        pytest.skip("LAWBOT_TEST_CORPUS is not set (.ci/run sets it)")
    laws_import(sources=SOURCES)
    keys = card_keys()
    assert keys
    wanted = {key for _, key in keys}
    pcodes = {key.split(":")[0] for key in wanted}
    found = {
        f"{pcode}:{number}": content
        for pcode, number, content in Article.objects.filter(law__pcode__in=pcodes).values_list(
            "law__pcode", "number", "content"
        )
    }
    missing = [f"{name} {key}" for name, key in keys if key not in found]
    repealed = [
        f"{name} {key}"
        for name, key in keys
        if found.get(key, "").strip() in {"（刪除）", "(刪除)", "刪除"}
    ]
    assert not missing, f"cards name articles the corpus lacks: {missing}"
    assert not repealed, f"cards name repealed articles: {repealed}"
