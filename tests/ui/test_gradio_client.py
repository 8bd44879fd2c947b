"""The UI's one public Gradio endpoint, /ask, called with gradio_client against `python app.py`."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from gradio_client import Client

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def gradio(server: str) -> Iterator[Client]:
    client = Client(server + "/", verbose=False, download_files=False)
    yield client
    client.close()                                   # its heartbeat stream would hold the server's shutdown


def test_one_named_endpoint_with_clear_parameters(gradio):
    api = gradio.view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/ask"] and api["unnamed_endpoints"] == {}
    params = api["named_endpoints"]["/ask"]["parameters"]
    assert [p["parameter_name"] for p in params] == ["question", "cities"]
    assert params[1]["parameter_has_default"] and params[1]["parameter_default"] == []
    assert set(params[1]["type"]["items"]["enum"]) >= {"中山", "东莞", "全国"}    # choices known before any page load


def test_ask_with_a_city_filter(gradio):
    chat, hint, box = gradio.predict(question="首席质量官制度由哪些部门负责?", cities=["东莞"], api_name="/ask")
    answer = chat[-1]["content"][0]["text"]
    assert chat[-1]["role"] == "assistant" and "zc-cite" in answer
    assert "东莞 · " in answer and "中山 · " not in answer
    assert "回答引用了" in hint and box == ""


def test_follow_up_in_the_same_client_session(gradio):
    gradio.reset_session()
    gradio.predict(question="中山市推行首席质量官制度由哪些部门负责?", api_name="/ask")
    chat, _, _ = gradio.predict(question="那东莞呢?", api_name="/ask")
    assert len(chat) == 4
    first, second = chat[1]["content"][0]["text"], chat[3]["content"][0]["text"]
    assert "中山 · " in first and "东莞 · " in second                      # each answer keeps its own sources


def test_a_city_outside_the_index_is_refused(gradio):
    with pytest.raises(Exception, match="深圳"):
        gradio.predict(question="首席质量官制度由哪些部门负责?", cities=["深圳"], api_name="/ask")
