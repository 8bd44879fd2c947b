"""LangChain against 质策: ChatOpenAI on the live /v1 (fake assistant), and PolicyRetriever over
the real index built under a temporary directory, in an LCEL chain with a fake LLM."""
from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from rag.integrations.langchain import PolicyRetriever, ZhiceChatOpenAI
from tests.api.conftest import http
from tests.fakes.assistant import ANSWER, QUOTE

QUESTION = "中山市推行首席质量官制度由哪些部门负责?"


def chat(cls, url: str, **kw):
    return cls(base_url=f"{url}/v1", api_key="unused", model="zhice", max_retries=0,
               http_client=http(url), **kw)


def test_plain_chat_openai_invoke_and_stream(api_url):
    llm = chat(ChatOpenAI, api_url)
    msg = llm.invoke(QUESTION)
    assert msg.content.startswith(ANSWER) and f"“{QUOTE}”" in msg.content     # the sources, as text
    assert msg.response_metadata["finish_reason"] == "stop" and msg.usage_metadata["output_tokens"] > 0
    assert "zhice" not in msg.response_metadata and "zhice" not in msg.additional_kwargs  # langchain drops extras
    chunks = list(llm.stream(QUESTION))
    assert "".join(c.content for c in chunks) == msg.content


def test_zhice_chat_openai_carries_the_contract(api_url):
    llm = chat(ZhiceChatOpenAI, api_url, stream_usage=True)     # sends stream_options.include_usage
    msg = llm.invoke(QUESTION)
    assert msg.response_metadata["zhice"]["citations"][0]["quote"] == QUOTE
    full = None
    for c in llm.stream(QUESTION):
        full = c if full is None else full + c
    assert full.content == msg.content
    assert full.response_metadata["zhice"]["citations"][0]["quote"] == QUOTE
    assert full.usage_metadata["output_tokens"] > 0


class Cite(BaseModel):
    doc_id: str
    clause: str
    quote: str


class PolicyAnswer(BaseModel):
    answer: str
    answerable: bool
    citations: list[Cite]


def test_with_structured_output(api_url):
    out = chat(ChatOpenAI, api_url).with_structured_output(PolicyAnswer, method="json_schema").invoke(QUESTION)
    assert isinstance(out, PolicyAnswer) and out.answer == ANSWER and out.citations[0].quote == QUOTE
    raw = chat(ChatOpenAI, api_url).with_structured_output(PolicyAnswer, method="json_mode").invoke(QUESTION)
    assert raw.citations[0].clause == "三、(一)"


def test_with_structured_output_of_a_field_we_lack_fails_clearly(api_url):
    class Scored(BaseModel):
        answer: str
        confidence: float

    import openai

    with pytest.raises(openai.BadRequestError, match="confidence"):
        chat(ChatOpenAI, api_url).with_structured_output(Scored, method="json_schema").invoke(QUESTION)


def test_function_calling_structured_output_is_refused(api_url):
    import openai

    with pytest.raises(openai.BadRequestError, match="tools"):
        chat(ChatOpenAI, api_url).with_structured_output(PolicyAnswer, method="function_calling").invoke(QUESTION)


# ------------------------------------------------------------------ the real index
@pytest.fixture(scope="module")
def real_assistant(built):
    from rag.pipeline import build_assistant

    assistant = build_assistant(built[0])
    assistant.warm_up()
    return assistant


def test_policy_retriever_over_the_real_index(real_assistant):
    docs = PolicyRetriever(assistant=real_assistant, k=3).invoke(QUESTION)
    assert 1 <= len(docs) <= 3
    top = docs[0]
    assert top.metadata["city"] == "中山" and "首席质量官" in top.page_content
    assert set(top.metadata) >= {"doc_id", "clause", "city", "title", "date", "units", "damaged", "damaged_spans", "score"}
    assert set(top.metadata["units"]) == {"lead", "co", "responsible"} and isinstance(top.metadata["damaged"], bool)
    clause = real_assistant.components.snapshot.clause(top.metadata["doc_id"], top.metadata["clause"])
    assert clause is not None and clause.text == top.page_content
    # the same strategy as ask(): the answer's first citation is among the retrieved clauses
    answer = real_assistant.ask(QUESTION)
    cited = {(c.clause.doc_id, c.clause.clause_id) for c in answer.citations}
    assert cited & {(d.metadata["doc_id"], d.metadata["clause"]) for d in docs}


def test_policy_retriever_filters_and_damage(real_assistant):
    docs = PolicyRetriever(assistant=real_assistant, cities=["东莞"], k=5).invoke("质量监督抽查合格率")
    assert docs and {d.metadata["city"] for d in docs} == {"东莞"}
    snap = real_assistant.components.snapshot
    damaged = next(c for c in snap.clauses() if c.is_damaged)
    found = PolicyRetriever(assistant=real_assistant, doc_ids=[damaged.doc_id], k=50).invoke(damaged.text[:30])
    hit = next(d for d in found if d.metadata["clause"] == damaged.clause_id)
    assert hit.metadata["damaged"] is True and hit.metadata["damaged_spans"]


def test_policy_retriever_in_an_lcel_chain_with_a_fake_llm(real_assistant):
    seen: list[str] = []

    def record(prompt_value):
        seen.append(prompt_value.to_string())
        return prompt_value

    def cite(docs):
        return "\n".join(f"[{d.metadata['city']}·{d.metadata['clause']}] {d.page_content}" for d in docs)

    prompt = ChatPromptTemplate.from_messages([("system", "只根据条款回答。\n{context}"), ("human", "{question}")])
    llm = FakeListChatModel(responses=["市市场监管局等负责。"])
    chain = ({"context": PolicyRetriever(assistant=real_assistant, k=2) | cite, "question": RunnablePassthrough()}
             | prompt | RunnableLambda(record) | llm | StrOutputParser())
    assert chain.invoke(QUESTION) == "市市场监管局等负责。"
    assert "[中山·" in seen[0] and "首席质量官" in seen[0] and QUESTION in seen[0]


def test_policy_retriever_from_the_service_follows_a_reload(real_assistant):
    from rag.service import AssistantService

    service = AssistantService(real_assistant)
    retriever = PolicyRetriever.from_service(service, k=1)
    before = retriever.invoke(QUESTION)
    service.reload()                                   # fresh components on the same index
    after = retriever.invoke(QUESTION)
    assert [d.id for d in before] == [d.id for d in after] and len(after) == 1


def test_chat_openai_and_structured_output_against_the_real_assistant(real_assistant):
    from api.app import create_api
    from tests.fakes.serving import serve

    with serve(create_api(real_assistant)) as url:
        llm = chat(ZhiceChatOpenAI, url, stream_usage=True)
        msg = llm.invoke(QUESTION)
        cites = msg.response_metadata["zhice"]["citations"]
        assert cites and all(c["quote"] in c["text"] for c in cites) and cites[0]["city"] == "中山"
        full = None
        for c in llm.stream(QUESTION):
            full = c if full is None else full + c
        assert full.content == msg.content and full.response_metadata["zhice"]["citations"] == cites
        out = chat(ChatOpenAI, url).with_structured_output(PolicyAnswer).invoke(QUESTION)
        assert out.answerable and [c.quote for c in out.citations] == [c["quote"] for c in cites]
