"""Benchmark: requests for a need ("my brother is really into camping") answered with the categories that fit.

The requests (`bench/needs.yml`) were written after the need reader and the recommender, in many voices, on the
demo catalog; each names the catalog's leaf categories that answer it, or says the need is too open and the
reply should be a question. Every request is the first message of a fresh conversation on the real assistant.

Prints per request what was shown, then: the hit rate (a shown product fits), the precision (the share of shown
products that fit), the kinds shown per answer, how often the too-open requests got a question (and the others
did not), and whether every shown price honoured the budget; writes the figures as JSON
(bench/results/needs.json).

    .venv/bin/python -m bench.needs [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import yaml

from assistant.bootstrap import build_assistant
from bench.guidance import RESULTS
from core.settings import Settings

CASES = Path(__file__).with_name("needs.yml")


def leaf(product: dict) -> str:
    return product["category"].split(" > ")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings(home=args.data_dir) if args.data_dir else Settings()
    assistant = build_assistant(settings)
    cases = yaml.safe_load(CASES.read_text())
    rows = []
    for case in cases:
        conversation, _greeting = assistant.start_conversation()
        result = assistant.handle(conversation, case["text"])
        shown = [leaf(product) for product in result.products]
        asked = not shown and "?" in result.reply
        fits = set(case.get("fits", []))
        row = {
            "text": case["text"],
            "intent": result.intent,
            "shown": shown,
            "asks": bool(case.get("asks")),
            "asked": asked,
            "hit": bool(fits & set(shown)),
            "precision": sum(kind in fits for kind in shown) / len(shown) if shown else 0.0,
            "kinds": len(set(shown)),
            # Over the budget only under a reply that says nothing fits it.
            "within_budget": "I found nothing" in result.reply
            or all(product["price"] <= case["max"] for product in result.products)
            if "max" in case
            else None,
        }
        rows.append(row)
        verdict = ("asked" if asked else "shown") if row["asks"] else ("hit" if row["hit"] else "MISS")
        print(f"{verdict:>6}  {case['text']!r} → {', '.join(dict.fromkeys(shown)) or result.reply[:70]!r}")
    open_rows = [row for row in rows if row["asks"]]
    need_rows = [row for row in rows if not row["asks"]]
    figures = {
        "requests": len(rows),
        "hit_rate": round(sum(row["hit"] for row in need_rows) / len(need_rows), 3),
        "precision": round(statistics.mean(row["precision"] for row in need_rows), 3),
        "kinds_per_answer": round(statistics.mean(row["kinds"] for row in need_rows), 2),
        "open_asked": round(sum(row["asked"] for row in open_rows) / len(open_rows), 3),
        "specific_asked": round(sum(row["asked"] for row in need_rows) / len(need_rows), 3),
        "budget_honoured": all(row["within_budget"] is not False for row in rows),
    }
    print(
        f"{len(need_rows)} needs: hit rate {figures['hit_rate']:.1%}, precision {figures['precision']:.1%}, "
        f"{figures['kinds_per_answer']} kinds per answer, asked back {figures['specific_asked']:.0%}; "
        f"{len(open_rows)} too open: asked {figures['open_asked']:.0%}; "
        f"budgets honoured: {figures['budget_honoured']}"
    )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "needs.json"
    out.write_text(json.dumps({"figures": figures, "rows": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
