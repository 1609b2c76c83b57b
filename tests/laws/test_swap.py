from pathlib import Path

from laws.swap import resolved, swap_in


def _folder(path: Path, text: str) -> Path:
    path.mkdir()
    (path / "meta.json").write_text(text)
    return path


def test_a_swap_replaces_the_link_and_keeps_the_previous_folder(tmp_path):
    index = tmp_path / "index"
    swap_in(_folder(tmp_path / "index.tmp", "one"), index)
    first = resolved(index)
    swap_in(_folder(tmp_path / "index.tmp", "two"), index)
    second = resolved(index)
    assert index.is_symlink() and (index / "meta.json").read_text() == "two"
    assert first != second and (first / "meta.json").read_text() == "one"  # a late reader's
    swap_in(_folder(tmp_path / "index.tmp", "three"), index)
    assert not first.exists() and second.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("index.")) == sorted(
        [second.name, resolved(index).name]
    )


def test_a_folder_from_before_the_links_is_replaced(tmp_path):
    index = _folder(tmp_path / "index", "legacy")
    (tmp_path / "index.old").mkdir()  # left by the two-rename swap
    swap_in(_folder(tmp_path / "index.tmp", "new"), index)
    assert index.is_symlink() and (index / "meta.json").read_text() == "new"
    assert (tmp_path / "index.v0" / "meta.json").read_text() == "legacy"
    assert not (tmp_path / "index.old").exists()
