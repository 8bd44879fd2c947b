"""Composing the reply from the clauses the decision let through: sentences picked as evidence,
the extractive answerer (default), the LLM answerer with its verification and circuit breaker."""
