"""The page: `build_ui(service, admin)` -> gr.Blocks, three tabs: 问答 (the chat), 政策匹配
(ui.match) and 部门职责 (ui.duties). One public Gradio endpoint, `/ask` (question, cities); every
other event is private. Answers stream, then each shows the clauses it cites (ui.render)."""
from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from typing import Any

import gradio as gr

from rag.limits import MAX_QUESTION_CHARS, MAX_TURNS, checked_request
from rag.service import AssistantService, classify
from rag.types import Answer, Filters
from ui.admin import Admin, admin_section
from ui.duties import duties_tab
from ui.match import match_tab
from ui.render import Turn, answerer_label, group_citations, history_of, inert_markdown, literal_markdown, plain_question, render_chat

log = logging.getLogger(__name__)

EXAMPLES = [
    "中山市推行首席质量官制度由哪些部门负责?",
    "东莞市工业产品质量监督抽查合格率的目标是多少?",
    "汕頭市政府質量獎評審管理辦法由哪些部門牽頭完善?",
    "各地对首席质量官制度分别由哪些部门负责?",
    "质量强国建设纲要提出用什么制度为新产品新业态提供容错纠错空间?",
]
HINT = "提问后，每个回答下方列出它引用的条款，引文以黄色标出；点答案中的 [1] 等标号可跳到对应条款。"
PLACEHOLDER = "只根据已收录的质量政策文件作答，每句注明出处。可在右侧（手机上在下方）限定城市，或点一个示例问题。"


Outputs = tuple[list[dict[str, str]], str, str, list[Turn]]


def _hint(text: str) -> str:
    return f"<div class='zc-foot'>{html.escape(text)}</div>"


def _respond(service: AssistantService, question: str, cities: list[str] | None, turns: list[Turn] | None
             ) -> Iterator[Outputs]:
    """Yields (chat, hint, question box, turns): the streamed answer, then the answer with its sources."""
    turns = list(turns or [])
    asked = plain_question(question)
    if not asked:
        yield render_chat(turns), _hint("请输入问题。" if (question or "").strip() else HINT), "", turns
        return
    try:   # budgets and cleaning (rag.limits) before anything else
        request = checked_request(asked, history_of(turns)[-MAX_TURNS:], Filters(cities=list(cities or [])))
    except Exception as exc:
        yield render_chat(turns), _hint(f"⚠ {classify(exc).message}"), question, turns
        return
    shown = render_chat(turns) + [{"role": "user", "content": literal_markdown(question.strip())}]
    yield [*shown, {"role": "assistant", "content": ""}], _hint("正在检索与作答…"), "", turns
    partial = ""
    try:
        for item in service.stream(request.question, request.history, request.filters):
            if isinstance(item, Answer):
                contract = item.to_contract()
                turns = [*turns, Turn(question=question.strip(), answer=contract["answer"], contract=contract)]
                cited = len(group_citations(contract.get("citations", [])))
                done = f"回答引用了 {cited} 条条款，列在答案下方。" if cited else "本次回答没有引用条款。"
                yield render_chat(turns), _hint(done), "", turns
                return
            partial += item
            yield [*shown, {"role": "assistant", "content": inert_markdown(partial)}], _hint("正在作答…"), "", turns
    except Exception as exc:
        turns = [*turns, Turn(question=question.strip(), answer=f"⚠ {classify(exc).message}", contract=None)]
        yield render_chat(turns), _hint("作答失败。"), "", turns


def _reset() -> tuple[list[Any], str, str, list[str], list[Turn]]:
    """The initial state: empty chat, the hint, empty question box, no city filter, no turns."""
    return [], _hint(HINT), "", [], []


def _prepare(service: AssistantService, progress: gr.Progress) -> list[Any]:
    """Builds the index if needed; the progress shows over the (still empty) chat."""
    if not service.is_ready:
        progress(0.0, desc="正在检查索引；首次启动要先建立索引，请稍候…")
    try:
        service.start(progress=lambda fraction, message: progress(fraction, desc=f"正在建立索引：{message}"))
    except Exception as exc:
        raise gr.Error(classify(exc).message, duration=None) from exc
    return []


def _status(service: AssistantService) -> str:
    state = "索引已就绪" if service.is_ready else "正在检查索引…"
    return f"**答题方式**：{answerer_label(service.answerer_name)} · {state}"


def _city_choices(service: AssistantService) -> list[str]:
    """The cities of the index, for the filter; builds the index first if needed. An index that
    cannot be built leaves the list empty here: the page load then shows why."""
    try:
        return service.cities()
    except Exception:
        log.exception("the index is not usable; the UI will say so when the page loads")
        return []


def build_ui(service: AssistantService, admin: Admin | None = None) -> gr.Blocks:
    """The chat, the 政策匹配 and 部门职责 tabs; with `admin` (the admin token is configured) also
    the chat tab's 管理文件 section."""
    choices = _city_choices(service)
    with gr.Blocks(title="质策 · 质量政策问答") as demo:
        gr.Markdown("## 质策 · 质量政策问答")
        status = gr.Markdown(_status(service))
        turns = gr.State([])
        with gr.Tabs(elem_id="zc-tabs"):
            with gr.Tab("问答", id="chat", elem_id="zc-tab-chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        # No copy buttons: Gradio copies a message's source, here Markdown plus the sources' HTML.
                        chat = gr.Chatbot(height="min(68vh, 620px)", label="对话", show_label=False, feedback_options=None,
                                          buttons=[], layout="panel", autoscroll=False,
                                          placeholder=PLACEHOLDER, latex_delimiters=[], elem_id="zc-chat")
                        question = gr.Textbox(placeholder="输入问题，例如：中山市推行首席质量官制度由哪些部门负责?",
                                              label="问题", show_label=False, lines=1, max_lines=4,
                                              max_length=MAX_QUESTION_CHARS, elem_id="zc-question")
                        with gr.Row():
                            ask = gr.Button("提问", variant="primary", elem_id="zc-ask")
                            clear = gr.Button("清空对话", elem_id="zc-clear")
                        hint = gr.HTML(_hint(HINT), label="提示", elem_id="zc-hint")
                    with gr.Column(scale=1, min_width=240):
                        cities = gr.Dropdown(choices=choices, value=[], multiselect=True,
                                             label="限定城市（可多选，空 = 全部）", elem_id="zc-cities")
                        with gr.Column(elem_id="zc-examples"):
                            gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="示例问题",
                                        api_visibility="private")
                if admin is not None:
                    admin_section(admin, cities)
            with gr.Tab("政策匹配", id="match", elem_id="zc-tab-match"):
                match_tab(service)
            with gr.Tab("部门职责", id="duties", elem_id="zc-tab-duties"):
                duties_tab(service)

        def respond(question: str, cities: list[str] | None, turns: list[Turn]) -> Iterator[Outputs]:
            yield from _respond(service, question, cities, turns)

        def prepare(progress: gr.Progress = gr.Progress()) -> list[Any]:
            return _prepare(service, progress)

        asked = gr.on([question.submit, ask.click], respond, [question, cities, turns], [chat, hint, question, turns],
                      api_name="ask", api_description="Ask 质策 a question, optionally only about some cities.")
        reset_outputs = [chat, hint, question, cities, turns]
        clear.click(_reset, None, reset_outputs, cancels=[asked], api_visibility="private", show_progress="hidden")
        chat.clear(_reset, None, reset_outputs, cancels=[asked], api_visibility="private", show_progress="hidden")
        loaded = demo.load(prepare, None, [chat], show_progress="full", api_visibility="private")
        loaded.success(lambda: (_status(service), gr.Dropdown(choices=service.cities())), None, [status, cities],
                       show_progress="hidden", api_visibility="private")
    return demo
