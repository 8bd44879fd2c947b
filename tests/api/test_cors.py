"""CORS: off by default; when ZHICE_CORS_ORIGINS is set, only for /api, /v1 and /healthz."""
from __future__ import annotations

from api.app import create_api
from rag.settings import Settings
from tests.api.conftest import http
from tests.fakes.assistant import FakeAssistant
from tests.fakes.serving import serve

ORIGIN = "https://policy.example"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization,content-type"}


def test_cors_setting_parses_a_comma_separated_list():
    assert Settings(cors_origins=" https://a.example, http://localhost:3000 ,").cors_origin_list == [
        "https://a.example", "http://localhost:3000"]
    assert Settings(cors_origins="").cors_origin_list == []


def test_cors_is_off_by_default():
    with serve(create_api(FakeAssistant(), Settings(cors_origins=""))) as url:
        r = http(url).get("/healthz", headers={"Origin": ORIGIN})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_cors_allows_the_configured_origins_on_the_api_paths():
    with serve(create_api(FakeAssistant(), Settings(cors_origins=f"{ORIGIN},http://localhost:3000"))) as url:
        c = http(url)
        for path in ("/v1/chat/completions", "/api/ask", "/api/documents"):
            r = c.options(path, headers=PREFLIGHT)
            assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ORIGIN
            assert "POST" in r.headers["access-control-allow-methods"]
        r = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "问"}], "temperature": 0.5},
                   headers={"Origin": ORIGIN})
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert "X-Zhice-Ignored-Options" in r.headers["access-control-expose-headers"]
        assert c.get("/v1/models", headers={"Origin": "https://evil.example"}).headers.get("access-control-allow-origin") is None
        assert c.options("/api/ask", headers={**PREFLIGHT, "Origin": "https://evil.example"}).status_code == 400
        assert "access-control-allow-origin" not in c.get("/elsewhere", headers={"Origin": ORIGIN}).headers
