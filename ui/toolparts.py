"""What the two tool tabs (政策匹配, 部门职责) share: a failure shown as a warning with no files, and
the form's choices read from the index (none yet: the tab starts without them)."""
from __future__ import annotations

import html
import logging
from typing import Any

from rag.service import AssistantService, classify

log = logging.getLogger(__name__)


def escape(text: Any) -> str:
    """Text for HTML: None as empty, anything else as its string, escaped."""
    return html.escape(str(text or ""))


def warning(exc: Exception, what: str) -> tuple[str, None, None]:
    """(warning HTML, no CSV, no XLSX) for a refused or failed tool call; a server-side failure is logged."""
    failure = classify(exc)
    if failure.status >= 500:
        log.error("%s failed: %s", what, failure.message, exc_info=exc)
    return f"<div class='zc-warn'>⚠ {escape(failure.message)}</div>", None, None


def choices(service: AssistantService, tab: str) -> dict[str, list[str]]:
    """The form's choices (places, cities, trades …); {} while there is no index yet."""
    try:
        return service.toolbox().choices()
    except Exception:
        log.exception("the tools have no index yet; the %s tab starts without choices", tab)
        return {}
