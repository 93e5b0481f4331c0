"""Fine-tuning a copy of the sentence encoder on the intent examples, before the classifier is fitted.

General-purpose MiniLM embeddings measure topical similarity, so "where is my refund" sits close to "where is my
order" and "how can I pay" close to "how can I get my money back". A few epochs of supervised fine-tuning — a
softmax head over the embedding and the dialogue context, trained jointly with the encoder, the classic recipe
for sentence classifiers — pull each intent's phrasings together. The head is thrown away: the logistic
regression of `intent_classifier` is fitted on the tuned embeddings. The base encoder is left untouched because
search and the product index use it.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from tqdm import tqdm

from retrieval.embeddings import Embedder

BATCH_SIZE = 32
ENCODER_LEARNING_RATE = 3e-5
HEAD_LEARNING_RATE = 1e-2
# Unit-length embeddings give logits too flat for a linear head to fit; a fixed scale acts as a temperature.
EMBEDDING_SCALE = 5.0
# Utterances are short; a longer text is an outlier whose tail adds nothing to its intent.
MAX_TOKENS = 64


def fine_tune_encoder(
    embedder: Embedder,
    texts: list[str],
    contexts: np.ndarray,
    labels: list[str],
    epochs: int,
    progress: bool = False,
    seed: int = 0,
) -> Embedder:
    """A tuned copy of `embedder`'s model: `contexts` holds one context feature row per text, `labels` its intent."""
    if not epochs > 0:
        raise ValueError("epochs must be positive")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = copy.deepcopy(embedder.model)
    model.max_seq_length = MAX_TOKENS
    label_set = sorted(set(labels))
    targets = torch.tensor([label_set.index(label) for label in labels])
    context_rows = torch.from_numpy(np.asarray(contexts, dtype=np.float32))
    head = torch.nn.Linear(embedder.dimension + context_rows.shape[1], len(label_set))
    optimizer = torch.optim.AdamW(
        [
            {"params": model.parameters(), "lr": ENCODER_LEARNING_RATE},
            {"params": head.parameters(), "lr": HEAD_LEARNING_RATE},
        ]
    )
    steps = epochs * -(-len(texts) // BATCH_SIZE)
    model.train()
    with tqdm(total=steps, desc="Fine-tuning the intent encoder", disable=not progress) as bar:
        for _ in range(epochs):
            order = rng.permutation(len(texts))
            for start in range(0, len(order), BATCH_SIZE):
                batch = order[start : start + BATCH_SIZE]
                features = model.preprocess([texts[i] for i in batch])
                embeddings = torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)
                logits = head(torch.cat([embeddings * EMBEDDING_SCALE, context_rows[batch]], dim=1))
                loss = torch.nn.functional.cross_entropy(logits, targets[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                bar.update(1)
                bar.set_postfix(loss=f"{loss.item():.3f}")
    model.eval()
    return Embedder(f"{embedder.model_name} (tuned for intents)", loaded=model)
