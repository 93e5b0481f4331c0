"""Benchmark: how often does a simulated shopper's turn about products end at a dead end?

A dead end is a turn about products (a search, a refinement, a recommendation, an add to cart, a comparison, a
question about a product) whose reply shows no product and changes nothing in the cart: "which product do you
mean?", "I couldn't find anything", and also a question about a need ("who is it for?"), which is counted
although it moves the conversation on. The simulator's personas (`harness/simulation/personas.py`) drive the real
assistant in a fresh data directory per seed.

Prints per seed the dead ends, the turns about products and their share, and the most frequent dead-end replies
(first line) with a message that led to each; writes the figures as JSON (bench/results/dead_ends.json).

    .venv/bin/python -m bench.dead_ends [--shoppers 200] [--seeds 1 2 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from assistant.bootstrap import build_assistant
from bench.guidance import RESULTS, prepare, quiet
from core.settings import Settings
from harness.simulation.simulator import SimulationSummary, Simulator


def dead_end_replies(summary: SimulationSummary) -> Counter[tuple[str, str]]:
    """(the reply's first line, one message that led to it) → how often, over every dead end."""
    replies: Counter[str] = Counter()
    example: dict[str, str] = {}
    for run in summary.runs:
        for turn in run.dead_ends():
            first = run.replies[turn].splitlines()[0]
            replies[first] += 1
            example.setdefault(first, run.texts[turn])
    return Counter({(reply, example[reply]): n for reply, n in replies.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=200)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    figures: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch) / "base"
        prepare(base)
        for seed in args.seeds:
            home = Path(scratch) / f"seed-{seed}"
            shutil.copytree(base, home)  # the same catalog, index and model; an empty journey log
            assistant = build_assistant(Settings(home=home), log=quiet)
            summary = Simulator(assistant, seed=seed).run(args.shoppers, progress=True)
            ends, about = summary.dead_end_share()
            common = dead_end_replies(summary).most_common(8)
            figures[str(seed)] = {
                "shoppers": args.shoppers,
                "turns": summary.turns,
                "product_turns": about,
                "dead_ends": ends,
                "share": round(ends / about, 4) if about else None,
                "common": [{"reply": reply, "example": text, "count": n} for (reply, text), n in common],
            }
            print(f"seed {seed}: {ends} dead ends in {about} turns about products ({ends / about:.1%})")
            for (reply, text), n in common:
                print(f"  {n:>4}  {text!r} → {reply[:100]!r}")
    ends = sum(row["dead_ends"] for row in figures.values())
    about = sum(row["product_turns"] for row in figures.values())
    print(f"all seeds: {ends} of {about} turns about products were dead ends ({ends / about:.1%})")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "dead_ends.json"
    out.write_text(json.dumps({"seeds": figures, "dead_ends": ends, "product_turns": about}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
