"""The Ministry's full snapshot (LAWBOT_TEST_CORPUS), imported once for every integration test:
an import and its index take a minute or more, and each module importing its own took three."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings

from laws.card_vectors import card_vectors_build
from laws.cards import card_index
from laws.embedders import get_embedder
from laws.importer import ImportSummary, laws_import
from laws.index import index_build
from laws.meaning import meaning_build
from laws.models import Law

SOURCES = [p for p in os.environ.get("LAWBOT_TEST_CORPUS", "").split(",") if p]
# With a vector cache folder, the meaning index is built too and the figures include it. The
# cards' vectors (seconds) are built either way.
EMBED_CACHE = os.environ.get("LAWBOT_TEST_EMBED_CACHE", "")


@dataclass(frozen=True)
class Snapshot:
    summary: ImportSummary  # what the one import did (into an empty database)
    index: Path


@pytest.fixture(scope="package")
def snapshot(django_db_setup, django_db_blocker, tmp_path_factory) -> Snapshot:
    """Imported and committed once; deleted after the last integration test, so that the tests
    that follow find the empty database they expect."""
    if not SOURCES:
        pytest.skip("LAWBOT_TEST_CORPUS is not set (.ci/run sets it)")
    for source in SOURCES:
        assert Path(source).is_file(), f"LAWBOT_TEST_CORPUS names a missing file: {source}"
    directory = tmp_path_factory.mktemp("full") / "index"
    with django_db_blocker.unblock():
        summary = laws_import(sources=SOURCES)
        index_build(directory=directory)
        cache = EMBED_CACHE or tmp_path_factory.mktemp("embed-cache")
        with override_settings(LAWBOT_INDEX_DIR=directory, LAWBOT_EMBED_CACHE=cache):
            if EMBED_CACHE:
                stats = meaning_build()
                print(f"meaning index: {stats.passages} passages, {stats.embedded} embedded now")
            else:
                card_vectors_build(get_embedder(), card_index().cards)
    yield Snapshot(summary, directory)
    with django_db_blocker.unblock():
        Law.objects.all().delete()


@pytest.fixture
def full_corpus(snapshot, settings) -> Snapshot:
    settings.LAWBOT_INDEX_DIR = snapshot.index
    return snapshot
