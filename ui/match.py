"""The 政策匹配 tab: an enterprise describes itself (free text and/or a form) and sees every
measure of its city's documents and the national plan that could apply, by kind, each with the
document, clause, verbatim quote, units in charge and why it matched; measures that need something
it lacks are listed apart. CSV and XLSX downloads. Its events are private (the one public Gradio
endpoint stays /ask)."""
from __future__ import annotations

from typing import Any

import gradio as gr

from rag.limits import MAX_PROFILE_CHARS
from rag.service import AssistantService
from rag.tools.export import match_sheets, to_csv, to_xlsx
from rag.tools.match import MatchResult
from ui.downloads import save
from ui.toolparts import choices as tool_choices
from ui.toolparts import escape as _e
from ui.toolparts import warning

SIZES = ["微型", "小型", "中型", "大型"]
EXAMPLE = "我们是东莞的一家家具厂,80人,出口为主,想做品牌、参与标准制定"
HINT = "用一句话描述企业（城市、行业、规模、已有资质、想要的支持），或填写下方表单；两者都填时以表单为准。"


def _measure_row(m: dict[str, Any], last: str) -> str:
    quotes = "".join(f"<div class='zc-quote'>「{_e(q)}」</div>" for q in m["quotes"])
    return (f"<tr><td>{_e(m['kind'])}</td><td><b>{_e(m['city'])}</b>《{_e(m['title'])}》<br>{_e(m['clause'])}"
            f"「{_e(m['heading'])}」</td><td>{quotes}</td><td>{_e(m['units'])}</td><td>{last}</td></tr>")


def match_html(contract: dict[str, Any]) -> str:
    """The result as HTML tables (everything escaped): the measures by kind, then those apart."""
    counts = contract["counts"]
    head = (f"<div class='zc-tool-summary'><b>{_e(contract['summary'])}</b>：适用措施 {counts['measures']} 项，"
            f"需补充条件 {counts['apart']} 项（检索了 {len(contract['documents'])} 份文件）</div>")
    cols = "<tr><th>类别</th><th>文件 · 条款</th><th>原文</th><th>责任单位</th><th>{}</th></tr>"
    rows = [_measure_row(m, "<br>".join(_e(w) for w in m["why"])) for g in contract["groups"] for m in g["measures"]]
    body = (f"<table class='zc-table' id='zc-match-table'><thead>{cols.format('为什么匹配')}</thead>"
            f"<tbody>{''.join(rows)}</tbody></table>") if rows else "<p>没有找到适用的扶持措施。</p>"
    apart = [_measure_row(m, "<br>".join(_e(w) for w in m["lacks"])) for m in contract["apart"]]
    if apart:
        body += (f"<h4>需要您尚未具备（或未说明）的条件</h4><table class='zc-table' id='zc-match-apart'>"
                 f"<thead>{cols.format('所缺条件')}</thead><tbody>{''.join(apart)}</tbody></table>")
    notes = "".join(f"<div class='zc-foot'>注：{_e(n)}</div>" for n in contract["notes"])
    return head + body + notes


def run_match(service: AssistantService, text: str, city: str | None, trade: str | None, size: str | None,
              above_scale: bool, employees: float | None, revenue: float | None, has: list[str] | None,
              wants: list[str] | None) -> tuple[str, Any, Any]:
    """(result HTML, CSV path, XLSX path); a refusal or failure as a warning and no files."""
    try:
        result: MatchResult = service.match(
            text=text or "", city=city or None, trade=trade or None, size=size or None,
            above_scale=True if above_scale else None,
            employees=int(employees) if employees else None,           # an empty box (or 0) says nothing
            revenue_wan=float(revenue) if revenue else None, has=list(has or []), wants=list(wants or []))
    except Exception as exc:
        return warning(exc, "policy matching")
    sheets = match_sheets(result)
    return (match_html(result.to_contract()), save(to_csv(sheets), "政策匹配.csv"), save(to_xlsx(sheets), "政策匹配.xlsx"))


def match_tab(service: AssistantService) -> None:
    """The tab's components and its one private event."""
    choices = tool_choices(service, "政策匹配")
    gr.Markdown(HINT, elem_classes=["zc-foot"])
    text = gr.Textbox(label="企业描述", placeholder=f"例如：{EXAMPLE}", lines=2, max_lines=6,
                      max_length=MAX_PROFILE_CHARS, elem_id="zc-match-text")
    with gr.Row():
        city = gr.Dropdown(choices=choices.get("cities", []), value=None, label="城市", elem_id="zc-match-city")
        trade = gr.Dropdown(choices=choices.get("trades", []), value=None, label="行业（可输入）",
                            allow_custom_value=True, elem_id="zc-match-trade")
        size = gr.Dropdown(choices=SIZES, value=None, label="规模", elem_id="zc-match-size")
        above = gr.Checkbox(label="规模以上企业", elem_id="zc-match-above")
    with gr.Row():
        employees = gr.Number(value=None, label="从业人数", minimum=0, precision=0, elem_id="zc-match-employees")
        revenue = gr.Number(value=None, label="年营业收入（万元）", minimum=0, elem_id="zc-match-revenue")
    has = gr.CheckboxGroup(choices=choices.get("standings", []), label="已具备", elem_id="zc-match-has")
    wants = gr.CheckboxGroup(choices=choices.get("kinds", []), label="想要的支持", elem_id="zc-match-wants")
    run = gr.Button("匹配政策", variant="primary", elem_id="zc-match-run")
    result = gr.HTML("", elem_id="zc-match-result")
    with gr.Row():
        csv_file = gr.File(label="下载 CSV", elem_id="zc-match-csv", interactive=False)
        xlsx_file = gr.File(label="下载 XLSX", elem_id="zc-match-xlsx", interactive=False)

    def respond(*values: Any) -> tuple[str, Any, Any]:
        return run_match(service, *values)

    run.click(respond, [text, city, trade, size, above, employees, revenue, has, wants], [result, csv_file, xlsx_file],
              api_visibility="private")
