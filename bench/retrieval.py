"""Benchmark of the product index kinds (flat, HNSW, IVF) at 10k, 100k and 1M products.

For each size and index kind: build time, memory (the index's stored size), single-query latency (median and
p95 over the queries, one query at a time as the assistant searches) and recall@10 against exact search.

Vectors are 384-dimensional, like all-MiniLM-L6-v2's:
- 10k: real MiniLM embeddings of 10,000 product texts generated from the demo catalog's tables
  (`retrieval/demo_catalog.py`, another seed: the same kinds, brands, attributes and pitches, recombined).
- above 10k: synthetic vectors that keep the cluster structure of the real ones. k-means (100 clusters) on the
  10k real vectors gives each cluster its mean and its per-dimension residual standard deviation; a synthetic
  vector picks a cluster with the probability of its share of the real vectors, adds Gaussian noise with that
  cluster's residual spread to the cluster's mean, and is renormalised. Neighbourhoods are then as crowded as in
  the real catalog, which is what makes approximate search hard (uniform random vectors would be easier).
- queries: real MiniLM embeddings of the relevance set's shopper queries (`retrieval/data/relevance.yml`).

`--filtered` measures what a turn does instead: a new random filter set per search (category, budget, stock,
colour, brand, size, material, as shoppers combine them), its mask from the catalog's columns
(`retrieval/filters.py`), then the production index's filtered search; with p50/p95 of each, recall@10 against an
exact scan of the allowed rows, the per-product predicate the columns replaced (for the ratio) and memory.
Above 10k, each synthetic vector's product is of its template's kind, so filters and vectors agree.

Run: `.venv/bin/python -m bench.retrieval [--sizes 10k,100k,1M] [--kinds flat,hnsw,ivf] [--filtered]` (as a module: run as a file, this
file would shadow the `retrieval` package); results go to `bench/results/retrieval.json`
(`retrieval-filtered.json` with `--filtered`; entries for other sizes already there are kept) and a table is
printed.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import faiss
import numpy as np
import yaml

from core.product import ProductRecord
from retrieval.catalog import Catalog
from retrieval.demo_catalog import CATALOG, _product
from retrieval.embeddings import Embedder
from retrieval.filters import FilterColumns, SearchFilters
from retrieval.index import ProductIndex, choose_kind, make_faiss_index
from retrieval.relevance import DEFAULT_FILE

RESULTS = Path(__file__).resolve().parent / "results"
REAL_SIZE, CLUSTERS, K = 10_000, 100, 10
# Search-time settings measured on one build each; the production setting (retrieval/index.py) is marked.
EF_SEARCH = (32, 64, 128, 256)
FILTERED_QUERIES, PREDICATE_QUERIES = 500, 20
NPROBE_SHARE = (32, 16, 8, 4)  # nprobe = nlist / share


def demo_like_products(count: int, seed: int = 7) -> list[ProductRecord]:
    """`count` products recombined from the demo catalog's tables (valid by construction, so not re-validated)."""
    rng = random.Random(seed)
    categories = list(CATALOG)
    return [recombined(rng, number, rng.choice(categories)) for number in range(count)]


def recombined(rng: random.Random, number: int, category: str) -> ProductRecord:
    """A product of `category` with a brand and model line of its tables."""
    spec = CATALOG[category]
    brand = rng.choice(spec.brands)
    models = spec.models[brand] if isinstance(spec.models, dict) else spec.models
    return ProductRecord.model_construct(**_product(rng, number, category, spec, brand, rng.choice(models)))


def product_texts(count: int, seed: int = 7) -> list[str]:
    return [product.search_text() for product in demo_like_products(count, seed)]


def real_vectors(embedder: Embedder) -> np.ndarray:
    """The 10k real embeddings, cached in bench/results (embedding them takes minutes on a laptop CPU)."""
    cache = RESULTS / "embeddings-10k.npy"
    if cache.exists():
        return np.load(cache)
    vectors = embedder.encode(product_texts(REAL_SIZE), progress=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def synthetic_vectors(real: np.ndarray, count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`count` vectors from the cluster model of `real` (see the module docstring), and for each the real row
    of its cluster it stands in for (the filtered mode gives it that product's kind)."""
    kmeans = faiss.Kmeans(real.shape[1], CLUSTERS, niter=25, seed=seed, spherical=True)
    kmeans.train(real)
    assignment = kmeans.index.search(real, 1)[1][:, 0]
    used = np.unique(assignment)
    members = [np.flatnonzero(assignment == c) for c in used]
    means = np.stack([real[rows].mean(axis=0) for rows in members])
    spreads = np.stack([real[rows].std(axis=0) for rows in members])
    shares = np.array([len(rows) for rows in members], dtype=np.float64) / len(real)
    rng = np.random.default_rng(seed)
    out = np.empty((count, real.shape[1]), dtype=np.float32)
    templates = np.empty(count, dtype=np.int64)
    for start in range(0, count, 100_000):
        picks = rng.choice(len(used), size=min(100_000, count - start), p=shares)
        block = means[picks] + rng.standard_normal((len(picks), real.shape[1])) * spreads[picks]
        out[start : start + len(picks)] = block / np.linalg.norm(block, axis=1, keepdims=True)
        templates[start : start + len(picks)] = [members[c][rng.integers(len(members[c]))] for c in picks]
    return out, templates


def index_mb(index: faiss.Index) -> float:
    """The index's size as FAISS stores it: vectors, graph links or inverted lists (what it holds in memory)."""
    return faiss.serialize_index(index).nbytes / 2**20


def timed_search(index: faiss.Index, queries: np.ndarray, params=None) -> tuple[np.ndarray, list[float]]:
    """Top-10 rows per query, searched one at a time, and each search's milliseconds."""
    rows, latencies = np.empty((len(queries), K), dtype=np.int64), []
    index.search(queries[:1], K, params=params)  # warm-up
    for i, query in enumerate(queries):
        started = time.perf_counter()
        rows[i] = index.search(query[None], K, params=params)[1][0]
        latencies.append((time.perf_counter() - started) * 1000)
    return rows, latencies


def measure(kind: str, data: np.ndarray, queries: np.ndarray, exact: np.ndarray) -> list[dict]:
    """One row per search-time setting of one build of `kind`."""
    started = time.perf_counter()
    index, params = make_faiss_index(data, kind, progress=True)
    build_s, memory = time.perf_counter() - started, index_mb(index)
    if kind == "hnsw":
        settings = [
            (f"ef_search={ef}", faiss.SearchParametersHNSW(efSearch=ef), ef == params["ef_search"])
            for ef in EF_SEARCH
        ]
    elif kind == "ivf":
        probes = sorted({max(1, params["nlist"] // share) for share in NPROBE_SHARE})
        settings = [
            (f"nprobe={n}", faiss.SearchParametersIVF(nprobe=n), n == params["nprobe"]) for n in probes
        ]
    else:
        settings = [("exact", None, True)]
    rows = []
    for label, search_params, production in settings:
        found, latencies = timed_search(index, queries, search_params)
        hits = sum(len(set(f) & set(e)) for f, e in zip(found, exact, strict=True))
        rows.append(
            {
                "kind": kind,
                "setting": label,
                "production": production,
                "build_s": round(build_s, 2),
                "memory_mb": round(memory, 1),
                "p50_ms": round(float(np.median(latencies)), 3),
                "p95_ms": round(float(np.percentile(latencies, 95)), 3),
                "recall@10": round(hits / exact.size, 4),
            }
        )
    del index
    return rows


def products_for(size: int, templates: np.ndarray | None, seed: int = 3) -> list[ProductRecord]:
    """The products behind `size` vectors: the real ones' own up to 10k, above that one of each synthetic
    vector's template kind (its category, brands and prices), so that filters and vectors agree."""
    base = demo_like_products(min(size, REAL_SIZE))
    if templates is None:
        return base
    rng = random.Random(seed)
    return [
        recombined(rng, number, base[template].category) for number, template in enumerate(templates.tolist())
    ]


def random_filters(rng: random.Random) -> SearchFilters:
    """A filter set as shoppers' turns carry them: mostly a category, often a budget, stock, a colour; sometimes
    a brand, a size or a material. Prices are drawn afresh, so every set is new (no cached mask)."""
    category, spec = rng.choice(list(CATALOG.items()))
    levels = category.lower().split(" > ")
    draw = rng.random()
    return SearchFilters(
        category=levels[-1] if draw < 0.7 else levels[0] if draw < 0.8 else None,
        max_price=round(rng.uniform(spec.price[0], spec.price[1]), 2) if rng.random() < 0.5 else None,
        min_price=round(rng.uniform(0, spec.price[2]), 2) if rng.random() < 0.1 else None,
        color=rng.choice(spec.colors) if spec.colors and rng.random() < 0.3 else None,
        brand=rng.choice(spec.brands) if rng.random() < 0.15 else None,
        size=rng.choice(spec.sizes) if spec.sizes and rng.random() < 0.15 else None,
        material=rng.choice(spec.materials) if spec.materials and rng.random() < 0.1 else None,
        in_stock=rng.random() < 0.5,
    )


def rss_mb() -> float:
    """This process's resident memory now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_filtered(size: int, data: np.ndarray, products: list[ProductRecord], queries: np.ndarray) -> dict:
    """Searches with a new random filter set each, as a turn runs them: the mask from the catalog's columns, then
    the production index's filtered search; recall@10 against an exact scan of the allowed rows. Two kinds of
    query per filter set: one about the kind it filters on (a vector near one of its allowed products, as a
    shopper's words and filters agree) and one of the relevance set's queries whatever it is about (the worst
    case: the index's nearest lists hold none of the allowed products)."""
    rng = random.Random(size)
    before = rss_mb()
    columns = FilterColumns(products)
    columns_rss = rss_mb() - before
    kinds = Catalog(list({product.category: product for product in products}.values()))
    kind = choose_kind(size)
    started = time.perf_counter()
    index = ProductIndex.build([str(n) for n in range(size)], data, "bench", "", kind=kind, progress=True)
    build_s = time.perf_counter() - started
    index.matrix  # noqa: B018 -- read back once at load, as a serving process does on its first filtered scan
    sets = [random_filters(rng) for _ in range(FILTERED_QUERIES)]
    noise = np.random.default_rng(size)

    def related(number: int, mask: np.ndarray) -> np.ndarray:
        allowed = np.flatnonzero(mask)
        if allowed.size == 0:
            return queries[number % len(queries)]
        near = data[allowed[noise.integers(allowed.size)]] + noise.normal(0, 0.05, data.shape[1])
        return (near / np.linalg.norm(near)).astype(np.float32)

    result = {
        "kind": kind,
        "params": index.info.params,
        "build_s": round(build_s, 1),
        "filter_sets": len(sets),
    }
    for mode, query_for in (("related", related), ("unrelated", lambda n, _m: queries[n % len(queries)])):
        result[mode] = timed_filtered(index, columns, kinds, data, sets, query_for)
    # The per-product predicate the columns replaced, on a few of the same sets, for the ratio.
    predicate_ms = []
    for filters in sets[:PREDICATE_QUERIES]:
        started = time.perf_counter()
        categories = frozenset(kinds.categories_for(filters.category)) if filters.category else None
        np.fromiter((filters.matches(p, categories) for p in products), dtype=bool, count=size)
        predicate_ms.append((time.perf_counter() - started) * 1000)
    return {
        **result,
        "predicate_mask_p50_ms": round(float(np.median(predicate_ms)), 1),
        "columns_mb": round(columns.nbytes / 2**20, 1),
        "columns_rss_mb": round(columns_rss, 1),
        "index_mb": round(index_mb(index.index), 1),
        "vectors_copy_mb": round(index.matrix.nbytes / 2**20, 1) if kind != "flat" else 0.0,
        "process_rss_mb": round(rss_mb(), 1),
    }


def timed_filtered(index, columns, kinds, data, sets, query_for) -> dict:
    """Mask, search and total milliseconds (p50, p95) and recall@10 over the filter sets, one query each."""
    times: dict[str, list[float]] = {"mask": [], "search": [], "total": []}
    found = expected = empty = 0
    for number, filters in enumerate(sets):
        started = time.perf_counter()
        categories = frozenset(kinds.categories_for(filters.category)) if filters.category else None
        mask = columns.mask(filters, categories)
        masked = time.perf_counter()
        query = query_for(number, mask)
        searching = time.perf_counter()
        hits = index.search(query, K, mask)
        done = time.perf_counter()
        times["mask"].append((masked - started) * 1000)
        times["search"].append((done - searching) * 1000)
        times["total"].append((done - searching + masked - started) * 1000)
        allowed = np.flatnonzero(mask)
        if allowed.size == 0:
            empty += 1
            continue
        exact = allowed[np.argsort(-(data[allowed] @ query), kind="stable")[:K]]
        found += len({row for row, _ in hits} & set(exact.tolist()))
        expected += len(exact)
    out = {"with_no_match": empty, "recall@10": round(found / max(expected, 1), 4)}
    for name, values in times.items():
        out[f"{name}_p50_ms"] = round(float(np.median(values)), 3)
        out[f"{name}_p95_ms"] = round(float(np.percentile(values, 95)), 3)
    return out


def filtered_table(results: dict[str, dict]) -> str:
    header = (
        f"{'size':>9} {'queries':<9} {'mask p50':>9} {'mask p95':>9} {'search p95':>11} {'total p50':>10} "
        f"{'total p95':>10} {'R@10':>6} {'predicate':>10} {'RSS MB':>8}"
    )
    lines = [header, "-" * len(header)]
    for size, row in results.items():
        for mode in ("related", "unrelated"):
            m = row[mode]
            lines.append(
                f"{size:>9} {mode:<9} {m['mask_p50_ms']:>9.2f} {m['mask_p95_ms']:>9.2f} {m['search_p95_ms']:>11.2f} "
                f"{m['total_p50_ms']:>10.2f} {m['total_p95_ms']:>10.2f} {m['recall@10']:>6.3f} "
                f"{row['predicate_mask_p50_ms']:>10.1f} {row['process_rss_mb']:>8.0f}"
            )
    return "\n".join(lines) + (
        "\n(milliseconds; total = mask + search; predicate = the per-product Python mask the columns replaced, p50;"
        "\n related = a query about the filtered kind, unrelated = any relevance-set query)"
    )


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * scale)


def table(results: dict[str, list[dict]]) -> str:
    header = f"{'size':>9} {'kind':<5} {'setting':<14} {'build s':>8} {'mem MB':>8} {'p50 ms':>7} {'p95 ms':>7} {'R@10':>6}"
    lines = [header, "-" * len(header)]
    for size, rows in results.items():
        for row in rows:
            mark = " *" if row["production"] else ""
            lines.append(
                f"{size:>9} {row['kind']:<5} {row['setting']:<14} {row['build_s']:>8.1f} {row['memory_mb']:>8.0f} "
                f"{row['p50_ms']:>7.2f} {row['p95_ms']:>7.2f} {row['recall@10']:>6.3f}{mark}"
            )
    return "\n".join(lines) + "\n* the setting retrieval/index.py uses"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated sizes, e.g. 10k,100k")
    # Building HNSW over 1M vectors takes long on a laptop; `--kinds flat,ivf` measures the default kinds only.
    parser.add_argument("--kinds", default="flat,hnsw,ivf", help="comma-separated index kinds")
    parser.add_argument(
        "--filtered", action="store_true", help="searches with random filter sets (mask + search, memory)"
    )
    args = parser.parse_args()
    embedder = Embedder.shared("sentence-transformers/all-MiniLM-L6-v2")
    real = real_vectors(embedder)
    texts = [entry["query"] for entry in yaml.safe_load(DEFAULT_FILE.read_text())["queries"]]
    queries = embedder.encode(texts)
    if args.filtered:
        run_filtered(real, queries, [parse_size(size) for size in args.sizes.split(",")])
        return
    out = RESULTS / "retrieval.json"
    results = json.loads(out.read_text())["sizes"] if out.exists() else {}
    for size in map(parse_size, args.sizes.split(",")):
        data = real[:size] if size <= REAL_SIZE else synthetic_vectors(real, size)[0]
        exact = faiss.IndexFlatIP(data.shape[1])
        exact.add(data)
        truth = exact.search(queries, K)[1]
        del exact
        results[str(size)] = [
            row for kind in args.kinds.split(",") for row in measure(kind.strip(), data, queries, truth)
        ]
        meta = {"threads": faiss.omp_get_max_threads(), "queries": len(queries), "dimension": data.shape[1]}
        out.write_text(json.dumps({"machine": meta, "sizes": results}, indent=2))
        print(table({str(size): results[str(size)]}), flush=True)
    print(table(results))


def run_filtered(real: np.ndarray, queries: np.ndarray, sizes: list[int]) -> None:
    out = RESULTS / "retrieval-filtered.json"
    results = json.loads(out.read_text())["sizes"] if out.exists() else {}
    for size in sizes:
        data, templates = (real[:size], None) if size <= REAL_SIZE else synthetic_vectors(real, size)
        products = products_for(size, templates)
        results[str(size)] = measure_filtered(size, data, products, queries)
        del data, products
        meta = {"threads": faiss.omp_get_max_threads(), "queries": FILTERED_QUERIES}
        out.write_text(json.dumps({"machine": meta, "sizes": results}, indent=2))
        print(filtered_table({str(size): results[str(size)]}), flush=True)
    print(filtered_table(results))


if __name__ == "__main__":
    main()
