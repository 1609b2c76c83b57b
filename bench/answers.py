"""Answer benchmark (issue 13): the built-in composer's answers to bench/questions.jsonl, and the
citation check of an upstream LLM's answers with the stand-in LLM citing wrongly on purpose.

Needs an imported full corpus (LAWBOT_VAR_DIR, see bench/retrieval.py). Usage:
    .venv/bin/python bench/answers.py [--questions PATH] [--code DIR] [--no-upstream] [--show N]
        [--only tuned|untuned] [--split NAME]

--code DIR measures another checkout's composer (e.g. main's, extracted with `git archive`) with
this script, for the before/after figures; the upstream part needs this branch's code.

Figures:
- direct answer: the answer opens with 「**簡答**：」/"**In short:**" and that block has 2–4 lines
  at most (counted as written, before wrapping);
- markers: every [n] in the text indexes `citations` (1-based), and every citation is cited;
- out of domain: citations among the first three whose law is outside the question's domain. A
  question's domain is its label in the set (labour, tenancy, …); a law belongs to a domain when
  it holds a gold article of any question with that label, or when the next-steps table
  (laws/lexicon/next_steps) lists it for that domain's kind of dispute (the procedures: 民事訴訟法
  for tenancy, 勞資爭議處理法 for labour);
- recall: a gold article is among the citations (before: the five retrieved articles cited);
- length: answer characters, median and 90th percentile.
"""

import argparse
import asyncio
import collections
import os
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "questions.jsonl"
STEPS = HERE.parent / "laws" / "lexicon" / "next_steps" / "steps.tsv"
KINDS_OF_DOMAIN = {
    "traffic": ("traffic_accident", "traffic_ticket"),
    "tenancy": ("tenancy", "civil"),
    "family": ("family", "civil"),
}
MARKER_RE = re.compile(r"\[(\d{1,4})\]")
LEADS = ("**簡答**：", "**In short:** ")


def setup(code: Path) -> None:
    sys.path.insert(0, str(code))
    os.chdir(code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")
    import django

    django.setup()


def domain_laws(rows: list[dict]) -> dict[str, set[str]]:
    laws: dict[str, set[str]] = collections.defaultdict(set)
    for row in rows:
        laws[row["domain"]].update(ref.split(":")[0] for ref in row["expected"])
    by_kind: dict[str, set[str]] = collections.defaultdict(set)
    for line in STEPS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, key = line.split("\t")[:2]
            by_kind[kind].add(key.split(":")[0])
    for domain in list(laws):
        for kind in KINDS_OF_DOMAIN.get(domain, (domain,)):
            laws[domain] |= by_kind.get(kind, set())
    return laws


def opens_with_answer(text: str) -> bool:
    if not text.startswith(LEADS):
        return False
    return 1 <= len(text.split("\n\n")[0].split("\n")) <= 4


def composer_figures(rows: list[dict], show: int, laws: dict[str, set[str]]) -> dict:
    from chat.answering.pipeline import answer_prepare
    from chat.answering.turns import Turn
    from tests.composed import answer_text

    figures = collections.Counter()
    lengths, outside_examples, step_examples = [], [], []
    started = time.perf_counter()
    for row in rows:
        turns = []
        for earlier in row.get("history", ()):
            turns += [Turn("user", earlier), Turn("assistant", "…")]
        prepared = answer_prepare(turns=[*turns, Turn("user", row["q"])], model="lawbot-lite")
        text = answer_text(prepared)
        citations = prepared.citations
        lengths.append(len(text))
        figures["answers"] += 1
        figures["direct"] += opens_with_answer(text)
        markers = [int(m) for m in MARKER_RE.findall(text)]
        figures["markers"] += len(markers)
        figures["markers resolving"] += sum(1 for m in markers if 1 <= m <= len(citations))
        figures["citations"] += len(citations)
        figures["citations used"] += len(set(markers) & set(range(1, len(citations) + 1)))
        outside = [c for c in citations[:3] if c["pcode"] not in laws[row["domain"]]]
        figures["outside domain in first 3"] += len(outside)
        plan = getattr(prepared, "plan", None)  # a checkout before the plan had no steps
        steps = {number for _, number in plan.steps} if plan else set()
        outside_steps = [
            c
            for number, c in enumerate(citations[:3])
            if number in steps and c["pcode"] not in laws[row["domain"]]
        ]
        figures["of them next steps"] += len(outside_steps)
        if outside_steps and len(step_examples) < show:
            step_examples.append((row["domain"], row["q"], [c["title"] for c in outside_steps]))
        figures["answers with one outside"] += bool(outside)
        if outside and len(outside_examples) < show:
            outside_examples.append((row["domain"], row["q"], [c["title"] for c in outside]))
        keys = {f"{c['pcode']}:{c['article']}" for c in citations}
        figures["recall"] += bool(keys & set(row["expected"]))
    figures["seconds"] = round(time.perf_counter() - started)
    return {
        "counts": figures,
        "lengths": lengths,
        "outside": outside_examples,
        "steps": step_examples,
    }


async def _upstream_one(prepared, cite: str):
    from chat.answering.pipeline import AnswerOptions, engine_open
    from chat.answering.stopping import Finish

    finish = Finish()
    deltas = await engine_open(prepared, AnswerOptions(), finish)
    text = "".join([piece async for piece in deltas])
    return text, finish.unverified


def upstream_figures(rows: list[dict]) -> dict:
    from django.conf import settings

    from chat.answering.pipeline import answer_prepare
    from chat.answering.turns import Turn
    from tests.standin_llm import StandInLLM

    figures = collections.Counter()
    with StandInLLM() as llm:
        settings.LAWBOT_LLM_BASE_URL = llm.url
        settings.LAWBOT_LLM_MODEL = "standin"
        for row in rows:
            prepared = answer_prepare(turns=[Turn("user", row["q"])], model="lawbot-pro")
            for cite in ("rightly", "wrongly"):
                llm.reset(cite=cite)
                text, unverified = asyncio.run(_upstream_one(prepared, cite))
                figures[f"{cite} answers"] += 1
                figures[f"{cite} flagged"] += unverified > 0
                figures[f"{cite} unverified"] += unverified
                figures[f"{cite} note in text"] += ("引用查核" in text) or (
                    "Citation check" in text
                )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--code", type=Path, default=HERE.parent, help="checkout to measure")
    parser.add_argument("--no-upstream", action="store_true")
    parser.add_argument("--show", type=int, default=0, help="list N out-of-domain citations")
    parser.add_argument(
        "--only",
        choices=("tuned", "untuned"),
        help="answer only the tuned splits (to fit on) or only the others (domains still from all)",
    )
    parser.add_argument("--split", help="answer only this split (domains still from all)")
    args = parser.parse_args()
    questions = args.questions.resolve()
    setup(args.code.resolve())
    from laws.evaluation import questions_load

    rows = questions_load(questions)
    laws = domain_laws(rows)
    if args.only:
        sys.path.insert(0, str(HERE))
        from retrieval import TUNED

        rows = [r for r in rows if (r["split"] in TUNED) == (args.only == "tuned")]
    if args.split:
        rows = [r for r in rows if r["split"] == args.split]
    result = composer_figures(rows, args.show, laws)
    c, lengths = result["counts"], sorted(result["lengths"])
    n = c["answers"]
    print(f"composer answers: {n} questions ({c['seconds']} s)")
    print(f"  open with a direct answer: {c['direct']}/{n} ({100 * c['direct'] / n:.1f}%)")
    if c["markers"]:
        share = 100 * c["markers resolving"] / c["markers"]
        print(f"  markers resolving: {c['markers resolving']}/{c['markers']} ({share:.1f}%)")
    else:
        print("  markers resolving: no markers in the answers")
    used = 100 * c["citations used"] / max(1, c["citations"])
    print(f"  citations cited in the text: {c['citations used']}/{c['citations']} ({used:.1f}%)")
    print(
        f"  out-of-domain citations among the first three: {c['outside domain in first 3']} "
        f"(in {c['answers with one outside']} answers; {c['of them next steps']} of them "
        "next-step procedures)"
    )
    print(
        f"  recall (a gold article among the citations): {c['recall']}/{n} ({c['recall'] / n:.3f})"
    )
    p90 = lengths[int(len(lengths) * 0.9) - 1]
    print(f"  answer characters: median {statistics.median(lengths):.0f}, p90 {p90}")
    for domain, question, titles in result["outside"]:
        print(f"    [{domain}] {question}: {', '.join(titles)}")
    if result["steps"]:
        print("  next-step procedures outside the domain:")
    for domain, question, titles in result["steps"]:
        print(f"    [{domain}] {question}: {', '.join(titles)}")
    if not args.no_upstream:
        f = upstream_figures(rows)
        for cite in ("rightly", "wrongly"):
            k = f[f"{cite} answers"]
            print(
                f"stand-in LLM citing {cite}: {f[f'{cite} flagged']}/{k} answers flagged "
                f"({100 * f[f'{cite} flagged'] / k:.1f}%), {f[f'{cite} unverified']} citations "
                f"flagged, note in the text of {f[f'{cite} note in text']}"
            )


if __name__ == "__main__":
    main()
