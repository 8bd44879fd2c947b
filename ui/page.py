"""Mounting the UI on the API's FastAPI app, with the page served as <html lang="zh-CN">."""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import gradio as gr
from fastapi import FastAPI

from rag.service import AssistantService
from ui.admin import Admin
from ui.assets import CSS, HEAD
from ui.chat import build_ui


def set_html_lang(page: bytes, lang: str = "zh-CN") -> bytes:
    """The page's <html lang="…"> set to `lang` (Gradio's template says "en")."""
    return re.sub(rb"(<html\b[^>]*?\blang=)\"[^\"]*\"", rb'\1"' + lang.encode() + b'"', page, count=1)



class HtmlLang:
    """ASGI middleware: the UI page is served with <html lang="zh-CN"> (screen readers, fonts, translation)."""

    def __init__(self, app: Any, lang: str = "zh-CN") -> None:
        self.app, self.lang = app, lang

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[MutableMapping[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") not in ("/", ""):
            await self.app(scope, receive, send)
            return
        start: MutableMapping[str, Any] = {}
        body: list[bytes] = []

        async def capture(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            headers = [(k, v) for k, v in start.get("headers", [])]
            names = {k.lower(): v for k, v in headers}
            data = b"".join(body)
            if names.get(b"content-type", b"").startswith(b"text/html") and b"content-encoding" not in names:
                data = set_html_lang(data, self.lang)
                headers = [(k, str(len(data)).encode() if k.lower() == b"content-length" else v) for k, v in headers]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": data, "more_body": False})

        await self.app(scope, receive, capture)


def mount_ui(app: FastAPI, service: AssistantService, admin: Admin | None = None,
             max_file_size: int | None = None) -> FastAPI:
    """The chat (and, with `admin`, the 管理文件 section) at / of `app`; returns the app to serve."""
    app = gr.mount_gradio_app(
        app, build_ui(service, admin), path="/", footer_links=[], run_history=False, ssr_mode=False,
        mcp_server=False, css=CSS, head=HEAD, theme=gr.themes.Default(),
        max_file_size=max_file_size if admin is not None else None,
    )
    app.add_middleware(HtmlLang)
    return app
