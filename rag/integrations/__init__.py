"""Adapters that let other frameworks use 质策 (imported only on demand)."""
