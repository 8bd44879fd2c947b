"""Embedding throughput of the configured embedder at several batch sizes, on the corpus's own
chunk texts: `python scripts/measure_embed_batch.py [passes]` (needs a built index). Prints
chunks/s per batch size for each pass and the median; index/build.py EMBED_BATCH was set from it."""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.catalog import load_index
from index.embedders import make_embedder
from rag.settings import Settings

SIZES = (16, 32, 64, 128)


def main(passes: int = 3) -> None:
    settings = Settings()
    texts = [c.embed_text for c in load_index(settings).chunks]
    embedder = make_embedder(settings)
    embedder.embed(texts[:4])                       # load the model outside the timing
    rates: dict[int, list[float]] = {b: [] for b in SIZES}
    for n in range(passes):
        for b in SIZES:
            start = time.perf_counter()
            for i in range(0, len(texts), b):
                embedder.embed(texts[i:i + b])
            rates[b].append(len(texts) / (time.perf_counter() - start))
        print(f"pass {n + 1}: " + ", ".join(f"{b}: {rates[b][-1]:.1f}" for b in SIZES)
              + f" chunks/s (load {os.getloadavg()[0]:.1f})", flush=True)
    print("median: " + ", ".join(f"{b}: {statistics.median(rates[b]):.1f}" for b in SIZES) + " chunks/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
