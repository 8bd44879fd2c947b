"""Questions about a document itself rather than what it says: its 文号, when it was issued, who
issued it, its title, the years it covers — or which documents the library holds.

`document_fields(ask)` names the fields asked for. A field word alone (文号, 落款, 印发日期)
is enough; a word that also has other senses (标题, 哪几年, 叫什么) counts only next to a word for a
document (文件, 方案, 计划, 纲要, 这份, 那份, 它). Rules on kinds of wording, bounded and linear.
"""
from __future__ import annotations

import re

_DOC_WORD = r"(文件|方案|计划|计画|纲要|通知|这份|那份|该文|它|document|plan|outline)"
# (field, pattern), tried in order; the patterns are linear (no nested quantifiers, bounded gaps).
FIELDS: list[tuple[str, re.Pattern[str]]] = [
    ("library", re.compile(r"(收录|收了|收有|存有|有)(了)?(哪些|哪几|几份|多少)(份)?(地方|城市|文件|方案|政策|规划)|"
                           r"哪些(地方|城市)的(质量强[市省国])?(文件|方案|政策)|(库|资料库|知识库)(里|中)(有|收)|"
                           r"what documents|which (cities|documents) (do|does|are)", re.I)),
    ("doc_number", re.compile(r"文号|发文字号|文件编号|发文编号|几号文|document number", re.I)),
    ("date", re.compile(r"(什么时候|何时|哪天|哪一天|哪年|哪一年|几月几[号日]|啥时候)(印发|发布|发文|签发|颁布|成文|发的|下发)|"
                        r"(印发|发布|发文|签发|成文|下发)(的)?(日期|时间|年份|日子|年月)|落款(的)?(日期|时间)|"
                        + _DOC_WORD + r".{0,8}(什么时候|何时|哪天|哪年|哪一年)(出台|制定|发布)|"
                        r"when was .{0,40}(issued|published)|issue date|date of issue", re.I)),
    ("issuer", re.compile(r"(哪个|什么|哪家|哪级)(单位|部门|机关|机构|政府)?(印发|发布|发文|发的|签发|颁布|下发)|"
                          r"(由)?谁(印发|发布|发的|发文|签发|颁布|下发)|发文(单位|机关|部门)|落款(单位|机关|是)|"
                          + _DOC_WORD + r".{0,8}(哪个|什么|哪家|谁)(单位|部门|机关)?(出台|制定)|"
                          r"issued by|who issued|issuing (body|authority)", re.I)),
    ("period", re.compile(r"(实施|执行|规划|行动|有效|适用)(期|期限|年限|周期)|" + _DOC_WORD + r".{0,8}(管|适用|覆盖|涵盖)(到|"
        r"至)?(哪年|哪几年|哪一年|什么时候)|"
                          + _DOC_WORD + r".{0,8}(哪几年|时间跨度|起止时间)|(plan )?period|which years does", re.I)),
    ("title", re.compile(_DOC_WORD + r".{0,6}(标题|全称|名称|题目|叫什么)|(标题|全称|正式名称)(是|叫)(什么|啥)|full title|"
        r"what is .{0,20} called",
                         re.I)),
]


# A document the plan cites (根据省里的文件, 引用的通知) or a standard (ISO 9001): not one of the library's.
_OTHER_DOCUMENT = re.compile(r"依据|根据|按照|引用|援引|提到的|提及的|上级|省里|省级|国家的|中央的|标准|版本|版|iso|gb/?t", re.I)
_THIS_DOCUMENT = re.compile(_DOC_WORD + r"|文号|落款", re.I)


def document_fields(ask: str, places: list[str] | None = None, follows: bool = False) -> list[str]:
    """The fields of one of the library's documents the ask wants (doc_number, date, issuer,
    period, title — 文号和印发日期 wants two) or ["library"] for the library's list; [] when it
    asks about what a document says, or about another document (one a plan cites, a standard).
    Besides the library's list, the ask must point at a document of the library: a word for it
    (文件, 方案, 这份, 它, 文号), a place whose document it is, or a follow-up carrying one."""
    wanted = [name for name, pattern in FIELDS if pattern.search(ask)]
    if "library" in wanted:
        return ["library"]
    if not wanted or _OTHER_DOCUMENT.search(ask) or not (_THIS_DOCUMENT.search(ask) or places or follows):
        return []
    return wanted
