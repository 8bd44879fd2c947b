"""Errors of the ingestion and index layer; every message says what to do next."""


class IndexError_(Exception):
    """Base class (named with a trailing underscore so it never shadows the builtin)."""


class IngestError(IndexError_):
    """A document could not be read or parsed; the build reports it and goes on."""


class IndexMissingError(IndexError_):
    def __init__(self, where: str) -> None:
        super().__init__(
            f"No index found in {where}. Build it first: `python -m index build` "
            "(or start `python app.py`, which builds it on first run)."
        )


class IndexMismatchError(IndexError_):
    def __init__(self, built_with: str, configured: str) -> None:
        super().__init__(
            f"The index was built with embedder {built_with!r} but the settings ask for "
            f"{configured!r}. Either set ZHICE_EMBEDDER/ZHICE_EMBEDDING_MODEL back to the one "
            "that built it, or rebuild: `python -m index build --rebuild`."
        )


class ConfigError(IndexError_):
    """A setting has a bad value; the message lists the good ones."""


class BuildRefusedError(IndexError_):
    """A build would empty the index or remove most of its documents; the current index is kept.

    `skipped` lists the files that were rejected ({"file", "error"}), so a caller can show why."""

    def __init__(self, message: str, skipped: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.skipped = list(skipped or [])
