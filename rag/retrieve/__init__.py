"""Finding the clauses: the strategy (which searches a question needs), the retrievers (BM25,
dense, fused) and the ranking math they share."""
