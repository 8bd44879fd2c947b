"""Deterministic stand-ins for tests: a real local OpenAI-compatible HTTP server, small corpus
objects, a fixed Answerer and an Assistant with the methods of rag.pipeline's."""
