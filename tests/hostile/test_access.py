"""Access at the edge with a fake assistant: the optional API key, request ids, the Host check
and the allowed-host list."""
from __future__ import annotations

import httpx
import pytest

from api.app import create_api
from api.guard import Access, allowed_hosts
from tests.fakes.assistant import FakeAssistant
from tests.fakes.serving import serve

ASK = {"question": "中山市推行首席质量官制度由哪些部门负责?"}


@pytest.fixture(scope="module")
def keyed():
    with serve(create_api(FakeAssistant(), access=Access(api_key="s3cret"))) as url:
        yield url


def test_api_key_guards_api_and_v1_but_not_livez(keyed):
    with httpx.Client(base_url=keyed, trust_env=False, timeout=30) as c:
        for path, body in (("/api/ask", ASK), ("/v1/chat/completions", {"messages": [{"role": "user", "content": "问"}]})):
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
                r = c.post(path, json=body, headers=headers)
                assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
                assert "s3cret" not in r.text and r.headers["www-authenticate"] == "Bearer"
            assert c.post(path, json=body, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.post("//api/ask", json=ASK).status_code in (401, 404)
        assert c.get("/livez").status_code == 200


def test_request_id_is_returned_and_kept_when_sane(keyed):
    with httpx.Client(base_url=keyed, trust_env=False, timeout=30) as c:
        r = c.get("/livez", headers={"X-Request-ID": "trace-123"})
        assert r.headers["x-request-id"] == "trace-123"
        r = c.post("/api/ask", json=ASK, headers={"X-Request-ID": "bad id with spaces"})
        assert r.status_code == 401 and r.headers["x-request-id"] != "bad id with spaces"
        assert r.json()["error"]["request_id"] == r.headers["x-request-id"]


def test_host_check_refuses_other_names():
    with serve(create_api(FakeAssistant(), access=Access())) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=30) as c:
            assert c.get("/livez", headers={"Host": "localhost:7860"}).status_code == 200
            assert c.get("/livez", headers={"Host": "rebind.attacker.example"}).status_code == 400


def test_allowed_hosts_from_settings():
    assert allowed_hosts("") == ("localhost", "127.0.0.1", "[::1]")
    assert allowed_hosts("qa.example.org, *.corp.example", "192.168.1.5") == (
        "localhost", "127.0.0.1", "[::1]", "192.168.1.5", "qa.example.org", "*.corp.example")
    assert allowed_hosts("", "0.0.0.0") == ("localhost", "127.0.0.1", "[::1]")
    assert allowed_hosts("", "::1")[-1] == "[::1]"


def test_admin_token_passes_the_key_guard_for_documents_only():
    with serve(create_api(FakeAssistant(), access=Access(api_key="k1", admin_token="adm"))) as url, \
            httpx.Client(base_url=url, trust_env=False, timeout=30) as c:
        admin = {"Authorization": "Bearer adm"}
        assert c.get("/api/documents", headers=admin).status_code != 401          # on to the route's own check
        assert c.get("/api/documents", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert c.post("/api/ask", json=ASK, headers=admin).status_code == 401     # not a key for asking
