"""Search relevance on a labelled query set: nDCG@10 and recall@20 for dense, BM25 and hybrid retrieval.

The set (`retrieval/data/relevance.yml` by default) holds hand-written queries, each with what it asks for
(`want`: categories, brand, color, material, title words, attributes) and graded judgements (0–3) per product
id. The judgements are generated from `want` over the catalog's structured fields by `judge` (run this module:
`python -m retrieval.relevance [FILE]`), then spot-checked; corrections go into the query's `adjust` so that a
regeneration keeps them. `shopassist retrieval eval` reads the file and scores the retrievers on it.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.errors import RelevanceFileError
from core.product import ProductRecord
from retrieval.catalog import words
from retrieval.filters import SearchFilters
from retrieval.search import ProductSearch

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "relevance.yml"
NDCG_AT, RECALL_AT = 10, 20
# Recall counts the products a shopper would be glad to see: grade 2 (one detail off) and 3 (exactly right).
RELEVANT_GRADE = 2


@dataclass(frozen=True)
class RelevanceQuery:
    query: str
    filters: SearchFilters
    judgements: dict[str, int]


@dataclass(frozen=True)
class RelevanceSet:
    catalog: (
        str  # "demo": judged over the embedded demo catalog; "database": over the catalog in the database
    )
    queries: list[RelevanceQuery]


def _any_of(wanted: Any, value: str, exact: bool) -> bool:
    options = wanted if isinstance(wanted, list) else [wanted]
    value = value.lower()
    return any(
        (str(option).lower() == value) if exact else (str(option).lower() in value) for option in options
    )


def _in_categories(product: ProductRecord, paths: list[str]) -> bool:
    return any(product.category == path or product.category.startswith(f"{path} > ") for path in paths)


def _checks(product: ProductRecord, want: dict[str, Any]) -> list[bool]:
    """One pass/fail per constraint of `want` other than its categories."""
    checks = []
    if "brand" in want:
        checks.append(_any_of(want["brand"], product.brand, exact=True))
    if "color" in want:
        checks.append(_any_of(want["color"], product.color, exact=False))
    if "material" in want:
        checks.append(_any_of(want["material"], product.material, exact=False))
    if "title" in want:
        checks.append(words(want["title"]) <= words(product.title))
    for key, value in (want.get("attrs") or {}).items():
        checks.append(_any_of(value, product.attributes.get(key, ""), exact=True))
    return checks


def grade(product: ProductRecord, want: dict[str, Any], related: list[str]) -> int:
    """3: the kind asked for with every detail; 2: the kind with one of several details off; 1: the kind with
    the detail off, a related kind, or (for queries naming no kind) a product with some of the details; 0: not."""
    checks = _checks(product, want)
    met, total = sum(checks), len(checks)
    in_kind = _in_categories(product, want["category"]) if "category" in want else met > 0
    if in_kind:
        if met == total:
            return 3
        return 2 if total >= 2 and met == total - 1 else 1
    return 1 if _in_categories(product, related) else 0


def judge(entry: dict[str, Any], products: list[ProductRecord]) -> dict[str, int]:
    """The generated judgements of one query entry (products filtered out by its filters are never relevant),
    with the entry's spot-check `adjust`ments applied."""
    filters = SearchFilters(**entry.get("filters", {}))
    grades = {
        product.id: grade(product, entry["want"], entry.get("related", []))
        for product in products
        if filters.matches(product)
    }
    grades.update(entry.get("adjust") or {})
    return {pid: value for pid, value in sorted(grades.items()) if value > 0}


def load_relevance(path: Path) -> RelevanceSet:
    """The queries and judgements of a relevance file; `RelevanceFileError` (one sentence) if unusable."""
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as error:
        raise RelevanceFileError(f"cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise RelevanceFileError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("queries"), list):
        raise RelevanceFileError(f"{path} has no list of queries")
    queries = []
    for number, entry in enumerate(document["queries"], start=1):
        if not isinstance(entry, dict) or not entry.get("query") or not entry.get("judgements"):
            raise RelevanceFileError(f"{path}: query {number} needs a query and judgements")
        try:
            filters = SearchFilters(**(entry.get("filters") or {}))
        except TypeError as error:
            raise RelevanceFileError(f"{path}: query {number}: {error}") from None
        queries.append(RelevanceQuery(str(entry["query"]), filters, dict(entry["judgements"])))
    return RelevanceSet(str(document.get("catalog", "database")), queries)


def ndcg(ranked: list[str], judgements: dict[str, int], at: int = NDCG_AT) -> float:
    """Normalised discounted cumulative gain with gains 2^grade − 1."""
    gains = [2 ** judgements.get(pid, 0) - 1 for pid in ranked[:at]]
    ideal = sorted((2**value - 1 for value in judgements.values()), reverse=True)[:at]
    dcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))
    best = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(ranked: list[str], judgements: dict[str, int], at: int = RECALL_AT) -> float:
    """The share of relevant products (grade ≥ 2) in the top `at`, out of as many as fit in it."""
    relevant = {pid for pid, value in judgements.items() if value >= RELEVANT_GRADE}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:at])) / min(len(relevant), at)


@dataclass
class Scores:
    """Mean nDCG@10 and recall@20 per retrieval method."""

    queries: int
    rows: dict[str, dict[str, float]] = field(default_factory=dict)
    default: str = ""

    def table(self) -> str:
        lines = [f"{'method':<18}{'nDCG@10':>10}{'recall@20':>11}", "-" * 39]
        for method, row in self.rows.items():
            mark = "  (default)" if method == self.default else ""
            lines.append(f"{method:<18}{row['ndcg@10']:>10.3f}{row['recall@20']:>11.3f}{mark}")
        lines.append(f"{self.queries} queries")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"queries": self.queries, "default": self.default, "methods": self.rows}


def evaluate(search: ProductSearch, relevance: RelevanceSet) -> Scores:
    """Scores dense, BM25 and hybrid (both fusions) retrieval as `search.run` would filter and floor them."""
    fusions = {"hybrid-rrf": "rrf", "hybrid-weighted": "weighted"}
    scores = Scores(len(relevance.queries), default=f"hybrid-{search.fusion}")
    for name in ("dense", "bm25", *fusions):
        variant = ProductSearch(
            search.catalog, search.index, search.embedder, search.min_score, fusions.get(name, "rrf")
        )
        method = "hybrid" if name in fusions else name
        totals = [0.0, 0.0]
        for item in relevance.queries:
            floor = -1.0 if item.filters.category else search.min_score
            hits = variant.rank(item.query, variant.allowed(item.filters), RECALL_AT, method, floor)
            ranked = [search.catalog.products[row].id for row, _score in hits]
            totals[0] += ndcg(ranked, item.judgements)
            totals[1] += recall(ranked, item.judgements)
        count = max(1, len(relevance.queries))
        scores.rows[name] = {"ndcg@10": totals[0] / count, "recall@20": totals[1] / count}
    return scores


def regenerate(path: Path, products: list[ProductRecord]) -> None:
    """Rewrite the judgements of every query in `path` from its `want` (the file's header comment is kept)."""
    text = path.read_text()
    lines = text.splitlines(keepends=True)
    header = "".join(lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))])
    document = yaml.safe_load(text)
    for entry in document["queries"]:
        entry["judgements"] = judge(entry, products)
        if not any(value == 3 for value in entry["judgements"].values()):
            print(f"no exact match for {entry['query']!r}", file=sys.stderr)
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)
    path.write_text(header + body)


if __name__ == "__main__":
    from retrieval.demo_catalog import demo_products

    products = [ProductRecord.model_validate(item) for item in demo_products()]
    regenerate(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FILE, products)
