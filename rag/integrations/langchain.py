"""质策 for LangChain users.

    PolicyRetriever   a BaseRetriever over the product's own index: the same query understanding
                      and retrieval strategy as Assistant.ask (not a second index), returning one
                      Document per clause with the citation facts in its metadata.
    ZhiceChatOpenAI   ChatOpenAI that also puts the answer contract (citations, warnings, …) in
                      AIMessage.response_metadata["zhice"], for invoke and stream. Plain ChatOpenAI
                      (langchain-openai 1.7) drops the extra "zhice" key of the response: with it
                      the citations reach you only as the "来源：" lines of the text, or as data
                      through with_structured_output(...).

Retrieval reads the index; it never changes it, so it may run next to the service's answers.
After an upload rebuilds the index (AssistantService.reload), the next call sees the new one.
"""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.retrievers import BaseRetriever
from langchain_openai import ChatOpenAI
from pydantic import ConfigDict, Field

from rag.types import Filters, Hit

CONTRACT_KEY = "zhice"


def hit_document(hit: Hit) -> Document:
    """One retrieved clause as a LangChain Document: the clause text, and what a citation needs."""
    clause, doc = hit.clause, hit.doc
    return Document(
        page_content=clause.text,
        id=f"{clause.doc_id}#{clause.clause_id}",
        metadata={
            "doc_id": clause.doc_id, "clause": clause.clause_id, "city": doc.place, "title": doc.title,
            "date": doc.date, "heading": clause.heading,
            "units": {"lead": list(clause.units.lead), "co": list(clause.units.co),
                      "responsible": list(clause.units.responsible)},
            "damaged": clause.is_damaged,
            "damaged_spans": [[s.start, s.end] for s in clause.lost_spans()],
            "score": float(hit.score),
        },
    )


class PolicyRetriever(BaseRetriever):
    """Clauses for a question, best first. `assistant` is a rag.pipeline.Assistant (or anything
    with its `components`); use `from_service` to share the server's assistant, `from_settings`
    for a stand-alone one. `cities` / `doc_ids` restrict the corpus like the API's filters."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    assistant: Any
    k: int = Field(default=5, ge=1, le=50)
    cities: list[str] = Field(default_factory=list)
    doc_ids: list[str] = Field(default_factory=list)

    @classmethod
    def from_service(cls, service: Any, **kwargs: Any) -> PolicyRetriever:
        service.start()
        return cls(assistant=service.assistant, **kwargs)

    @classmethod
    def from_settings(cls, settings: Any = None, **kwargs: Any) -> PolicyRetriever:
        from rag.pipeline import build_assistant

        assistant = build_assistant(settings)
        assistant.warm_up()
        return cls(assistant=assistant, **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        c = self.assistant.components
        filters = Filters(cities=list(self.cities), doc_ids=list(self.doc_ids))
        understood = c.understander.understand(query, None, filters)
        return [hit_document(h) for h in c.strategy.retrieve(understood)[: self.k]]


class ZhiceChatOpenAI(ChatOpenAI):
    """ChatOpenAI pointed at 质策's /v1 that keeps the answer contract:
    `msg.response_metadata["zhice"]` after invoke, and on the summed chunks after stream."""

    def _create_chat_result(self, response: Any, generation_info: dict | None = None) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        contract = _extra(response)
        if contract is not None and result.generations:
            result.generations[0].message.response_metadata[CONTRACT_KEY] = contract
        return result

    def _convert_chunk_to_generation_chunk(self, chunk: dict, default_chunk_class: type,
                                           base_generation_info: dict | None) -> ChatGenerationChunk | None:
        out = super()._convert_chunk_to_generation_chunk(chunk, default_chunk_class, base_generation_info)
        if out is not None and isinstance(chunk, dict) and CONTRACT_KEY in chunk:
            out.message.response_metadata[CONTRACT_KEY] = chunk[CONTRACT_KEY]
        return out


def _extra(response: Any) -> Any:
    if isinstance(response, dict):
        return response.get(CONTRACT_KEY)
    return (getattr(response, "model_extra", None) or {}).get(CONTRACT_KEY)
