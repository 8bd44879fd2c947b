"""Settings of the index layer, read from environment variables (prefix ZHICE_) or a `.env` file.

`IndexSettings` holds what ingestion and the stores need. The answering layer extends it
(rag.settings.Settings) with its own fields, so the whole product still has one settings object
read in one place, while `index` never imports `rag`. Secrets are SecretStr (never in a repr).
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class EmbedderKind(str, Enum):
    USE = "use"                                    # packaged multilingual USE v3 (offline default)
    SENTENCE_TRANSFORMERS = "sentence-transformers"  # any ST model by name or path


def embedder_id(kind: EmbedderKind, model: str = "") -> str:
    """The stable name of an embedder: recorded in the index it builds, compared at query time.
    The one place this name is computed (the embedders take it from here too)."""
    if kind is EmbedderKind.USE:
        return "use-multilingual-v3"
    return f"sentence-transformers:{model}"


class IndexSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZHICE_", env_file=".env", extra="ignore")

    corpus_dir: Path = ROOT / "corpus"
    data_dir: Path = ROOT / "data"

    embedder: EmbedderKind = EmbedderKind.USE
    embedding_model: str = Field(
        default="", description="sentence-transformers model name or path, e.g. BAAI/bge-small-zh-v1.5"
    )
    embedding_device: str = "cpu"
    embedding_threads: int = Field(default=1, ge=1, le=64, description="BLAS threads of the offline USE embedder")
    chunk_max_tokens: int = Field(default=512, ge=32, le=8192)

    chroma_url: str | None = Field(default=None, description="e.g. http://localhost:8000; unset = embedded")
    chroma_collection: str = "zhice_clauses"

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
        return embedder_id(self.embedder, self.embedding_model)
