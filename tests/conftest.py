import pytest
from django.contrib.auth import get_user_model

from api_keys.services import api_key_create, recent_keys
from laws.fingerprint import forget_cached
from laws.importer import laws_import
from laws.index import index_build
from tests.corpus import write_corpus
from tests.standin_llm import StandInLLM


@pytest.fixture(autouse=True)
def _isolated_index(settings, tmp_path):
    settings.LAWBOT_INDEX_DIR = tmp_path / "index"
    settings.LAWBOT_COMPOSER_DELAY_MS = 0
    recent_keys.clear()  # the database is rolled back between tests; keys found must be too
    forget_cached()  # and the fingerprint of the last test's corpus


@pytest.fixture
def corpus_files(tmp_path) -> list[str]:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def corpus(corpus_files, settings):
    """The synthetic corpus imported and indexed (needs a django_db mark on the test)."""
    laws_import(sources=corpus_files)
    index_build(directory=settings.LAWBOT_INDEX_DIR)
    return corpus_files


@pytest.fixture
def owner():
    return get_user_model().objects.create_user("owner", password="owner-password-1")


@pytest.fixture
def api_secret(owner) -> str:
    return api_key_create(user=owner, name="test").secret


def pytest_sessionfinish(session, exitstatus):
    """On PostgreSQL, drop the run's test database even when a live server's connection made
    Django's own teardown give up ("being accessed by other users"): runs must not pile up
    databases on a long-lived machine."""
    from django.conf import settings
    from django.db import connections

    if not settings.configured or "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return
    name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if not name:
        return
    import psycopg
    from psycopg import sql

    connections.close_all()
    params = settings.DATABASES["default"]
    with psycopg.connect(
        dbname="postgres",
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="module")
def standin():
    """A stand-in OpenAI-compatible upstream LLM (tests/standin_llm.py)."""
    with StandInLLM() as server:
        yield server


@pytest.fixture
def upstream(standin, settings):
    standin.reset()
    settings.LAWBOT_LLM_BASE_URL = standin.url
    settings.LAWBOT_LLM_MODEL = "standin-7b"
    settings.LAWBOT_LLM_TIMEOUT = 5.0
    yield standin
    standin.release()  # lets a response held by the test end
