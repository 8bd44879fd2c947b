"""质策: the HTTP API (rag/api.py) and a Gradio chat UI at /, served by uvicorn.

    python app.py [--host 127.0.0.1] [--port 7860]

Only wiring and presentation live here: questions go to the assistant of rag.pipeline, and the
UI renders the Answer it returns (streamed text, then under each answer the clauses it cites, with
the quotes marked and the [n] markers linked to them).

The UI has one public Gradio endpoint, `/ask` (question, cities); every other event is private.
What the user types is shown literally (never as HTML or Markdown), and Markdown images in answers
are rendered inert, so no message makes the browser fetch anything.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hmac
import html
import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any, TypedDict

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")   # no telemetry, no version check
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")                # Chroma's telemetry

import gradio as gr
from fastapi import FastAPI

from rag.api import MAX_QUESTION_CHARS, contract_of, create_api
from rag.guard import Access, allowed_hosts
from rag.limits import MAX_TURNS, checked_request
from rag.service import AssistantService, classify, one_blas_thread
from rag.settings import get_settings
from rag.types import Answer, Filters
from rag.uploads import Library, UploadError, check_parses, check_upload

log = logging.getLogger(__name__)

EXAMPLES = [
    "中山市推行首席质量官制度由哪些部门负责?",
    "东莞市工业产品质量监督抽查合格率的目标是多少?",
    "汕頭市政府質量獎評審管理辦法由哪些部門牽頭完善?",
    "各地对首席质量官制度分别由哪些部门负责?",
    "质量强国建设纲要提出用什么制度为新产品新业态提供容错纠错空间?",
]
CSS = """
.zc-sources {margin-top:10px;}
.zc-sources > summary {cursor:pointer; font-weight:600;}
.zc-cite {border:1px solid var(--border-color-primary); border-radius:8px; padding:8px 10px; margin:8px 0;}
.zc-cite.zc-flash {outline:2px solid #f0a030;}
.zc-head {font-weight:600; margin-bottom:4px;}
.zc-meta {color:var(--body-text-color-subdued); font-size:0.9em; margin-bottom:6px;}
.zc-text {line-height:1.7;}
.zc-text mark {background:#ffe58a; color:inherit; padding:0 1px; border-radius:2px;}
.zc-lost {color:#c0392b; text-decoration:underline wavy; font-weight:600;}
.zc-warn {background:#fff4e5; border-left:4px solid #f0a030; padding:6px 10px; margin:8px 0; color:#6b4200;}
.zc-foot {color:var(--body-text-color-subdued); font-size:0.85em;}
.dark .zc-text mark {background:#6b5a12;}
.dark .zc-warn {background:#3a2a10; color:#ffd9a0;}
a.zc-ref {color:var(--link-text-color); text-decoration:none; font-weight:600; cursor:pointer;}
a.zc-ref:hover {text-decoration:underline;}
#zc-admin-docs table.zc-docs {width:100%; border-collapse:collapse; font-size:0.92em; border:0 !important; margin-top:4px;}
#zc-admin-docs table.zc-docs tr {border:0 !important;}
#zc-admin-docs table.zc-docs th, #zc-admin-docs table.zc-docs td {text-align:left; padding:4px 8px; border:0 !important;
  border-bottom:1px solid var(--border-color-primary) !important; background:none;}
#zc-admin-docs table.zc-docs th {color:var(--body-text-color-subdued); font-weight:600;}
.zc-ok {color:#1e7b34;} .zc-bad {color:#c0392b;} .zc-busy {color:#b36b00;}
"""
# In the page: <html lang> kept at zh-CN; the latest question pinned to the chat's top (Gradio's
# autoscroll goes to the very bottom, which on a phone shows only the end of the last clause); a
# marker link opens its answer's sources if collapsed, scrolls the clause into view and flashes it.
HEAD = """<script>
(function () {  // Gradio sets <html lang> to the browser's locale; the content here is Chinese either way
  var root = document.documentElement;
  function keep() { if (root.lang !== "zh-CN") root.lang = "zh-CN"; }
  new MutationObserver(keep).observe(root, {attributes: true, attributeFilter: ["lang"]});
  keep();
})();
(function () {  // a new question, its answer and then its sources: keep the question at the chat's top
  var seen = "", queued = false;
  function pin() {
    queued = false;
    var box = document.querySelector("#zc-chat [role='log']");
    if (!box) return;
    var users = box.querySelectorAll("[data-testid='user']");
    var now = users.length + ":" + box.querySelectorAll("[data-testid='bot']").length + ":" +
              box.querySelectorAll(".zc-answer-sources").length;
    if (now === seen) return;
    seen = now;
    var last = users[users.length - 1];
    if (last) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  }
  new MutationObserver(function () { if (!queued) { queued = true; requestAnimationFrame(pin); } })
    .observe(document.documentElement, {childList: true, subtree: true});
})();
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.zc-ref");
  if (!link) return;
  var target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault();
  var box = target.closest("details");
  if (box) box.open = true;
  var card = target.closest(".zc-cite") || target;
  card.scrollIntoView({block: "nearest", behavior: "smooth"});
  card.classList.add("zc-flash");
  setTimeout(function () { card.classList.remove("zc-flash"); }, 1500);
}, true);
</script>"""
HINT = "提问后，每个回答下方列出它引用的条款，引文以黄色标出；点答案中的 [1] 等标号可跳到对应条款。"
PLACEHOLDER = "只根据已收录的质量政策文件作答，每句注明出处。可在右侧（手机上在下方）限定城市，或点一个示例问题。"


class Turn(TypedDict):
    """One exchange as the UI keeps it: what the user typed, the answer text, the contract (None on error)."""

    question: str
    answer: str
    contract: dict[str, Any] | None


# ---------------------------------------------------------------- presentation (pure)
def answerer_label(name: str) -> str:
    """'llm:deepseek-chat' -> 'LLM（deepseek-chat）'; 'extractive' -> '摘录式（extractive）'."""
    if name.startswith("llm:"):
        return f"LLM（{name.split(':', 1)[1]}），引文经核验，失败时改用摘录式"
    return "摘录式（extractive），答案逐句摘自条款" if name == "extractive" else name


_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.S)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])?")


def plain_question(text: str) -> str:
    """The question as asked: HTML tags, comments and Markdown images removed, whitespace collapsed.
    (A stopgap until the service layer normalises questions itself.) '甲<b>乙</b>' -> '甲乙'."""
    text = _MD_IMAGE.sub("", _TAG.sub("", text or ""))
    return re.sub(r"\s+", " ", text).strip()


_MD_ALWAYS = set("\\`*_[]()#!|~$")          # Markdown syntax anywhere in a line
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.M)   # lists, setext headings


def literal_markdown(text: str) -> str:
    """Text that a Markdown renderer shows exactly as typed: HTML escaped, Markdown syntax
    backslash-escaped (no emphasis, links, images, code, headings or lists), line breaks kept."""
    out = "".join("\\" + ch if ch in _MD_ALWAYS else html.escape(ch, quote=False) for ch in text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2)[0].isdigit()
                                                      else m.group(2) + "\\"), out)


def inert_markdown(text: str) -> str:
    """An answer as Markdown that cannot load anything: no raw HTML (escaped), and images made
    plain text ('![a](u)' shows as '![a](u)'), while lists and emphasis still render."""
    return html.escape(text, quote=False).replace("![", "\\!\\[")


def link_markers(text: str, turn: int, markers: set[int]) -> str:
    """'[1]' -> a link to clause 1 of this answer's sources, for each cited marker."""
    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"<a class='zc-ref' href='#zc-{turn}-{n}'>[{n}]</a>" if n in markers else m.group(0)
    return re.sub(r"\[(\d{1,3})\]", link, text)


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


def clause_html(group: list[dict[str, Any]], turn: int = 0) -> str:
    """One cited clause as a card, with an anchor per marker that cites it (id zc-<turn>-<marker>)."""
    c = group[0]
    markers = list(dict.fromkeys(int(g["marker"]) for g in group))
    anchors = "".join(f"<span id='zc-{turn}-{m}'></span>" for m in markers)
    when = f" · {html.escape(str(c['date']))}" if c.get("date") else ""
    text = highlight(c["text"], [g["quote"] for g in group], c.get("damaged_spans", [])).replace("\n", "<br>")
    return (
        f"<div class='zc-cite'>{anchors}<div class='zc-head'>{''.join(f'[{m}]' for m in markers)} "
        f"{html.escape(c['title'])}</div>"
        f"<div class='zc-meta'>{html.escape(c['city'])}{when} · 第 {html.escape(c['clause'])} 条</div>"
        f"<div class='zc-text'>{text}</div></div>"
    )


def sources_html(contract: dict[str, Any], turn: int = 0) -> str:
    """An answer's sources, on one line (so Markdown leaves it alone): warnings, each cited clause
    in a collapsible box, and which answerer answered."""
    parts = [f"<div class='zc-warn'>⚠ {html.escape(w['detail'])}</div>" for w in contract.get("warnings", [])]
    groups = group_citations(contract.get("citations", []))
    if groups:
        cards = "".join(clause_html(g, turn) for g in groups)
        parts.append(f"<details class='zc-sources' open><summary>引用的条款（{len(groups)}）</summary>{cards}</details>")
    else:
        parts.append("<div class='zc-foot'>没有引用条款。</div>")
    answerer = contract.get("meta", {}).get("answerer")
    if answerer:
        parts.append(f"<div class='zc-foot'>本次回答：{html.escape(str(answerer))}</div>")
    return "<div class='zc-answer-sources'>" + "".join(parts) + "</div>"


def answer_markdown(contract: dict[str, Any], turn: int) -> str:
    """A bot message: the answer with its markers linked, then its own sources."""
    markers = {int(c["marker"]) for c in contract.get("citations", [])}
    text = link_markers(inert_markdown(contract["answer"]), turn, markers)
    return f"{text}\n\n{sources_html(contract, turn)}"


def render_chat(turns: list[Turn]) -> list[dict[str, str]]:
    """The Chatbot's messages for the turns: user text literal, each answer with its sources."""
    messages: list[dict[str, str]] = []
    for n, t in enumerate(turns):
        messages.append({"role": "user", "content": literal_markdown(t["question"])})
        body = answer_markdown(t["contract"], n) if t["contract"] is not None else inert_markdown(t["answer"])
        messages.append({"role": "assistant", "content": body})
    return messages


def history_of(turns: list[Turn]) -> list[tuple[str, str]]:
    """Earlier turns as (question, answer) pairs for follow-up questions."""
    return [(plain_question(t["question"]), t["answer"]) for t in turns]


def set_html_lang(page: bytes, lang: str = "zh-CN") -> bytes:
    """The page's <html lang="…"> set to `lang` (Gradio's template says "en")."""
    return re.sub(rb"(<html\b[^>]*?\blang=)\"[^\"]*\"", rb'\1"' + lang.encode() + b'"', page, count=1)


# ---------------------------------------------------------------- the admin section (pure parts)
DOC_STATES = {"indexing": ("索引中…", "zc-busy"), "indexed": ("已索引", "zc-ok"), "failed": ("失败", "zc-bad"),
              "not_indexed": ("未索引", "zc-busy"), "removing": ("移除中…", "zc-busy"), "removed": ("已移除", "zc-foot")}
BUILD_STATES = {"idle": "索引已就绪", "queued": "索引更新已排队", "building": "正在更新索引", "failed": "索引更新失败，仍使用原索引"}
UPLOAD_REFUSALS = {"unsupported_file_type": "只接受 .txt、.md、.html、.htm 文件", "file_too_large": "文件超过大小上限",
                   "empty_file": "文件是空的", "not_text": "文件不是文本文档（须为 UTF-8 或 GB18030 编码）",
                   "no_clauses": "文件中没有找到条款（如 一、 （一） 1. 等编号条目），上传后也无法被引用",
                   "duplicate": "这份文件已经上传过", "not_removable": "只能移除上传的文件，随附的语料不能移除",
                   "not_found": "没有这份文件"}
WRONG_TOKEN = "⚠ 管理令牌不正确，未做任何操作。请输入服务器上设置的 ZHICE_ADMIN_TOKEN。"


def token_ok(given: str | None, token: str) -> bool:
    """Whether `given` is the configured admin token (never when none is configured)."""
    return bool(token) and hmac.compare_digest((given or "").strip().encode(), token.encode())


def refusal_text(e: UploadError) -> str:
    """An UploadError for people: what is wrong in Chinese, the library's detail after it."""
    return f"⚠ {UPLOAD_REFUSALS.get(e.code, '操作未完成')}（{e.message}）"


def build_line(status: dict[str, Any]) -> str:
    """The background build as one line: '正在更新索引 40%：embedding 12/30'."""
    state = status.get("state", "idle")
    text = BUILD_STATES.get(state, state)
    if state == "building":
        text += f" {float(status.get('progress') or 0):.0%}"
    if status.get("message") and state in ("building", "queued"):
        text += f"：{status['message']}"
    if state == "failed" and status.get("error"):
        text += f"（{status['error']}）"
    return text


def uploaded_of(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The uploaded documents (the shipped corpus is not listed or removable here)."""
    return [d for d in documents if d.get("uploaded")]


def documents_html(documents: list[dict[str, Any]], status: dict[str, Any]) -> str:
    """The uploaded documents with their state (a failure with the loader's reason) and the build line."""
    rows = []
    for d in uploaded_of(documents):
        label, css = DOC_STATES.get(d.get("state", ""), (d.get("state", ""), ""))
        if d.get("error"):
            label += f"：{d['error']}"
        title = d.get("title") or d.get("file") or d["doc_id"]
        rows.append(f"<tr><td>{html.escape(str(title))}</td><td>{html.escape(str(d.get('city') or ''))}</td>"
                    f"<td>{html.escape(str(d.get('clauses') or ''))}</td><td><code>{html.escape(d['doc_id'])}</code></td>"
                    f"<td class='{css}'>{html.escape(label)}</td></tr>")
    table = ("<table class='zc-docs'><tr><th>标题</th><th>城市</th><th>条款数</th><th>文件编号</th><th>状态</th></tr>"
             + "".join(rows) + "</table>") if rows else "<div class='zc-foot'>还没有上传的文件。</div>"
    return f"<div class='zc-foot'>{html.escape(build_line(status))}</div>{table}"


def removable_choices(documents: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(label, doc_id) for each uploaded document still in the corpus."""
    return [(f"{d.get('title') or d.get('file') or d['doc_id']}（{d['doc_id']}）", d["doc_id"])
            for d in uploaded_of(documents) if d.get("state") not in ("removing", "removed")]


def build_busy(status: dict[str, Any]) -> bool:
    return status.get("state") in ("queued", "building")


# ---------------------------------------------------------------- the UI
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
                contract = contract_of(item)
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


AdminOutputs = tuple[str, str, Any, Any]      # message, document list, remove choices, timer


def _note(text: str) -> str:
    """An admin message: a refusal (starting with ⚠) as a warning box, anything else as a quiet line."""
    css = "zc-warn" if text.startswith("⚠") else "zc-foot"
    return f"<div class='{css}'>{html.escape(text)}</div>"


class Admin:
    """The admin section's events over the Library the HTTP routes use: every one checks the token
    first and does nothing without it; the checks of size and type are the library's."""

    def __init__(self, library: Library, token: str, max_bytes: int,
                 cities: Callable[[], list[str]] | None = None) -> None:
        self.library, self.token, self.max_bytes, self.cities = library, token, max_bytes, cities

    def view(self, message: str) -> AdminOutputs:
        """The message, the list, the remove choices, and the timer: ticking while a build is pending."""
        documents, status = self.library.documents(), self.library.status.to_json()
        busy = build_busy(status) or any(d.get("state") in ("indexing", "removing") for d in uploaded_of(documents))
        return (message, documents_html(documents, status), gr.Dropdown(choices=removable_choices(documents), value=None),
                gr.Timer(active=busy))

    def refused(self) -> AdminOutputs:
        return _note(WRONG_TOKEN), gr.skip(), gr.skip(), gr.Timer(active=False)

    def upload(self, given: str, path: str | None) -> tuple[Any, ...]:
        """(*view, the file input): the input is cleared once the file was taken or refused by the
        library, and kept as it is when the token is wrong (the admin can fix the token and retry)."""
        if not token_ok(given, self.token):
            return (*self.refused(), gr.skip())
        if not path:
            return (*self.view(_note("⚠ 请先选择一个 .txt、.md、.html 或 .htm 文件。")), gr.skip())
        name = os.path.basename(path)
        try:
            with open(path, "rb") as f:
                data = f.read(self.max_bytes + 1)
            checked = check_upload(name, data, self.max_bytes)
            clauses = check_parses(checked)
            document = self.library.add(checked)
        except UploadError as e:
            return (*self.view(_note(refusal_text(e))), None)
        except OSError:
            return (*self.view(_note("⚠ 读取上传的文件失败，请重新选择文件。")), None)
        finally:
            _discard(path)
        return (*self.view(_note(f"已上传 {name}（{clauses} 条条款，编号 {document['doc_id']}），"
                                 "正在后台建立索引，完成后即可提问。")), None)

    def refresh(self, given: str) -> AdminOutputs:
        return self.view(_note("文件列表已更新。")) if token_ok(given, self.token) else self.refused()

    def tick(self, given: str, selected: list[str] | None = None) -> tuple[Any, ...]:
        """(message, list, remove choices, timer, the chat's city filter): the list while a build
        runs; once it is done, a note and the city filter's choices from the new index (a city
        that is gone is unselected, so the next question does not name it)."""
        if not token_ok(given, self.token):
            return gr.skip(), gr.skip(), gr.skip(), gr.Timer(active=False), gr.skip()
        _, listing, _, timer = self.view("")
        if timer.active:
            return gr.skip(), listing, gr.skip(), timer, gr.skip()
        choices = self.cities() if self.cities is not None else None
        city_filter = (gr.Dropdown(choices=choices, value=[c for c in selected or [] if c in choices], multiselect=True)
                       if choices is not None else gr.skip())
        return _note("后台索引更新完成，各文件的状态见下表。"), listing, gr.skip(), timer, city_filter

    def remove(self, given: str, doc_id: str | None) -> AdminOutputs:
        if not token_ok(given, self.token):
            return self.refused()
        if not doc_id:
            return self.view(_note("⚠ 请先选择要移除的文件。"))
        try:
            self.library.remove(doc_id)
        except UploadError as e:
            return self.view(_note(refusal_text(e)))
        return self.view(_note(f"已移除 {doc_id}，正在后台更新索引。"))


def _discard(path: str | None) -> None:
    """Gradio's copy of an uploaded file, deleted once read (the corpus keeps its own copy)."""
    if path:
        with contextlib.suppress(OSError):
            os.remove(path)


def _admin_section(admin: Admin, city_filter: gr.Dropdown) -> None:
    """The collapsed 管理文件 section; every event is private."""
    with gr.Accordion("管理文件（需要管理令牌）", open=False, elem_id="zc-admin"):
        token = gr.Textbox(label="管理令牌（ZHICE_ADMIN_TOKEN）", type="password", elem_id="zc-admin-token")
        with gr.Row(equal_height=False):
            with gr.Column(scale=2):
                upload_file = gr.File(label=f"政策文件（.txt .md .html .htm，最大 {admin.max_bytes // 1024} KB）",
                                      file_types=[".txt", ".md", ".html", ".htm"], type="filepath",
                                      elem_id="zc-admin-file", height=120)
                upload = gr.Button("上传并建立索引", variant="primary", elem_id="zc-admin-upload")
            with gr.Column(scale=1):
                chosen = gr.Dropdown(choices=[], value=None, label="移除上传的文件", elem_id="zc-admin-remove-choice")
                remove = gr.Button("移除", variant="stop", elem_id="zc-admin-remove")
                refresh = gr.Button("刷新列表", elem_id="zc-admin-refresh")
        message = gr.HTML("", elem_id="zc-admin-message")
        listing = gr.HTML("<div class='zc-foot'>输入管理令牌后点“刷新列表”查看上传的文件。</div>", elem_id="zc-admin-docs")
        timer = gr.Timer(2.0, active=False)
        outputs = [message, listing, chosen, timer]
        upload.click(admin.upload, [token, upload_file], [*outputs, upload_file], api_visibility="private",
                     show_progress="hidden")
        refresh.click(admin.refresh, [token], outputs, api_visibility="private", show_progress="hidden")
        remove.click(admin.remove, [token, chosen], outputs, api_visibility="private", show_progress="hidden")
        timer.tick(admin.tick, [token, city_filter], [*outputs, city_filter], api_visibility="private",
                   show_progress="hidden")


def build_ui(service: AssistantService, admin: Admin | None = None) -> gr.Blocks:
    """The chat; with `admin` (the admin token is configured) also the 管理文件 section."""
    choices = _city_choices(service)
    with gr.Blocks(title="质策 · 质量政策问答") as demo:
        gr.Markdown("## 质策 · 质量政策问答")
        status = gr.Markdown(_status(service))
        turns = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                # No copy buttons: Gradio copies a message's source, here Markdown plus the sources' HTML.
                chat = gr.Chatbot(height="min(68vh, 620px)", label="对话", show_label=False, feedback_options=None,
                                  buttons=[], layout="panel", autoscroll=False,
                                  placeholder=PLACEHOLDER, latex_delimiters=[], elem_id="zc-chat")
                question = gr.Textbox(placeholder="输入问题，例如：中山市推行首席质量官制度由哪些部门负责?",
                                      label="问题", show_label=False, lines=1, max_lines=4, max_length=MAX_QUESTION_CHARS,
                                      elem_id="zc-question")
                with gr.Row():
                    ask = gr.Button("提问", variant="primary", elem_id="zc-ask")
                    clear = gr.Button("清空对话", elem_id="zc-clear")
                hint = gr.HTML(_hint(HINT), label="提示", elem_id="zc-hint")
            with gr.Column(scale=1, min_width=240):
                cities = gr.Dropdown(choices=choices, value=[], multiselect=True, label="限定城市（可多选，空 = 全部）",
                                     elem_id="zc-cities")
                with gr.Column(elem_id="zc-examples"):
                    gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="示例问题",
                                api_visibility="private")
        if admin is not None:
            _admin_section(admin, cities)

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


def create_app(assistant: Any = None, *, host: str | None = None) -> FastAPI:
    """The API at /api, /v1 and /healthz, and the UI at /. Takes an AssistantService or an
    assistant (the default one when None); call service.start() first to serve warm. `host` is
    the address the server binds, which the Host check accepts besides localhost."""
    if assistant is None:
        from rag.pipeline import build_assistant

        assistant = build_assistant()
    service = assistant if isinstance(assistant, AssistantService) else AssistantService(assistant)
    settings = get_settings()
    access = Access.from_settings(settings, bound_host=host)
    if access.admin_token:     # the admin section's file input needs Gradio's upload route
        access = dataclasses.replace(access, allow_uploads=True)
    app = create_api(service, access=access)
    library: Library | None = getattr(app.state, "library", None)
    admin = (Admin(library, access.admin_token, settings.upload_max_bytes, cities=service.cities)
             if library is not None else None)
    app = gr.mount_gradio_app(
        app, build_ui(service, admin), path="/", footer_links=[], run_history=False, ssr_mode=False,
        mcp_server=False, css=CSS, head=HEAD, theme=gr.themes.Default(),
        max_file_size=settings.upload_max_bytes if admin is not None else None,
    )
    app.add_middleware(HtmlLang)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve 质策: the chat UI at / and the HTTP API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    args = parser.parse_args(argv)
    import uvicorn

    from rag.pipeline import build_assistant

    one_blas_thread()                          # concurrent requests are the parallelism (rag.service)
    service = AssistantService(build_assistant())
    print("质策: loading the index and the models (the first start builds the index)…", flush=True)
    service.start(progress=lambda fraction, message: print(f"  {fraction:4.0%} {message}", flush=True))
    app = create_app(service, host=args.host)
    print(f"质策 ready on http://{args.host}:{args.port}/  (API: /api/ask, /v1/chat/completions, /healthz)", flush=True)
    print(f"  answering to Host: {', '.join(allowed_hosts(get_settings().allowed_hosts, args.host))} "
          "(add names with ZHICE_ALLOWED_HOSTS)", flush=True)
    # Open event streams (a browser tab's or gradio_client's heartbeat) would hold a shutdown indefinitely.
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", timeout_graceful_shutdown=3)


if __name__ == "__main__":
    main()
