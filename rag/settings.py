"""The product's one settings object: the index layer's settings plus those of answering.

Read from environment variables (prefix ZHICE_) or a `.env` file, here and nowhere else.
Components never take this object: the factory (rag.components.build_components) hands each one
its own parameters.
"""
from __future__ import annotations

from enum import Enum
from functools import lru_cache

from pydantic import Field, SecretStr

from index.settings import IndexSettings


class AnswererKind(str, Enum):
    EXTRACTIVE = "extractive"
    LLM = "llm"


class Settings(IndexSettings):
    answerer: AnswererKind = AnswererKind.EXTRACTIVE
    llm_base_url: str | None = None
    llm_model: str = "deepseek-chat"
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = Field(default=30.0, gt=0, description="for the whole answer, not per read")
    llm_temperature: float = 0.0
    llm_breaker_failures: int = Field(default=3, ge=1, description="consecutive LLM failures that pause it")
    llm_breaker_cooldown_s: float = Field(default=30.0, ge=0, description="how long it stays paused")

    api_key: SecretStr = Field(default=SecretStr(""), description="when set, /api and /v1 need Authorization: Bearer KEY")
    allowed_hosts: str = Field(default="", description="comma-separated Host names the server answers to, "
                                                       "besides localhost, 127.0.0.1, [::1] and the bound host")
    allow_uploads: bool = Field(default=False, description="open Gradio's upload route; also opened "
                                "when admin_token is set (the UI's 管理文件 file input needs it)")

    top_k: int = Field(default=5, ge=1, le=50)
    fusion_k: int = Field(default=60, gt=0, description="RRF constant")
    dense_weight: float = Field(default=0.5, ge=0, description="RRF weight of the dense ranking (lexical = 1)")
    vector_cache_mb: float = Field(default=256.0, ge=0, description="memory for the vectors of the filters "
                                   "questions use (rag.retrieve.retrievers.FilterVectors); 0 = read the store on every question")

    cors_origins: str = Field(default="", description="comma-separated origins allowed to call /api, /v1 and "
                              "/healthz from a browser, e.g. https://a.example,http://localhost:3000; '*' = any; empty = off")
    admin_token: SecretStr = Field(default=SecretStr(""), description="enables document upload over HTTP; "
                                   "sent as 'Authorization: Bearer <token>'; empty = upload disabled")
    upload_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1, description="largest document accepted by POST /api/documents")

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
