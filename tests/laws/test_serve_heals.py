"""`serve` at start-up: an index that does not match the database is rebuilt in the background
(and the meaning index then follows it); one that matches gets its meaning index at once."""

import pytest
from django.core.management import call_command

from lawbot_site.management.commands import serve
from laws.importer import laws_import
from tests import corpus as synthetic

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(monkeypatch) -> list[str]:
    calls: list[str] = []

    def exec_daphne(*args):
        raise SystemExit(0)  # what would have become daphne

    monkeypatch.setattr(serve.os, "execv", exec_daphne)
    monkeypatch.setattr(serve, "index_rebuild_in_background", lambda: calls.append("index"))
    monkeypatch.setattr(serve, "meaning_build_in_background", lambda: calls.append("meaning"))
    return calls


def test_serve_rebuilds_a_mismatched_index_before_serving(corpus, tmp_path, started):
    amended = synthetic.law("B0000001", "民法", [synthetic.article("184", "改寫之條文。")])
    laws_import(sources=[str(synthetic.write_zip(tmp_path / "a.zip", [amended]))])
    with pytest.raises(SystemExit):
        call_command("serve")
    assert started == ["index"]


def test_serve_with_an_index_that_agrees_starts_the_meaning_index(corpus, started):
    with pytest.raises(SystemExit):
        call_command("serve")
    assert started == ["meaning"]
