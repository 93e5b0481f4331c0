"""The catalog and finding products in it: importers, embeddings, the FAISS and BM25 indexes, hybrid search, related products, relevance evaluation."""
