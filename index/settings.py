"""The one settings object, read from environment variables (prefix ZHICE_) or a `.env` file.

Every part of the product reads its configuration from here; nothing else reads os.environ.
Secrets are SecretStr so they never show up in a repr, a log line or an error message.
"""
from __future__ import annotations

from enum import Enum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class EmbedderKind(str, Enum):
    USE = "use"                                    # packaged multilingual USE v3 (offline default)
    SENTENCE_TRANSFORMERS = "sentence-transformers"  # any ST model by name or path


class AnswererKind(str, Enum):
    EXTRACTIVE = "extractive"
    LLM = "llm"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZHICE_", env_file=".env", extra="ignore")

    corpus_dir: Path = ROOT / "corpus"
    data_dir: Path = ROOT / "data"

    embedder: EmbedderKind = EmbedderKind.USE
    embedding_model: str = Field(
        default="", description="sentence-transformers model name or path, e.g. BAAI/bge-small-zh-v1.5"
    )
    embedding_device: str = "cpu"
    chunk_max_tokens: int = Field(default=512, ge=32, le=8192)

    chroma_url: str | None = Field(default=None, description="e.g. http://localhost:8000; unset = embedded")
    chroma_collection: str = "zhice_clauses"

    answerer: AnswererKind = AnswererKind.EXTRACTIVE
    llm_base_url: str | None = None
    llm_model: str = "deepseek-chat"
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = Field(default=30.0, gt=0)
    llm_temperature: float = 0.0

    reranker_model: str | None = Field(default=None, description="sentence-transformers CrossEncoder")
    top_k: int = Field(default=5, ge=1, le=50)
    fusion_k: int = Field(default=60, gt=0, description="RRF constant")
    dense_weight: float = Field(default=0.5, ge=0, description="RRF weight of the dense ranking (lexical = 1)")

    @field_validator("embedding_model")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    def embedder_id(self) -> str:
        """A stable name for the configured embedder; recorded in the index that it builds."""
        if self.embedder is EmbedderKind.USE:
            return "use-multilingual-v3"
        return f"sentence-transformers:{self.embedding_model}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
