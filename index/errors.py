"""The project's error family; every message says what to do next.

    ZhiceError                      root: anything the product raises on purpose
    ├── IndexLayerError             the index cannot be read, built or used
    │   ├── IngestError             one document could not be read or parsed (the build skips it)
    │   ├── IndexMissingError       no index built yet
    │   ├── IndexMismatchError      built with another embedder
    │   ├── CatalogDamagedError     the current build's catalog cannot be read
    │   └── ConfigError             a setting has a bad value
    └── (rag.compose.llm.LLMError, …)       errors of the answering layer subclass ZhiceError too

The service layer (rag/service.py) shows a ZhiceError's own message to the user; anything else
is an internal error.
"""


class ZhiceError(Exception):
    """Root of every error the product raises on purpose; its message is fit to show a user."""


class IndexLayerError(ZhiceError):
    """The index cannot be read, built or used."""


class IngestError(IndexLayerError):
    """A document could not be read or parsed; the build reports it and goes on."""


class IndexMissingError(IndexLayerError):
    def __init__(self, where: str) -> None:
        super().__init__(
            f"No index found in {where}. Build it first: `python -m index build` "
            "(or start `python app.py`, which builds it on first run)."
        )


class IndexMismatchError(IndexLayerError):
    def __init__(self, built_with: str, configured: str) -> None:
        super().__init__(
            f"The index was built with embedder {built_with!r} but the settings ask for "
            f"{configured!r}. Either set ZHICE_EMBEDDER/ZHICE_EMBEDDING_MODEL back to the one "
            "that built it, or rebuild: `python -m index build --rebuild`."
        )


class CatalogDamagedError(IndexLayerError):
    def __init__(self, where: str, why: str) -> None:
        super().__init__(f"The index catalog {where} cannot be read ({why}). Rebuild it: "
                         "`python -m index build --rebuild`.")


class ConfigError(IndexLayerError):
    """A setting has a bad value; the message lists the good ones."""


class BuildRefusedError(IndexLayerError):
    """A build would empty the index or remove most of its documents; the current index is kept.

    `skipped` lists the files that were rejected ({"file", "error"}), so a caller can show why."""

    def __init__(self, message: str, skipped: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.skipped = list(skipped or [])
