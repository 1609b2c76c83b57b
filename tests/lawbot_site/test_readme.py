"""The README renders as written: every code block it opens, it closes."""

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_code_fence_is_closed_before_the_next_opens():
    inside = None  # the line number of the open fence
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("```"):
            continue
        if inside is None:
            inside = number
        else:
            # Inside a block, only a bare fence closes it; ```python here means one was left open.
            assert line.strip() == "```", f"README.md:{number} opens a block inside line {inside}'s"
            inside = None
    assert inside is None, f"README.md:{inside} opens a code block that is never closed"
