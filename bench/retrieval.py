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

Run: `.venv/bin/python -m bench.retrieval [--sizes 10k,100k,1M] [--kinds flat,hnsw,ivf]` (as a module: run as a file, this
file would shadow the `retrieval` package); results go to `bench/results/retrieval.json`
(entries for other sizes already there are kept) and a table is printed.
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
from retrieval.demo_catalog import CATALOG, _product
from retrieval.embeddings import Embedder
from retrieval.index import make_faiss_index
from retrieval.relevance import DEFAULT_FILE

RESULTS = Path(__file__).resolve().parent / "results"
REAL_SIZE, CLUSTERS, K = 10_000, 100, 10
# Search-time settings measured on one build each; the production setting (retrieval/index.py) is marked.
EF_SEARCH = (32, 64, 128, 256)
NPROBE_SHARE = (32, 16, 8, 4)  # nprobe = nlist / share


def product_texts(count: int, seed: int = 7) -> list[str]:
    """`count` product texts recombined from the demo catalog's tables."""
    rng = random.Random(seed)
    categories = list(CATALOG.items())
    texts = []
    for number in range(count):
        category, spec = rng.choice(categories)
        brand = rng.choice(spec.brands)
        models = spec.models[brand] if isinstance(spec.models, dict) else spec.models
        record = _product(rng, number, category, spec, brand, rng.choice(models))
        texts.append(ProductRecord.model_validate(record).search_text())
    return texts


def real_vectors(embedder: Embedder) -> np.ndarray:
    """The 10k real embeddings, cached in bench/results (embedding them takes minutes on a laptop CPU)."""
    cache = RESULTS / "embeddings-10k.npy"
    if cache.exists():
        return np.load(cache)
    vectors = embedder.encode(product_texts(REAL_SIZE), progress=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def synthetic_vectors(real: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """`count` vectors from the cluster model of `real` (see the module docstring)."""
    kmeans = faiss.Kmeans(real.shape[1], CLUSTERS, niter=25, seed=seed, spherical=True)
    kmeans.train(real)
    assignment = kmeans.index.search(real, 1)[1][:, 0]
    used = np.unique(assignment)
    means = np.stack([real[assignment == c].mean(axis=0) for c in used])
    spreads = np.stack([real[assignment == c].std(axis=0) for c in used])
    shares = np.array([(assignment == c).sum() for c in used], dtype=np.float64) / len(real)
    rng = np.random.default_rng(seed)
    out = np.empty((count, real.shape[1]), dtype=np.float32)
    for start in range(0, count, 100_000):
        picks = rng.choice(len(used), size=min(100_000, count - start), p=shares)
        block = means[picks] + rng.standard_normal((len(picks), real.shape[1])) * spreads[picks]
        out[start : start + len(picks)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


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
    args = parser.parse_args()
    embedder = Embedder.shared("sentence-transformers/all-MiniLM-L6-v2")
    real = real_vectors(embedder)
    texts = [entry["query"] for entry in yaml.safe_load(DEFAULT_FILE.read_text())["queries"]]
    queries = embedder.encode(texts)
    out = RESULTS / "retrieval.json"
    results = json.loads(out.read_text())["sizes"] if out.exists() else {}
    for size in map(parse_size, args.sizes.split(",")):
        data = real[:size] if size <= REAL_SIZE else synthetic_vectors(real, size)
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


if __name__ == "__main__":
    main()
