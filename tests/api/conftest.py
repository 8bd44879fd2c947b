"""Live servers for the client tests: the `fake` and `api_url` fixtures of tests/conftest.py."""
from __future__ import annotations

from tests.fakes.serving import http_client as http

__all__ = ["http"]
