"""The 管理文件 section: upload, list and remove documents with the admin token, over the same
Library as /api/documents (rag.uploads). The pure parts (states, refusals, the listing) come first;
`Admin` holds the events, each of which checks the token before anything else."""
from __future__ import annotations

import contextlib
import hmac
import html
import os
from collections.abc import Callable
from typing import Any

import gradio as gr

from rag.selfcheck import Report
from rag.uploads import SUFFIXES, Library, UploadError, check_parses, check_upload

DOC_STATES = {"indexing": ("索引中…", "zc-busy"), "indexed": ("已索引", "zc-ok"), "failed": ("失败", "zc-bad"),
              "not_indexed": ("未索引", "zc-busy"), "removing": ("移除中…", "zc-busy"), "removed": ("已移除", "zc-foot")}
BUILD_STATES = {"idle": "索引已就绪", "queued": "索引更新已排队", "building": "正在更新索引", "failed": "索引更新失败，仍使用原索引"}
ACCEPTED = "、".join(SUFFIXES)     # .txt .md .html .htm .pdf .docx .doc .wps .png .jpg .jpeg .tif .tiff
UPLOAD_REFUSALS = {"unsupported_file_type": f"只接受 {ACCEPTED} 文件", "file_too_large": "文件超过大小上限",
                   "wrong_content": "文件内容与扩展名不符", "unreadable": "文件无法读取（已损坏或加密？）",
                   "reader_missing": "服务器缺少读取这种文件的程序",
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


AdminOutputs = tuple[str, str, Any, Any]      # message, document list, remove choices, timer


def _note(text: str) -> str:
    """An admin message: a refusal (starting with ⚠) as a warning box, anything else as a quiet line."""
    css = "zc-warn" if text.startswith("⚠") else "zc-foot"
    return f"<div class='{css}'>{html.escape(text)}</div>"


class Admin:
    """The admin section's events over the Library the HTTP routes use: every one checks the token
    first and does nothing without it; the checks of size and type are the library's."""

    def __init__(self, library: Library, token: str, max_bytes: int,
                 cities: Callable[[], list[str]] | None = None, check: Callable[[], Report] | None = None) -> None:
        self.library, self.token, self.max_bytes, self.cities, self.check = library, token, max_bytes, cities, check

    def selfcheck(self, given: str) -> str:
        """The self-check's table (rag/selfcheck.py): which kinds of question about the index,
        the uploaded documents included, the assistant cannot yet answer."""
        if not token_ok(given, self.token):
            return _note(WRONG_TOKEN)
        if self.check is None:
            return _note("⚠ 这个服务器没有可自检的索引。")
        return selfcheck_html(self.check())

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
            return (*self.view(_note(f"⚠ 请先选择一个文件（{ACCEPTED}）。")), gr.skip())
        name = os.path.basename(path)
        try:
            with open(path, "rb") as f:
                data = f.read(self.max_bytes + 1)
            checked = check_upload(name, data, self.max_bytes)
            parsed = check_parses(checked)
            document = self.library.add(checked)
        except UploadError as e:
            return (*self.view(_note(refusal_text(e))), None)
        except OSError:
            return (*self.view(_note("⚠ 读取上传的文件失败，请重新选择文件。")), None)
        finally:
            _discard(path)
        found = f"{parsed.clauses} 条条款" if parsed.clauses is not None else ("扫描件，将在后台文字识别" if parsed.ocr
                                                                              else "将在后台转换")
        return (*self.view(_note(f"已上传 {name}（{found}，编号 {document['doc_id']}），"
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


TEMPLATE_NAMES = {"heading": "条款标题(带地方)", "heading_bare": "条款标题", "goals": "主要目标", "unit_written": "单位职责(原文名称)",
                  "unit_short": "单位职责(简称)", "unit_successor": "单位职责(现名称)", "no_document": "无文件的地方(应拒答)",
                  "off_topic": "无关话题(应拒答)"}
MAX_FAILURES_SHOWN = 20


def selfcheck_html(report: Report) -> str:
    """The pass rate per template, then the first failures with their reasons; everything escaped."""
    rows = "".join(f"<tr><td>{html.escape(TEMPLATE_NAMES.get(k, k))}</td><td>{p}/{n}</td><td>{p / n:.0%}</td></tr>"
                   for k, (p, n) in report.by_template().items() if n)
    failures = report.failures()
    listed = "".join(f"<li>{html.escape(r.probe.question)} — {html.escape(r.why)}</li>" for r in failures[:MAX_FAILURES_SHOWN])
    more = f"<div class='zc-foot'>另有 {len(failures) - MAX_FAILURES_SHOWN} 个未通过。</div>" if len(failures) > MAX_FAILURES_SHOWN else ""
    tail = f"<div class='zc-foot'>未通过的问题:</div><ul>{listed}</ul>{more}" if failures else "<div class='zc-foot'>全部通过。</div>"
    return ("<table class='zc-docs' id='zc-selfcheck-table'><tr><th>问题类型</th><th>通过</th><th>比例</th></tr>"
            f"{rows}</table>{tail}")


def admin_section(admin: Admin, city_filter: gr.Dropdown) -> None:
    """The collapsed 管理文件 section; every event is private."""
    with gr.Accordion("管理文件（需要管理令牌）", open=False, elem_id="zc-admin"):
        token = gr.Textbox(label="管理令牌（ZHICE_ADMIN_TOKEN）", type="password", elem_id="zc-admin-token")
        with gr.Row(equal_height=False):
            with gr.Column(scale=2):
                upload_file = gr.File(label=f"政策文件（文本、网页、PDF（含扫描件）、Word、WPS、扫描图片，最大 "
                                            f"{admin.max_bytes // 1024} KB）",
                                      file_types=list(SUFFIXES), type="filepath",
                                      elem_id="zc-admin-file", height=120)
                upload = gr.Button("上传并建立索引", variant="primary", elem_id="zc-admin-upload")
            with gr.Column(scale=1):
                chosen = gr.Dropdown(choices=[], value=None, label="移除上传的文件", elem_id="zc-admin-remove-choice")
                remove = gr.Button("移除", variant="stop", elem_id="zc-admin-remove")
                refresh = gr.Button("刷新列表", elem_id="zc-admin-refresh")
                check = gr.Button("自检:能回答哪些问题", elem_id="zc-admin-selfcheck-run")
        message = gr.HTML("", elem_id="zc-admin-message")
        listing = gr.HTML("<div class='zc-foot'>输入管理令牌后点“刷新列表”查看上传的文件。</div>", elem_id="zc-admin-docs")
        checked = gr.HTML("", elem_id="zc-admin-selfcheck")
        timer = gr.Timer(2.0, active=False)
        outputs = [message, listing, chosen, timer]
        upload.click(admin.upload, [token, upload_file], [*outputs, upload_file], api_visibility="private",
                     show_progress="hidden")
        refresh.click(admin.refresh, [token], outputs, api_visibility="private", show_progress="hidden")
        check.click(admin.selfcheck, [token], [checked], api_visibility="private")
        remove.click(admin.remove, [token, chosen], outputs, api_visibility="private", show_progress="hidden")
        timer.tick(admin.tick, [token, city_filter], [*outputs, city_filter], api_visibility="private",
                   show_progress="hidden")
