"""CPU of the text helpers an answer runs many times, this checkout against another, in one
process, rounds alternating: bigram_keys, normalize and count_tokens on the articles the answer
plans read, and best_paragraph on the calls the plans of the labelled questions make; and the
cost of one trip to the database thread. The two checkouts must give the same results (checked).

usage: LAWBOT_VAR_DIR=<full import> .venv/bin/python bench/text_cost.py --before DIR [--rounds 3]

DIR: another checkout (e.g. `git worktree add --detach /tmp/before <commit>`); its
laws/text.py and chat/answering/paragraphs.py are loaded beside this checkout's."""

import argparse
import asyncio
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")
os.environ.setdefault("LAWBOT_MEANING", "0")


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _unit(paragraph) -> tuple | None:
    return paragraph and (paragraph.paragraph, paragraph.item, paragraph.text)


def _cpu(function, items) -> float:
    began = time.process_time()
    for item in items:
        function(*item)
    return time.process_time() - began


async def _hops(count: int) -> float:
    from asgiref.sync import sync_to_async

    nothing = sync_to_async(lambda: None)
    for _ in range(100):
        await nothing()
    began = time.process_time()
    for _ in range(count):
        await nothing()
    return (time.process_time() - began) / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    import chat.answering.paragraphs as paragraphs
    import chat.answering.selection as selection
    import laws.text as text
    from chat.answering.pipeline import answer_prepare
    from chat.answering.turns import Turn

    before = Path(args.before)
    old_text = _load(before / "laws" / "text.py", "before_text")
    old_paragraphs = _load(before / "chat" / "answering" / "paragraphs.py", "before_paragraphs")
    old_paragraphs.bigram_keys = old_text.bigram_keys

    calls: list[tuple[str, dict]] = []
    chosen = selection.best_paragraph

    def recorded(content, asked):
        calls.append((content, dict(asked)))
        return chosen(content, asked)

    selection.best_paragraph = recorded
    questions = [json.loads(line)["q"] for line in (ROOT / "bench" / "questions.jsonl").open()]
    for question in questions:
        answer_prepare(turns=[Turn("user", question)], model="lawbot-pro")
    selection.best_paragraph = chosen
    articles = [(content,) for content in dict.fromkeys(content for content, _ in calls)]
    for (content,) in articles:
        assert old_text.bigram_keys(content).tolist() == text.bigram_keys(content).tolist()
        assert old_text.normalize(content) == text.normalize(content)
        assert old_text.count_tokens(content) == text.count_tokens(content)
    for content, asked in calls:
        assert _unit(old_paragraphs.best_paragraph(content, asked)) == _unit(
            paragraphs.best_paragraph(content, asked)
        )
    print(
        f"{len(questions)} questions: {len(calls)} best_paragraph calls on {len(articles)} "
        "articles; every result the same before and after"
    )
    rows = [
        ("best_paragraph, per question", "ms", 1000 / len(questions), calls, "best_paragraph"),
        ("bigram_keys of an article", "µs", 1e6 / len(articles), articles, "bigram_keys"),
        ("normalize of an article", "µs", 1e6 / len(articles), articles, "normalize"),
        ("count_tokens of an article", "µs", 1e6 / len(articles), articles, "count_tokens"),
    ]
    sides = {"before": (old_text, old_paragraphs), "after": (text, paragraphs)}
    for label, unit, scale, items, name in rows:
        figures = {side: [] for side in sides}
        for _ in range(args.rounds):
            for side, modules in sides.items():
                module = modules[1] if name == "best_paragraph" else modules[0]
                figures[side].append(_cpu(getattr(module, name), items) * scale)
        low = {side: min(values) for side, values in figures.items()}
        print(
            f"  {label:<30} before {low['before']:7.2f} {unit}, after {low['after']:7.2f} "
            f"{unit} ({low['after'] / low['before']:.2f}x; best of {args.rounds} rounds)"
        )
    hop = asyncio.run(_hops(5000))
    print(f"  one trip to the database thread (sync_to_async of nothing): {hop * 1e6:.0f} µs CPU")


if __name__ == "__main__":
    main()
