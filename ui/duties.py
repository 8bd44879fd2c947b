"""The 部门职责 tab: for a unit (any name form, old or new) and optionally a place, every clause
it leads or takes part in, with its role, the task as written, deadlines and figures; and for a
document, its task-division matrix (clauses × units, the leading units in bold). CSV and XLSX
downloads (a sheet per document, frozen header, leading units in bold). Events are private."""
from __future__ import annotations

from typing import Any

import gradio as gr

from rag.limits import MAX_UNIT_CHARS
from rag.service import AssistantService
from rag.tools.duties import DutyTable, TaskMatrix
from rag.tools.export import duty_sheets, task_sheets, to_csv, to_xlsx
from ui.downloads import save
from ui.toolparts import choices as tool_choices
from ui.toolparts import escape as _e
from ui.toolparts import warning

LEADING = ("牵头", "责任单位(首位)")
HINT = "输入单位名称（全称、简称或改革前后的名称均可，如 市场监管局、质监局、人社局），可限定地区；或选一份文件生成其任务分工表。"


def _role(role: str) -> str:
    return f"<b>{_e(role)}</b>" if role in LEADING else _e(role)


def duties_html(contract: dict[str, Any]) -> str:
    """A unit's duty table as HTML (escaped): a table per document."""
    counts = "、".join(f"{k} {v} 项" for k, v in contract["counts"].items() if v)
    where = contract["place"] or "全部地区"
    out = [f"<div class='zc-tool-summary'><b>{_e(contract['unit'])}</b>（{_e(where)}）：共 {len(contract['rows'])} 项"
           + (f"，其中 {_e(counts)}" if counts else "") + "</div>"]
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in contract["rows"]:
        by_doc.setdefault(row["doc_id"], []).append(row)
    for rows in by_doc.values():
        out.append(f"<h4>{_e(rows[0]['city'])}《{_e(rows[0]['title'])}》</h4><table class='zc-table zc-duty-table'><thead>"
                   "<tr><th>条款</th><th>标题</th><th>角色</th><th>文中名称</th><th>任务（原文）</th><th>时限</th><th>指标</th></tr>"
                   "</thead><tbody>")
        out += [f"<tr><td>{_e(r['clause'])}</td><td>{_e(r['heading'])}</td><td>{_role(r['role'])}</td><td>{_e(r['named_as'])}</td>"
                f"<td>{_e(r['task'])}</td><td>{_e('、'.join(r['deadlines']))}</td><td>{_e('、'.join(r['figures']))}</td></tr>"
                for r in rows]
        out.append("</tbody></table>")
    out += [f"<div class='zc-foot'>注：{_e(n)}</div>" for n in contract["notes"]]
    return "".join(out)


def tasks_html(contract: dict[str, Any]) -> str:
    """A document's matrix as HTML (escaped): clauses × units, 牵头 / 首位 in bold."""
    names = [u["name"] for u in contract["units"]]
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = "".join(f"<tr><td>{_e(r['clause'])}</td><td>{_e(r['heading'])}</td>"
                   + "".join(f"<td>{_role(r['roles'].get(n, ''))}</td>" for n in names) + "</tr>"
                   for r in contract["rows"])
    return (f"<div class='zc-tool-summary'><b>{_e(contract['city'])}《{_e(contract['title'])}》</b>：{len(contract['rows'])} 条任务，"
            f"{len(names)} 个单位</div><div class='zc-scroll'><table class='zc-table' id='zc-tasks-table'><thead><tr><th>条款</th>"
            f"<th>标题</th>{head}</tr></thead><tbody>{rows}</tbody></table></div>")


def run_duties(service: AssistantService, unit: str, place: str | None) -> tuple[str, Any, Any]:
    try:
        table: DutyTable = service.duties(unit, place or None)
    except Exception as exc:
        return warning(exc, "the duty table")
    sheets, name = duty_sheets(table), f"职责清单-{table.unit}"
    return duties_html(table.to_contract()), save(to_csv(sheets), f"{name}.csv"), save(to_xlsx(sheets), f"{name}.xlsx")


def run_tasks(service: AssistantService, doc: str | None) -> tuple[str, Any, Any]:
    if not doc:
        return "<div class='zc-warn'>⚠ 请先选择一份文件。</div>", None, None
    try:
        matrix: TaskMatrix = service.tasks(doc)
    except Exception as exc:
        return warning(exc, "the task matrix")
    sheets, name = task_sheets(matrix), f"任务分工表-{matrix.doc.place}"
    return tasks_html(matrix.to_contract()), save(to_csv(sheets), f"{name}.csv"), save(to_xlsx(sheets), f"{name}.xlsx")


def duties_tab(service: AssistantService) -> None:
    choices = tool_choices(service, "部门职责")
    gr.Markdown(HINT, elem_classes=["zc-foot"])
    with gr.Row():
        unit = gr.Textbox(label="单位", placeholder="例如：市场监管局、东莞市质监局、人社局", max_length=MAX_UNIT_CHARS,
                          elem_id="zc-duty-unit", scale=3)
        place = gr.Dropdown(choices=choices.get("places", []), value=None, label="地区（空 = 全部）",
                            elem_id="zc-duty-place", scale=1)
    run = gr.Button("查询职责", variant="primary", elem_id="zc-duty-run")
    result = gr.HTML("", elem_id="zc-duty-result")
    with gr.Row():
        csv_file = gr.File(label="下载 CSV", elem_id="zc-duty-csv", interactive=False)
        xlsx_file = gr.File(label="下载 XLSX", elem_id="zc-duty-xlsx", interactive=False)
    gr.Markdown("#### 文件任务分工表")
    docs = [(label, doc_id) for doc_id, label in (c.split("|", 1) for c in choices.get("documents", []))]
    doc = gr.Dropdown(choices=docs, value=None, label="文件", elem_id="zc-tasks-doc")
    run_doc = gr.Button("生成分工表", elem_id="zc-tasks-run")
    matrix = gr.HTML("", elem_id="zc-tasks-result")
    with gr.Row():
        tasks_csv = gr.File(label="下载 CSV", elem_id="zc-tasks-csv", interactive=False)
        tasks_xlsx = gr.File(label="下载 XLSX", elem_id="zc-tasks-xlsx", interactive=False)

    def respond(unit: str, place: str | None) -> tuple[str, Any, Any]:
        return run_duties(service, unit, place)

    def respond_doc(doc: str | None) -> tuple[str, Any, Any]:
        return run_tasks(service, doc)

    gr.on([unit.submit, run.click], respond, [unit, place], [result, csv_file, xlsx_file], api_visibility="private")
    run_doc.click(respond_doc, [doc], [matrix, tasks_csv, tasks_xlsx], api_visibility="private")
