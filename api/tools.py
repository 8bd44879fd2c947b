"""The tools over HTTP (rag/tools through rag.service.AssistantService):

    POST /api/match                         a profile -> the measures that could apply (rag.tools.match)
    GET  /api/duties?unit=&place=           a unit's duty table (rag.tools.duties)
    GET  /api/documents/{doc_id}/tasks      a document's task-division matrix
Each takes `format=json` (default), `csv` or `xlsx`: the same table as a download (rag.tools.export).

Only HTTP here: bodies are validated (api.bodies style: extra keys refused, a bad body is 400),
budgets are rag.limits', and errors go through the app's handlers (rag.service.classify).
"""
from __future__ import annotations

from enum import Enum
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from rag.service import AssistantService
from rag.tools.export import CSV_TYPE, XLSX_TYPE, Sheet, duty_sheets, match_sheets, task_sheets, to_csv, to_xlsx


class Format(str, Enum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


class MatchBody(BaseModel):
    """A profile: free text, form fields, or both (a field given wins over the text)."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(default="", description="我们是东莞的一家家具厂,80人,出口为主,想做品牌")
    city: str | None = None
    trade: str | None = Field(default=None, description="a trade of GB/T 4754 or a common word: 家具, 小家电")
    size: str | None = Field(default=None, description="微型 | 小型 | 中型 | 大型 (or 规上)")
    above_scale: bool | None = None
    employees: int | None = None
    revenue_wan: float | None = Field(default=None, description="annual revenue in 万元")
    has: list[str] = Field(default_factory=list, description="standings: 出口企业, 龙头企业, 高新技术企业 …")
    wants: list[str] = Field(default_factory=list, description="kinds of support: 品牌, 标准, 融资 …")


def download(sheets: list[Sheet], fmt: Format, name: str) -> Response:
    """The sheets as a CSV or XLSX attachment named `name` (UTF-8 file name, RFC 5987)."""
    data, kind = (to_csv(sheets), CSV_TYPE) if fmt is Format.CSV else (to_xlsx(sheets), XLSX_TYPE)
    filename = f"{name}.{fmt.value}"
    disposition = f"attachment; filename=\"zhice.{fmt.value}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content=data, media_type=kind, headers={"Content-Disposition": disposition})


def reply(contract: dict[str, Any], sheets: Any, fmt: Format, name: str) -> Response:
    return JSONResponse(contract) if fmt is Format.JSON else download(sheets(), fmt, name)


def install_tool_routes(app: FastAPI, service: AssistantService) -> None:
    @app.post("/api/match")
    async def match(body: MatchBody, format: Format = Format.JSON) -> Response:
        result = await run_in_threadpool(service.match, **body.model_dump())
        return reply(result.to_contract(), lambda: match_sheets(result), format, "政策匹配")

    @app.get("/api/duties")
    async def duties(unit: str, place: str | None = None, format: Format = Format.JSON) -> Response:
        table = await run_in_threadpool(service.duties, unit, place)
        return reply(table.to_contract(), lambda: duty_sheets(table), format, f"职责清单-{table.unit}")

    @app.get("/api/documents/{doc_id}/tasks")
    async def document_tasks(doc_id: str, format: Format = Format.JSON) -> Response:
        matrix = await run_in_threadpool(service.tasks, doc_id)
        return reply(matrix.to_contract(), lambda: task_sheets(matrix), format, f"任务分工表-{matrix.doc.place}")
