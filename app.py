"""质策: the HTTP API (rag/api.py) and a Gradio chat UI at /, served by uvicorn.

    python app.py [--host 127.0.0.1] [--port 7860]

Only wiring and presentation live here: questions go to the assistant of rag.pipeline, and the
UI renders the Answer it returns (streamed text, then the cited clauses with the quotes marked).
"""
from __future__ import annotations

import argparse
import html
import os
from typing import Any, Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")   # no telemetry, no version check
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")                # Chroma's telemetry

import gradio as gr  # noqa: E402 - after the telemetry switches above
from fastapi import FastAPI  # noqa: E402

from rag.api import contract_of, create_api  # noqa: E402
from rag.guard import Access, allowed_hosts  # noqa: E402
from rag.limits import MAX_TURNS, checked_request  # noqa: E402
from rag.service import AssistantService, classify  # noqa: E402
from rag.settings import get_settings  # noqa: E402
from rag.types import Answer, Filters  # noqa: E402

EXAMPLES = [
    "中山市推行首席质量官制度由哪些部门负责?",
    "东莞市工业产品质量监督抽查合格率的目标是多少?",
    "汕頭市政府質量獎評審管理辦法由哪些部門牽頭完善?",
    "各地对首席质量官制度分别由哪些部门负责?",
    "质量强国建设纲要提出用什么制度为新产品新业态提供容错纠错空间?",
]
CSS = """
.zc-cite {border:1px solid var(--border-color-primary); border-radius:8px; padding:10px 12px; margin-bottom:10px;}
.zc-head {font-weight:600; margin-bottom:4px;}
.zc-meta {color:var(--body-text-color-subdued); font-size:0.9em; margin-bottom:6px;}
.zc-text {line-height:1.7; white-space:pre-wrap;}
.zc-text mark {background:#ffe58a; color:inherit; padding:0 1px; border-radius:2px;}
.zc-lost {color:#c0392b; text-decoration:underline wavy; font-weight:600;}
.zc-warn {background:#fff4e5; border-left:4px solid #f0a030; padding:6px 10px; margin-bottom:8px; color:#6b4200;}
.zc-panel {max-height:620px; overflow-y:auto; padding-right:4px;}
.zc-foot {color:var(--body-text-color-subdued); font-size:0.85em;}
"""
EMPTY_PANEL = "<div class='zc-foot'>提问后，这里列出答案引用的条款，引文以黄色标出。</div>"


# ---------------------------------------------------------------- presentation (pure)
def answerer_label(name: str) -> str:
    """'llm:deepseek-chat' -> 'LLM（deepseek-chat）'; 'extractive' -> '摘录式（extractive）'."""
    if name.startswith("llm:"):
        return f"LLM（{name.split(':', 1)[1]}），引文经核验，失败时改用摘录式"
    return "摘录式（extractive），答案逐句摘自条款" if name == "extractive" else name


def highlight(text: str, quotes: list[str], lost: list[list[int]]) -> str:
    """Clause text as HTML: each quote in <mark>, lost characters flagged; everything escaped."""
    marked: set[int] = set()
    for quote in quotes:
        start = text.find(quote) if quote else -1
        marked |= set(range(start, start + len(quote))) if start >= 0 else set()
    gone = {i for a, b in lost for i in range(a, b)}
    out, i = [], 0
    while i < len(text):
        j, key = i, (i in marked, i in gone)
        while j < len(text) and (j in marked, j in gone) == key:
            j += 1
        piece = html.escape(text[i:j])
        if key[1]:
            piece = f"<span class='zc-lost' title='原文缺损，无法恢复'>{piece}</span>"
        out.append(f"<mark>{piece}</mark>" if key[0] else piece)
        i = j
    return "".join(out)


def group_citations(citations: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Citations of the same clause together, in order of first citation."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in citations:
        groups.setdefault((c["doc_id"], c["clause"]), []).append(c)
    return list(groups.values())


def clause_html(group: list[dict[str, Any]]) -> str:
    c = group[0]
    markers = "".join(dict.fromkeys(f"[{g['marker']}]" for g in group))
    when = f" · {html.escape(str(c['date']))}" if c.get("date") else ""
    text = highlight(c["text"], [g["quote"] for g in group], c.get("damaged_spans", []))
    return (
        f"<div class='zc-cite'><div class='zc-head'>{markers} {html.escape(c['title'])}</div>"
        f"<div class='zc-meta'>{html.escape(c['city'])}{when} · 第 {html.escape(c['clause'])} 条</div>"
        f"<div class='zc-text'>{text}</div></div>"
    )


def sources_html(contract: dict[str, Any]) -> str:
    """The side panel: warnings, then each cited clause, then which answerer answered."""
    parts = [f"<div class='zc-warn'>⚠ {html.escape(w['detail'])}</div>" for w in contract.get("warnings", [])]
    parts += [clause_html(g) for g in group_citations(contract.get("citations", []))]
    if not contract.get("citations"):
        parts.append("<div class='zc-foot'>本次回答没有引用条款。</div>")
    answerer = contract.get("meta", {}).get("answerer")
    if answerer:
        parts.append(f"<div class='zc-foot'>本次回答：{html.escape(str(answerer))}</div>")
    return "<div class='zc-panel'>" + "\n".join(parts) + "</div>"


def message_text(content: Any) -> str:
    """A chat message's text, whether Gradio gives a string or a list of content parts."""
    if isinstance(content, list):
        return "".join(message_text(p) for p in content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return "" if content is None else str(content)


def history_pairs(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Chatbot messages -> [(user, assistant), ...] for follow-up questions."""
    pairs: list[tuple[str, str]] = []
    for m in messages:
        text = message_text(m.get("content"))
        if m.get("role") == "user":
            pairs.append((text, ""))
        elif m.get("role") == "assistant" and pairs and not pairs[-1][1]:
            pairs[-1] = (pairs[-1][0], text)
    return pairs


# ---------------------------------------------------------------- the UI
def _respond(service: AssistantService, question: str, chat: list[dict[str, Any]], cities: list[str] | None
             ) -> Iterator[tuple[list[dict[str, Any]], str, str]]:
    if not (question or "").strip():
        yield chat, EMPTY_PANEL, ""
        return
    try:   # budgets and cleaning (rag.limits): what is shown is the cleaned text, with no remote images
        request = checked_request(question, history_pairs(chat)[-MAX_TURNS:], Filters(cities=list(cities or [])))
    except Exception as exc:  # noqa: BLE001 - shown to the user
        yield [*chat, {"role": "assistant", "content": f"⚠ {classify(exc).message}"}], EMPTY_PANEL, question
        return
    question, history = request.question, request.history
    chat = [*chat, {"role": "user", "content": question}, {"role": "assistant", "content": ""}]
    yield chat, "<div class='zc-foot'>正在检索与作答…</div>", ""
    try:
        for item in service.stream(question, history, request.filters):
            if isinstance(item, Answer):
                contract = contract_of(item)
                yield [*chat[:-1], {"role": "assistant", "content": contract["answer"]}], sources_html(contract), ""
                return
            chat = [*chat[:-1], {"role": "assistant", "content": message_text(chat[-1]["content"]) + item}]
            yield chat, "<div class='zc-foot'>正在作答…</div>", ""
    except Exception as exc:  # noqa: BLE001 - shown to the user, logged by the service
        yield [*chat[:-1], {"role": "assistant", "content": f"⚠ {classify(exc).message}"}], EMPTY_PANEL, ""


def _prepare(service: AssistantService, progress: gr.Progress) -> list[Any]:
    """Builds the index if needed; the progress shows over the (still empty) chat."""
    if not service.is_ready:
        progress(0.0, desc="正在检查索引；首次启动要先建立索引，请稍候…")
    try:
        service.start(progress=lambda fraction, message: progress(fraction, desc=f"正在建立索引：{message}"))
    except Exception as exc:  # noqa: BLE001 - the message says what to do (e.g. rebuild the index)
        raise gr.Error(classify(exc).message, duration=None) from exc
    return []


def _ready_status(service: AssistantService) -> tuple[str, Any]:
    status = f"**答题方式**：{answerer_label(service.answerer_name)} · 索引已就绪"
    return status, gr.Dropdown(choices=service.cities())


def build_ui(service: AssistantService) -> gr.Blocks:
    with gr.Blocks(title="质策 · 质量政策问答") as demo:
        gr.Markdown("## 质策 · 质量政策问答\n只根据已收录的质量政策文件作答，每句注明出处。")
        status = gr.Markdown(f"**答题方式**：{answerer_label(service.answerer_name)} · 正在检查索引…")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(height=480, label="对话", feedback_options=None, buttons=["copy"])
                question = gr.Textbox(placeholder="输入问题，例如：中山市推行首席质量官制度由哪些部门负责?",
                                      show_label=False, lines=1, max_lines=4)
                with gr.Row():
                    ask = gr.Button("提问", variant="primary")
                    clear = gr.ClearButton(value="清空对话")
                gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="示例问题")
            with gr.Column(scale=2):
                cities = gr.Dropdown(choices=[], value=[], multiselect=True, label="限定城市（可多选，空 = 全部）")
                gr.Markdown("#### 引用的条款")
                panel = gr.HTML(EMPTY_PANEL)
        clear.add([chat, question, panel])

        def respond(q: str, c: list[dict[str, Any]], ci: list[str] | None) -> Iterator[tuple[Any, str, str]]:
            yield from _respond(service, q, c, ci)

        def prepare(progress: gr.Progress = gr.Progress()) -> list[Any]:
            return _prepare(service, progress)

        for event in (question.submit, ask.click):
            event(respond, [question, chat, cities], [chat, panel, question])
        loaded = demo.load(prepare, None, [chat], show_progress="full")
        loaded.success(lambda: _ready_status(service), None, [status, cities], show_progress="hidden")
    return demo


def create_app(assistant: Any = None, *, host: str | None = None) -> FastAPI:
    """The API at /api, /v1 and /healthz, and the UI at /. Takes an AssistantService or an
    assistant (the default one when None); call service.start() first to serve warm. `host` is
    the address the server binds, which the Host check accepts besides localhost."""
    if assistant is None:
        from rag.pipeline import build_assistant

        assistant = build_assistant()
    service = assistant if isinstance(assistant, AssistantService) else AssistantService(assistant)
    app = create_api(service, access=Access.from_settings(get_settings(), bound_host=host))
    return gr.mount_gradio_app(
        app, build_ui(service), path="/", footer_links=[], run_history=False, ssr_mode=False,
        mcp_server=False, css=CSS, theme=gr.themes.Default(),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve 质策: the chat UI at / and the HTTP API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    args = parser.parse_args(argv)
    import uvicorn

    from rag.pipeline import build_assistant

    service = AssistantService(build_assistant())
    print("质策: loading the index and the models (the first run builds the index)…", flush=True)
    service.start(progress=lambda fraction, message: print(f"  {fraction:4.0%} {message}", flush=True))
    print(f"质策 ready on http://{args.host}:{args.port}/  (API: /api/ask, /v1/chat/completions, /healthz)", flush=True)
    print(f"  answering to Host: {', '.join(allowed_hosts(get_settings().allowed_hosts, args.host))} "
          "(add names with ZHICE_ALLOWED_HOSTS)", flush=True)
    uvicorn.run(create_app(service, host=args.host), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
