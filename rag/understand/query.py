"""Understanding a question: normalise, separate the speaker's context from the ask, find the
places it names (Chinese, pinyin, English), the kind of question, the specific value it asks
for, the unit a duty question is about, resolve follow-ups, and build the search text (the ask,
the context's topical words, domain-lexicon expansions, English carried into Chinese).

Everything is derived from the index (its cities, vocabulary) and data files (the lexicon, the
glossary, the unit aliases), so a new city's documents or a new topic need no code change. The
rules here are about kinds of wording (interrogatives, first-person self-descriptions, deixis),
never about particular questions.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from index.catalog import IndexSnapshot
from index.gazetteer import find_places, lookup, prefecture_pinyin
from index.models import NATIONAL
from index.text import normalise
from rag.types import Ask, DeclineReason, Filters, Kind, Query, Role
from rag.understand.conversation import Pointer, goes_back, listed, pointer, points
from rag.understand.documents import document_fields
from rag.understand.english import STOP_WORDS, EnglishBridge, is_english
from rag.understand.english import words as english_words
from rag.understand.lexicon import Lexicon, split_context
from rag.understand.pinyin import PinyinBridge
from rag.understand.units import alias_table, bare, canonical, known_units

_NATIONAL_ALIASES = (NATIONAL, "国家层面", "国家级", "国家的", "国家纲要", "质量强国", "建设纲要", "纲要", "国务院",
                     "中共中央", "national", "nationwide", "china", "state council", "outline")
# Injection: attempts to change the rules, claims of authority, requests for the system's insides.
# Bounded gaps ({0,12}) and no nested quantifiers: linear on any input.
_INJECTION = re.compile(
    r"忽略.{0,12}(指令|规则|提示|要求|设定)|无视.{0,12}(指令|规则)|(系统|system) {0,3}(提示词|prompt)|提示词原样|"
    r"ignore {1,5}(all {1,5}|any {1,5})?(previous|prior|above|the)? {0,5}(instructions|rules)|jailbreak|developer {1,3}mode|"
    r"你现在(是|扮演)|扮演.{0,12}(角色|助手)|disregard {1,5}(all|previous)|"
    r"(系统|超级)管理员|管理员(模式|指令|身份)|api ?(密钥|key)|密钥|access ?token|"
    r"(底层|背后).{0,8}(模型|大模型|llm)|(请勿|不要|无需|别|不用|不必)(再)?(引用|参考|检索).{0,6}(文件|资料|条款)|"
    r"(新|最新|以下)指令|从现在(开始|起).{0,10}(你|不用|不要|只)|new instructions?|from now on", re.I)
# Asks to write or make something up (a speech, an article signed with a name) are not questions
# about what the documents say.
_WRITING = re.compile(r"(帮我|给我|直接|替我)?(写|编|起草|拟)(一[段篇份个])?[^?？]{0,12}(讲话稿|发言稿|稿子|文章|通稿|讲话|致辞)|"
                      r"署上?[^?？]{0,8}(名字|姓名)|write (me )?(a |an )?(speech|article|essay)", re.I)

# The ask's kind. Rules are tried in order on the ask (the speaker's context excluded).
_DUTY_OBJECT = r"(事项|事情|事|任务|工作|职责|活儿?|块|项|方面)"
_LEAD_WORDS = r"牵头|排头|排第一|第一位|排在第一|排在?首位|排在?最前|头一个|打头|领头|挂帅|主抓|带头|lead|first"
# A list of tasks asked for, in either order: 哪些任务 / 任务有哪些 / 哪几块工作.
_TASKS = re.compile(r"(哪些|什么|哪几|几项|几块|多少|啥)[^?？]{0,6}" + _DUTY_OBJECT + r"|" + _DUTY_OBJECT +
                    r"[^?？]{0,4}(有|都有|包括|是)(哪些|什么|啥|哪几)|what (tasks|work|duties)|which tasks", re.I)
_DUTY = re.compile(
    r"(牵头|负责|承担|主管|排头|排第一|排在?首位|挂帅|参与)[^?？]{0,12}(哪些|什么|那些|哪几|几项|几块|多少)[^?？]{0,4}" + _DUTY_OBJECT +
    r"|(哪些|什么|哪几)" + _DUTY_OBJECT + r"[^?？]{0,10}(我们|我|本|该|这个)(局|委|办|单位|部门)"
    r"|(我们|我|本)(局|委|办|单位|部门)[^?？]{0,8}(牵头|负责|排头|承担|参与)[^?？]{0,6}(的)?" + _DUTY_OBJECT +
    r"|有(我们|我|本)(局|委|办|单位|部门)的份|职责(是|有)|哪些(工作|任务)由"
    r"|(" + _LEAD_WORDS + r")[^?？]{0,8}(的)?" + _DUTY_OBJECT + "(有|都有|是)"
    r"|what (does|do|is|are) .{0,60}(responsible for|lead|in charge of)|duties of|tasks of", re.I)
# Words that compare across places (they keep a question a comparison even when it names one
# place: 怀仁和国家的提法), and words that compare only within what is named (分别, 有啥不同).
_ACROSS = r"各地|各市|各个城市|哪些城市|哪些地方|哪几个城市|哪几个地方|两边|两地|几地|不同城市|which cities|each city"
_COMPARE_ACROSS = re.compile(_ACROSS + r"|和国家|与国家|跟国家|同国家|比国家|和全国", re.I)
_COMPARE = re.compile(_ACROSS + r"|分别|各自|对比|比较|异同|(有|有啥|有什么|有何)(不一样|不同|区别|差别)|compare|comparison|differ",
                      re.I)
_WHO = re.compile(r"牵头|负责|责任单位|责任部门|主管|哪些部门|哪个部门|哪些单位|哪个单位|哪几个部门|哪几个单位|哪家单位|什么部门|"
                  r"什么单位|什么机构|哪个机构|谁来|由谁|谁管|谁负责|谁牵头|谁配合|谁要|还有谁|归谁|归哪|找谁|找哪|会同|配合|"
                  r"\bwho\b|which (\w+ ){0,2}(department|unit|agenc|bureau|office|bod)|responsible|in charge|\blead|"
                  r"\b(runs?|handles?|manages?|oversees?|supervises?|coordinates?)\b", re.I)
_TARGET = re.compile(r"目标|多少|几个|几家|几项|几大|几类|几种|比例|比重|覆盖率|合格率|达到|哪一年|哪年|到哪|几年|%|百分|"
                     r"how many|how much|target|rate|which year|what year|which years|by when|goal", re.I)
_SOME = re.compile(r"几[个家项大类种](?=[\u4e00-\u9fff]{1,4}(?:想|要|都|也|一起|准备|打算|合作|联合|共同))")   # 几家同行想…
_SUPPORT = re.compile(r"资金|补贴|补助|奖励|奖金|税|优惠|扶持|融资|贷款|信贷|授信|财政|基金|专项|支持|政策|帮|机会|便利|"
                      r"服务|培训|安排|提供|能给|参加|参与|申请|fund|tax|subsid|grant|loan|financ|support|help|service", re.I)
# Deixis and ellipsis that make a question lean on the previous turn.
_LEANS = re.compile(r"^(那么?|那|还有|另外|and|what about|how about|then|又|再|换成|如果是|要是)|呢[??]?$|"
                    r"(它|其|该项|该条|该事|这事|这件事|这个|这些|这项|这条|这块|这类|这方面|那个|那些|上述|上面|前面|刚才|"
                    r"\bthis\b|\bthat\b|\bit\b|\bthose\b|\bthese\b)", re.I)
_WE_UNIT = re.compile(r"(我们|我|本|咱们)(局|委|办|单位|部门)")
# The specific value a question asks for (the "not stated" check looks for it in the clauses).
_ASKS: list[tuple[Ask, re.Pattern[str]]] = [
    # operating rules a plan does not hold (how often, how to apply, what it costs, the penalty,
    # the deadline): asked in the plans' own words, they look answerable; tried before amounts
    (Ask.SHARE, re.compile(r"(比例|比率|占比|百分比|费率|税率)(是|为|有|大概|要|能)?(多少|几)|多少比例|百分之几|几成|"
                           r"(缴纳|缴存|提取|分担|补贴|补助|奖励|资助|配套|返还)比例|what (percentage|proportion|share|ratio)", re.I)),
    (Ask.FREQUENCY, re.compile(r"多久(一次|做一次|查一次|报一次|要报|检查一次|抽查一次|评一次|开展一次)|多长时间(一次|检查|抽查|报)|"
                               r"(每年|一年|每季度|每月|每半年)(要|需要|会)?(查|检查|抽查|报|做|开展|评)?(几次|多少次)|"
                               r"频次|频率|间隔多久|how often|how frequently", re.I)),
    (Ask.PROCEDURE, re.compile(r"(怎么|怎样|如何)(办理|申请|申报|报名|办|领取|认定)|(办理|申请|申报|报名|认定)(的)?(流程|程序|"
        r"手续|步骤|材料)|"
                               r"(去|到|在)哪(里|儿|个部门|个窗口)?(办|申请|申报|交|报名|领)|(要|需要|得)(准备|提交|交)?(哪些|"
                               r"什么)(材料|手续|资料|证明)|"
                               r"how (do|can|to) (i |we )?apply|application (process|procedure)|where (do|can) (i|we) apply", re.I)),
    (Ask.FEE, re.compile(r"(收|交|缴|付)(费|多少钱|多少费)|收费(标准|多少|吗)?|费用(是|要|大概)?多少|(检测|检验|认证|评审|申报|"
        r"服务|培训)费|"
                         r"(花|要|得)多少钱|how much does it cost|\bfees?\b", re.I)),
    (Ask.PENALTY, re.compile(r"罚款|罚多少|罚金|处罚(标准|金额|多少)|罚则|法律责任|吊销|坐牢|判几年|what (is the )?penalty|"
        r"\bfined?\b", re.I)),
    (Ask.DEADLINE, re.compile(r"截止(日期|时间|到|哪天)|(申报|报名|申请)(期限|的?时间|截止)|什么时候(截止|开始申报|申报|报名)|"
        r"deadline", re.I)),
    (Ask.AMOUNT, re.compile(r"多少钱|多少资金|多少经费|多少补贴|补贴多少|补助多少|奖励多少|奖多少|奖金|金额|额度|最多能拿|能拿多少|"
                            r"给多少|资助多少|补贴标准|奖励标准|多少[亿万]|(补贴|补助|奖励|资助|奖金|经费)(是|有|能有|大概)?多少|"
                            r"规模(有)?多(少|大)|预算(是|有)?多少|投入(了)?多少|"
                            r"资金量|总额|how much money|how much funding|amount of|budget", re.I)),
    (Ask.MONTH, re.compile(r"几月|哪个月|什么月份|哪一个月|which month|what month", re.I)),
    (Ask.DATE, re.compile(r"哪天|哪一天|几号|什么日子|具体日期|准确日期|什么时候(印发|发布|出台|发文|签发)|"
                          r"(印发|发布|出台|发文)(的)?(日期|时间)|"
                          r"what date|which date|when was .{0,40}(issued|published)", re.I)),
    (Ask.PERSON, re.compile(r"(长|主任|主席|书记|经理|负责人|联系人|专员|秘书)(是谁|叫什么|姓什么|的名字|的姓名|是哪位)|"
                            r"叫什么名字|(谁是|是谁担任).{0,10}(长|主任|主席|负责人|联系人)|联系方式|联系电话|电话(号码)?是|手机号|"
                            r"邮箱|email|phone|who is the (head|director|president|chief|leader)|name of the", re.I)),
]
# Shopping advice (which brand or model to buy) is outside what policy documents answer.
_SHOPPING = re.compile(r"(推荐|哪个牌子|哪款|哪个好|哪家好|值得买|性价比|怎么选|买哪)[^?？]{0,12}(牌子|款|型号|价格|预算|块钱|元左右|买)|"
                       r"(牌子|型号)[^?？]{0,6}(哪个好|推荐|怎么选)|(买|选)(哪个|哪家|什么)(牌子|品牌)|"
                       r"(哪个|哪款|哪家)(牌子|型号)[^?？]{0,10}(好|耐用|靠谱|值得)", re.I)
_CODE = re.compile(r"(?<![A-Za-z])[A-Z]{2,6}(?:/[A-Z])?\s?\d{3,6}(?:[-.:]\d{1,4})?(?!\d)")   # ISO 9001, GB/T 19001
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_FIVE_YEAR = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025),
              "十五五": (2026, 2030)}
_PART = re.compile(r"第([一二三四五六七八九十]{1,3}|\d{1,2})(部分|章|篇|大部分)")
_ARTICLE = re.compile(r"第([一二三四五六七八九十]{1,4}|\d{1,2})(?:条|款)(?!件)")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{4,30})[”\"」』]")
# Words that frame a question rather than name its subject (they occur in the units parenthesis
# of nearly every clause, or only say "tell me"): removed from the search text.
_FRAMING = re.compile(r"由?(哪些|哪个|什么|哪几个|哪几)(部门|单位|城市|地方|机构)|责任单位|责任部门|牵头单位|分别|各地|各市|各自|"
                      r"有哪些|是哪些|是什么|是多少|有没有|有啥|有什么|多少|是否|请问|负责|归谁管|谁来管|谁管|找谁|还有谁|"
                      r"能不能|可不可以|会不会|怎么样|怎么|如何|这方面|这块|这类|这些|这事|市里|政府|[??]")


@dataclass
class CityIndex:
    """The cities the corpus covers and every way a question may name them.

    The aliases are compiled once (per snapshot, and again only if the table changes) into one
    Aho-Corasick automaton, so `find` and `strip` are one pass over the question, not one search
    per alias (15,000 aliases at 1000x the corpus)."""

    aliases: dict[str, str] = field(default_factory=dict)   # alias (lower) -> city short name
    provinces: set[str] = field(default_factory=set)         # provinces of covered cities
    _compiled: tuple[int, Any, dict[str, int], frozenset[str]] | None = \
        field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_snapshot(cls, snap: IndexSnapshot) -> CityIndex:
        out = cls()
        for doc in snap.documents.values():
            if doc.city is None:
                for alias in _NATIONAL_ALIASES:
                    out.aliases[alias] = NATIONAL
                continue
            place = lookup(doc.city)
            for alias in {doc.city, doc.city + "市", place.pinyin if place else ""} - {""}:
                out.aliases[alias.lower()] = doc.city
            if doc.region:
                out.provinces.add(doc.region)
        out._tables()
        return out

    def _tables(self) -> tuple[Any, dict[str, int], frozenset[str]]:
        """(Aho-Corasick automaton of the aliases, alias -> rank in longest-first order, covered cities)."""
        if self._compiled is None or self._compiled[0] != len(self.aliases):
            import ahocorasick

            ordered = sorted(self.aliases, key=len, reverse=True)      # stable: ties keep table order
            automaton = ahocorasick.Automaton()
            for alias in ordered:
                automaton.add_word(alias, alias)
            if ordered:
                automaton.make_automaton()
            self._compiled = (len(self.aliases), automaton, {a: i for i, a in enumerate(ordered)},
                              frozenset(self.aliases.values()))
        return self._compiled[1:]

    def _occurrences(self, text: str) -> Iterator[tuple[int, str]]:
        """(start, alias) of every alias occurrence, overlapping ones included: one automaton pass,
        whatever the number of cities (a regex alternation of thousands of aliases tried each of
        them at every position). A pinyin alias counts only between non-letters."""
        automaton, rank, _ = self._tables()
        if not rank:
            return
        for end, alias in automaton.iter(text):
            start = end - len(alias) + 1
            if alias.isascii() and ((start > 0 and "a" <= text[start - 1] <= "z")
                                    or (end + 1 < len(text) and "a" <= text[end + 1] <= "z")):
                continue
            yield start, alias

    def find(self, text: str) -> list[str]:
        """Covered cities the text names, in order of first mention."""
        first: dict[str, int] = {}
        for start, alias in self._occurrences(text.lower()):
            city = self.aliases[alias]
            if start < first.get(city, len(text) + 1):
                first[city] = start
        return sorted(first, key=first.__getitem__)

    def strip(self, text: str) -> str:
        """The text without any alias: leftmost first, the longest alias at a position, no overlaps."""
        automaton, rank, _ = self._tables()
        if not rank:
            return text
        best: dict[int, str] = {}
        for end, alias in automaton.iter(text):
            start = end - len(alias) + 1
            if start not in best or rank[alias] < rank[best[start]]:
                best[start] = alias
        out, cursor = [], 0
        for start in sorted(best):
            if start >= cursor:
                out.append(text[cursor:start])
                cursor = start + len(best[start])
        out.append(text[cursor:])
        return "".join(out)

    def covered(self) -> frozenset[str]:
        return self._tables()[2]

    def words(self, text: str) -> list[str]:
        """The aliases the text names its covered places by (纲要, 汕头市, shantou), as written."""
        return list(dict.fromkeys(alias for _, alias in self._occurrences(text.lower())))

    def foreign(self, text: str, covered: list[str]) -> list[str]:
        """Places the question names that the corpus does not cover (provinces of covered
        cities and the covered cities themselves excepted)."""
        out = []
        cities = self.covered()
        for p in find_places(text):
            if p.short in covered or p.short in cities or p.name in self.provinces:
                continue
            out.append(p.name)
        return out + _foreign_pinyin(text, self)


def _foreign_pinyin(text: str, cities: CityIndex) -> list[str]:
    """Prefecture-level cities named in pinyin/English (e.g. 'Shenzhen') that are not covered."""
    words = set(re.findall(r"[a-z]{4,}", text.lower()))
    if not words:
        return []
    table = prefecture_pinyin()
    return [p.name for w in sorted(words) if w not in cities.aliases for p in table.get(w, ())]


def classify(text: str) -> Kind:
    """The kind of an ask (the speaker's context excluded), by the first rule that matches."""
    for kind, pattern in ((Kind.DUTY, _DUTY), (Kind.COMPARE, _COMPARE), (Kind.WHO_LEADS, _WHO),
                          (Kind.TARGET, _TARGET), (Kind.SUPPORT, _SUPPORT)):
        if pattern.search(text):
            if kind == Kind.TARGET and not _TARGET.search(_SOME.sub(" ", text)) and _SUPPORT.search(text):
                return Kind.SUPPORT             # 几家同行想一起搞标准,政府支不支持?: 几家 is "a few", not a figure asked
            return kind
    return Kind.LOOKUP


# A terse topical query, typed like into a search box: a place perhaps, and a few words of topic,
# no question asked of them (中山 合规管理, 懷仁 質量多元共治). It wants what the documents say on
# the topic, so the clause headed by it is the answer, quoted whole.
TERSE_TOPIC_CHARS = 10    # characters of topic, besides its place and filler words
_ASKING = re.compile(r"[??吗呢]|什么|哪些|哪个|哪几|哪里|谁|怎么|怎样|如何|多少|几[个家项年大类种]|是否|有没有|能否|能不能|可以|"
                     r"为何|为什么|是不是")
_ASKING_EN = re.compile(r"\?|\b(what|which|who|whom|whose|how|when|where|why|does|do|did|is|are|can|could|should|"
                        r"will|would|any|list|tell|explain)\b", re.I)
TERSE_ENGLISH_WORDS = 6
_FILLER = re.compile(r"的|之|有关|相关|方面|工作|政策|措施|规定|内容|情况|要求|举措|做法|安排|文件|[\s,,、。.;;:]")


def terse_topic(query: Query, tokenize: Callable[[str], list[str]]) -> list[str]:
    """The topic words of a terse topical query; [] for any other (a question word, a value or a
    unit asked for, an English or follow-up question, a speaker's context, a longer topic)."""
    if query.kind not in (Kind.LOOKUP, Kind.SUPPORT) or query.asks_for or query.context \
            or query.rewritten_from or query.codes or query.years or _ASKING.search(query.ask):
        return []
    if query.english:                 # Dongguan consumer protection: the Chinese terms the bridge found
        if _ASKING_EN.search(query.ask) or len(query.ask.split()) > TERSE_ENGLISH_WORDS:
            return []
        places = set(query.places) | {p + "市" for p in query.places}
        return [t for t in dict.fromkeys(query.expansions) if t not in places and t.lower() not in query.place_words]
    rest = query.ask.lower()
    for word in sorted(query.place_words, key=len, reverse=True):
        rest = rest.replace(word, " ")
    rest = _FILLER.sub(" ", rest)
    if not rest.strip() or len(rest.replace(" ", "")) > TERSE_TOPIC_CHARS:
        return []
    return [t for t in dict.fromkeys(tokenize(rest)) if (t.strip() and len(t) >= 2) or t in rest.split()]


def asked_value(text: str) -> Ask | None:
    """The specific value the ask wants (an amount, a month, a date, a person), if any."""
    for ask, pattern in _ASKS:
        if pattern.search(text):
            return ask
    return None


def duty_role(text: str) -> Role:
    """What a duty question asks of the unit: to lead (牵头, first-listed) or any part in it."""
    if re.search(_LEAD_WORDS, text, re.I):
        return Role.LEAD
    return Role.ANY


def is_duty(typed: str, context: str, ask: str, cities: list[str]) -> bool:
    """A duty question: the rules above, or a named unit (the speaker's own, 我们局, or the
    subject of the ask) together with an ask for a list of tasks, in any word order."""
    if _DUTY.search(ask):
        return True
    if len(own_words(ask, CityIndex())) <= 4:      # 有哪些? — what is asked was said before it
        ask = typed
    if find_unit(typed, cities) is None:
        return False
    if not _TASKS.search(ask):           # 有哪些是我们排在第一位的: a lead word and a list ask
        return bool((re.search(_LEAD_WORDS, ask, re.I) and re.search(r"哪些|哪几|什么|啥|which|what", ask, re.I)
                    and _WE_UNIT.search(typed)) or re.search(r"(我们|我|本)(局|委|办|单位|部门)?(排|打头|牵头|领头)", ask))
    speaker_unit = bool(_WE_UNIT.search(typed)) or (bool(context) and find_unit(context, cities) is not None)
    return speaker_unit or find_unit(ask, cities) is not None


# A terse duty question: a unit, a duty word, and at most a few words of topic ("东莞 卫健局 职责",
# "汕头市场监管局 考核 牵头", "人社负责什么"). The duty words, and what may follow a nickname.
_DUTY_WORD = re.compile(r"任务|职责|职能|分工|工作|事项|负责|牵头|承担|参与|配合|主管|管什么|管哪些|管啥|干什么|做什么|干啥|做啥|"
                        r"要做|要干|duties|duty|tasks?|responsib\w*|\blead", re.I)
_DUTY_FILLER = re.compile(r"[\W_]|什么|哪些|哪几项|哪几|有啥|都有|都|有|的|呢|吗|些|要|了|啥|市|县|区|省|在|这份|那份|该|本|"
                          r"方案|文件|计划|纲要|里面|里|中|事情|事|方面|主要|具体|"
                          r"\b(what|which|does|do|is|are|the|of|for)\b", re.I)
_AFTER_NICKNAME = re.compile(r"(?:局|委|办|部门)?的?(?:负责|牵头|承担|参与|配合|主管|管|任务|职责|职能|工作|分工|要做|要干|干|做)")
MAX_LISTS = 6            # earlier answers a pointing follow-up may count in
TERSE_TOPIC = 8          # characters of topic a terse duty question may carry besides its unit


def find_nickname(text: str) -> str | None:
    """A body named without its suffix (人社, 住建, 市监), when a duty word follows the name:
    the longest such name the alias table knows, as its canonical name."""
    text = re.sub(r"\s+", "", text)                 # 人社 负责 -> 人社负责
    for name in _nicknames():
        start = text.find(name)
        while start >= 0:
            if _AFTER_NICKNAME.match(text, start + len(name)):
                return canonical(name)
            start = text.find(name, start + 1)
    return None


@lru_cache(maxsize=1)
def _nicknames() -> tuple[str, ...]:
    """Chinese names of the alias table without a body suffix (the suffixed ones find_unit finds), longest first."""
    names = {n for n in alias_table() if not n.isascii() and len(n) >= 2 and not _UNIT_END.search(n[-2:])}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def terse_duty(ask: str, cities: CityIndex, unit: str | None) -> str | None:
    """The topic of a terse duty question ('' when it has none), or None when the ask is not one:
    it names a unit and a duty word, and besides them says at most TERSE_TOPIC characters."""
    if unit is None or not _DUTY_WORD.search(ask):
        return None
    rest = ask
    for name in sorted({unit, *_written_forms(unit)}, key=len, reverse=True):    # before the city: 中山市场监管局
        rest = rest.replace(name, " ")
    topic = _DUTY_FILLER.sub("", _DUTY_WORD.sub(" ", cities.strip(rest)))
    return topic if len(topic) <= TERSE_TOPIC else None


def _written_forms(unit: str) -> list[str]:
    canon = canonical(unit)
    return [n for n, c in alias_table().items() if c == canon and not n.isascii()]


_UNIT_END = re.compile(r"委员会|办公室|总局|分局|支行|海关|中心|部门|局|委|办|厅|部(?!分|署|位)")
_NAME_BREAK = re.compile(r"[在是的了我们你哪几块些事做把被给从向对由和与及、,,。?？!!:: ]")


def _name_tail(text: str) -> str:
    """What follows the last character that cannot be part of a name."""
    breaks = [m.end() for m in _NAME_BREAK.finditer(text)]
    return text[breaks[-1]:] if breaks else text


def find_unit(text: str, cities: list[str]) -> str | None:
    """The unit a question names, without the city prefix: the first name the alias table knows
    (taken whole and nothing more, 和 and all: 在经济和信息化局工作 -> 经济和信息化局), else the first
    organisation-shaped name (ends in 局, 委, 部门, 海关 …) whose words stop at the first character
    that cannot be part of a name, else a nickname followed by a duty word (人社负责什么). "我们局"
    is not a name (it points elsewhere)."""
    probe = _WE_UNIT.sub(" ", text)
    known: list[tuple[int, int, str]] = []
    shaped: str | None = None
    for m in _UNIT_END.finditer(probe):
        end = m.end()
        if known and end - 12 > min(known)[0]:      # no later name can start before the one found
            break
        known += [(start, start - end, probe[start:end]) for start in range(max(0, end - 12), m.start())
                  if canonical(probe[start:end]) in known_units()]
        if shaped is None and not known:
            name = bare(_name_tail(probe[max(0, end - 12):m.start()]) + m.group(0))
            if len(name) >= 2 and name not in ("中心", "部", "部门", "局", "委", "办", "支行"):
                shaped = name
    if known:
        return bare(min(known)[2])                  # leftmost, then longest
    return shaped or find_nickname(probe)


_YEAR_RANGE = re.compile(r"(?<!\d)(20\d\d)\s*(?:年)?\s*[-—–~至到]\s*(20\d\d)(?!\d)")


def mentioned_years(text: str) -> list[int]:
    """Years a question names: 2025, a range (2016—2020 -> 2016..2020), or a five-year-plan
    period (十四五 -> 2021–2025)."""
    years = [int(y) for y in _YEAR.findall(text)]
    for a, b in _YEAR_RANGE.findall(text):
        if int(a) <= int(b) <= int(a) + 30:
            years += list(range(int(a), int(b) + 1))
    for name, (a, b) in _FIVE_YEAR.items():
        if name in text:
            years += list(range(a, b + 1))
    return sorted(set(years))


def mentioned_articles(text: str) -> list[str]:
    """Clauses a question names by number: 第三十条 -> "三十" (the document's (三十))."""
    return [_chinese_numeral(m.group(1)) for m in _ARTICLE.finditer(text)]


def mentioned_parts(text: str) -> list[str]:
    """Parts of a document a question names by number: 第三部分 -> "三"."""
    return [_chinese_numeral(m.group(1)) for m in _PART.finditer(text)]


def _chinese_numeral(value: str) -> str:
    if not value.isdigit():
        return value
    digits = "零一二三四五六七八九"
    n = int(value)
    if n <= 10:
        return "十" if n == 10 else digits[n]
    return ("" if n < 20 else digits[n // 10]) + "十" + (digits[n % 10] if n % 10 else "")


def quoted_phrases(text: str) -> list[str]:
    return [m.group(1) for m in _QUOTED.finditer(text)]


_OWN = re.compile(r"[\W_]|那么?|呢|的|话|吗|了|还|又|再|就|是|换成|如果|要是|本身|它|其|该|这|那|谁|哪|"
                  r"(工作|改革|事情|事儿?|任务|措施|活动|制度|项目|方面|涉及|几个|几家|牵头|负责|配合|参与|管|查|单位|部门|具体|"
                  r"主要|一起|还有)")


def _own_english(ask: str) -> list[str]:
    return [w for w in english_words(ask) if w not in STOP_WORDS and len(w) > 2]


def own_words(ask: str, cities: CityIndex) -> str:
    """What an ask says of its own: without city names, framing, deixis and particles."""
    return _OWN.sub("", _FRAMING.sub("", cities.strip(ask)))


def follow_up(ask: str, cities: CityIndex, known: Callable[[str], bool] | None = None) -> str | None:
    """How a question leans on the previous turn: "ellipsis" when it has (almost) no topic of
    its own (那东莞呢? 那这事是哪个部门牵头的?), "shift" when it names a new topic but keeps the
    setting (那建设工程本身的质量呢? 那人才培养方面呢?), None when it stands alone. `known` tells
    the corpus's words: a short ask made of them (人才培养) has a topic of its own."""
    own = own_words(ask, cities)
    if is_english(ask):
        return "ellipsis" if len(_own_english(ask)) <= 1 else ("shift" if _LEANS.search(ask) else None)
    if len(own) <= 4 and not (known is not None and len(own) >= 3 and _has_word(own, known)):
        return "ellipsis"
    return "shift" if _LEANS.search(ask) or len(own) <= 4 else None


def _has_word(text: str, known: Callable[[str], bool]) -> bool:
    """Whether the text holds two words of the corpus, or one of three or more characters."""
    words = {text[i:j] for i in range(len(text)) for j in range(i + 2, min(len(text), i + 4) + 1) if known(text[i:j])}
    return any(len(w) >= 3 for w in words) or len(words) >= 2


class Understander:
    """Turns what the user typed (and the earlier turns) into a Query. Built once per index
    snapshot; holds the read-only lexicon, glossary bridge and city tables."""

    def __init__(self, *, snapshot: IndexSnapshot, cities: CityIndex | None = None,
                 lexicon: Lexicon | None = None, bridge: EnglishBridge | None = None,
                 pinyin: PinyinBridge | None = None) -> None:
        self.snap = snapshot
        self.cities = cities or CityIndex.from_snapshot(snapshot)
        self.lexicon = lexicon
        self.bridge = bridge
        self.pinyin = pinyin

    def warm_up(self) -> None:
        """Load the English dictionary now (it is read lazily otherwise)."""
        if self.bridge is not None:
            _ = self.bridge.cedict
        if self.pinyin is not None:
            _ = self.pinyin.table

    def understand(self, question: str, history: list[tuple[str, str]] | None = None,
                   filters: Filters | None = None) -> Query:
        typed = normalise(question).strip()
        if self.pinyin is not None and is_english(typed):          # huairen chanpin yiyuan -> 怀仁 产品 医院
            typed = self.pinyin.to_hanzi(typed) or typed
        context, ask = split_context(typed)
        english = is_english(typed)
        previous = _previous_turn(history, ask, self.cities)
        pointed = self._points(ask, history) if previous is not None else None
        how = ("shift" if pointed else follow_up(ask, self.cities, self.snap.bm25.__contains__)) if previous else None
        leans = how is not None
        named = self.cities.find(_QUOTED.sub(" ", typed))         # 开展争创“全国质量强市示范城市”: no place named
        if previous is not None and leans and not named:             # the place the conversation is about
            named = ([self.snap.documents[d].place for d, _ in pointed.items][:1] if pointed else []) or \
                next((found for q, _ in reversed(history or []) if (found := self.cities.find(normalise(str(q))))), [])
        carried = previous if how == "ellipsis" else None      # a new topic keeps only the setting
        if carried and self.cities.find(_QUOTED.sub(" ", typed)):  # 东莞呢? after a 汕头 question: not 汕头's words
            carried = (self.cities.strip(carried[0]), carried[1])
        text = f"{carried[0]} {typed}" if carried else typed
        field_asked = document_fields(ask, named, follows=leans)
        topic = terse_duty(ask, self.cities, find_unit(ask, named))
        if field_asked:
            kind = Kind.DOCUMENT
        elif topic is not None or is_duty(typed, context, ask, self.cities.find(typed)):
            kind = Kind.DUTY
        else:
            kind = classify(ask)
        if previous and how == "ellipsis" and kind == Kind.LOOKUP:   # "那东莞呢?": the previous turn's kind
            kind = classify(split_context(previous[0])[1])
            field_asked = document_fields(split_context(previous[0])[1], named, follows=True) if kind == Kind.LOOKUP else []
            kind = Kind.DOCUMENT if field_asked else kind
        query = Query(raw=question, text=text, context=context, ask=ask, kind=kind,
                      english=english, rewritten_from=question if leans else None)
        query.document_fields = field_asked
        if pointed and not pointed.within:
            query.pinned, query.resolved = pointed.items, self._resolution(pointed)
            query.pinned_chapter = pointed.chapter
            if query.kind == Kind.COMPARE:            # one clause pointed at is no comparison of places
                query.kind = Kind.LOOKUP
        query.asks_for = asked_value(ask) or (asked_value(split_context(carried[0])[1]) if carried else None)  # 那东莞呢?
        query.years = mentioned_years(typed)
        query.parts = mentioned_parts(typed)
        query.articles = [] if pointed else mentioned_articles(typed)      # 第二条 of a list is no article
        query.quoted = quoted_phrases(typed)
        query.codes = [m.group(0) for m in _CODE.finditer(typed)]
        query.places = named
        query.place_words = self.cities.words(typed)
        query.filters = Filters(cities=list(filters.cities if filters and filters.cities else named),
                                doc_ids=list(filters.doc_ids) if filters else [])
        if pointed and pointed.within and not query.filters.doc_ids:   # 这几点里有没有讲X?: X searched in their documents
            query.filters.doc_ids = list(dict.fromkeys(d for d, _ in pointed.items))
        if query.kind == Kind.LOOKUP and len(named) >= 2:
            query.kind = Kind.COMPARE
        elif query.kind == Kind.COMPARE and len(named) == 1 and not _COMPARE_ACROSS.search(ask):
            query.kind = classify(_COMPARE.sub(" ", ask))      # 纲要的两个目标分别是什么: one document
        if query.kind == Kind.COMPARE and len(query.filters.cities) < 2 and not (filters and filters.cities):
            query.filters.cities = []
        query.foreign_places = self.cities.foreign(typed, named)
        if query.kind == Kind.DUTY:
            query.unit = find_unit(typed, named)
            query.role = duty_role(typed)
            query.topic = topic or ""
            if query.unit is None:
                query.kind = classify(_DUTY.sub(" ", ask)) if _DUTY.sub(" ", ask) != ask else Kind.WHO_LEADS
        query.search = self._search_text(query, carried)
        query.terse = terse_topic(query, self.snap.tokenizer.tokenize)
        if previous is not None:
            query.previous_answer = previous[1]
        if _INJECTION.search(typed):
            query.refuse_reason = DeclineReason.INJECTION
        elif _SHOPPING.search(typed) or _WRITING.search(typed):
            query.refuse_reason = DeclineReason.OFF_TOPIC
        elif query.foreign_places and not named:
            query.refuse_reason = DeclineReason.FOREIGN_PLACE
        return query

    def _points(self, ask: str, history: list[tuple[str, str]] | None) -> Pointer | None:
        """What the ask points at in earlier answers (第二条, 最后那项), if it points. The lists are
        the answers to questions that did not themselves point, latest first; their documents are
        those of the conversation's latest place."""
        turns = [(normalise(str(u)), normalise(str(a or ""))) for u, a in (history or [])][-MAX_LISTS:]
        places = next((found for q, _ in reversed(turns) if (found := self.cities.find(q))), [])
        lists = [listed(self.snap, a, places) for q, a in reversed(turns) if a and not points(split_context(q)[1])]
        recent = listed(self.snap, turns[-1][1], places) if turns and turns[-1][1] else []
        return pointer(ask, lists, self.snap, recent)

    def _resolution(self, points: Pointer) -> str:
        """One short line saying how the follow-up was read: 按上一条回答的第 2 项理解:怀仁 七、(二)「…」."""
        shown = []
        for doc_id, cid in points.items[:4]:
            clause = self.snap.clause(doc_id, cid)
            heading = f"「{clause.heading}」" if clause is not None and clause.heading else ""
            shown.append(f"{self.snap.documents[doc_id].place} {cid}{heading}")
        more = f"等 {len(points.items)} 项" if len(points.items) > 4 else ""
        return f"按前面回答列出的{points.how}理解:{'、'.join(shown)}{more}"

    def _search_text(self, query: Query, previous: tuple[str, str] | None) -> str:
        """What retrieval searches: the ask without framing, the context's words (its topical
        ones count; the lexicon adds the corpus's terms for colloquial wording), the previous
        turn for a follow-up, and for English the Chinese terms the bridge finds."""
        query.focus = _FRAMING.sub(" ", f"{previous[0]} {query.ask}" if previous else query.ask).strip()
        parts = [query.focus, query.context]
        if previous:
            parts.append(previous[1][:200])
        words = " ".join(parts)
        if self.lexicon is not None:
            query.expansions += self.lexicon.expand(words)
            query.alternatives = self.lexicon.expand_groups(words)
        if query.english and self.bridge is not None:
            query.expansions += self.bridge.to_chinese(query.text if previous else query.ask)
        return " ".join(p for p in [*parts, *query.expansions] if p and p.strip())


def _previous_turn(history: list[tuple[str, str]] | None, ask: str = "", cities: CityIndex | None = None
                   ) -> tuple[str, str] | None:
    """The turn a follow-up leans on: the last one, or, when the ask goes back to an earlier topic
    (回到汕头, 说回首席质量官), the latest earlier turn that shares most of its words or its city."""
    if not history:
        return None
    turns = [(normalise(str(u)), normalise(str(a or ""))) for u, a in history]
    index = cities or CityIndex()
    at = len(turns) - 1
    if len(turns) > 1 and goes_back(ask):
        own = set(own_words(ask, index))
        places = set(index.find(ask))
        at = max(range(len(turns) - 1), key=lambda i: (len(own & set(turns[i][0])) + 10 * len(places & set(
            index.find(turns[i][0]))), i))
    question = turns[at][0]
    for earlier in range(at - 1, max(-1, at - MAX_LISTS), -1):   # 东莞呢? after 同样的问题换成怀仁: the question both lean on
        if follow_up(split_context(question)[1], index) != "ellipsis":
            break
        question = turns[earlier][0]
    return question, turns[at][1]


def understand(question: str, history: list[tuple[str, str]] | None, snap: IndexSnapshot,
               filters: Filters | None = None, cities: CityIndex | None = None) -> Query:
    """A one-off Understander (tests, scripts); the assistant keeps one per snapshot."""
    return Understander(snapshot=snap, cities=cities).understand(question, history, filters)
