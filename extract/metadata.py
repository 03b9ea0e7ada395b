"""Report metadata: agency, year, publication date, 索引号 (report-format.md §4 items 16-17),
from every place a report states them, each value with the place it came from.

Places, and the order in which they win when they disagree (the first that gives a value):

agency  the printed title (its own line or two, before 一、总体情况) · HTML ``ArticleTitle``
        meta · HTML ``<title>`` · a page's 标题 field · the document properties' title (DOCX,
        PDF) · the fetch log (the URL list's agency, the page title) · the signature block at
        the end · the publisher field (发布机构, 来源, ``ContentSource``) · the file name
year    the same titles in the same order · the statistics period (统计期限为2024年1月1日至…)
        · the fetch log · the file name
date    发布日期 / 发布时间 / 时间 fields · HTML ``PubDate`` meta · 成文日期

A title names the body that reports; the publisher field often names its office
(平潭综合实验区管委会办公室 for 平潭综合实验区), so it comes late. Markdown and heading marks are
stripped. A year taken from the publication date alone is a guess and is never made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from .normalize import clean

_TITLE = re.compile(r"信息公开(?:工作)?的?(?:年度|年)?报告(?!格式)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_PERIOD = re.compile(r"((?:19|20)\d{2})年\s*1\s*月\s*1\s*日\s*(?:起\s*)?至")
_AGENCY_SUFFIX = re.compile(
    r"(政府|办公室|办公厅|局|委员会|委|厅|院|中心|区|管委会|部|署|会|所|站|队|处|公司|街道|镇|乡|县|市)$"
)
# names that end like this are whole before a following 政府 ('…局政府信息公开'); after a place
# name ('某某县政府信息公开') 政府 may be the body's own, and is kept
_BODY_ENDINGS = tuple("年 年度 局 委 委员会 办公室 办 中心 厅 院 会 人民政府 所 站 队 处".split())
_MARKUP = re.compile(r"^[#>*\s]+|[*\s]+$|\*\*")
_FIELD_LABEL = re.compile(r"^(?:标题|题目|文章标题|名称)\s*[:：]\s*")
_SIGNED_DATE = re.compile(r"^(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_NOT_AGENCY = re.compile(r"[，。；：:、,;!?！？()（）<>《》\d]")
TITLE_SEARCH_LINES = 200
MAX_TITLE_CHARS = 80
AGENCY_FIELDS = ("发布机构", "来源", "发文机关", "发布单位")
DATE_FIELDS = ("发布日期", "发布时间", "时间")
FIRST_YEAR, LAST_YEAR = 2008, 2100  # the 条例 took effect in 2008


@dataclass(frozen=True)
class Found:
    value: object
    source: str


def _nospace(text: str) -> str:
    return re.sub(r"\s+", "", _MARKUP.sub("", clean(text)))


def _plain(text: str) -> str:
    return _FIELD_LABEL.sub("", _nospace(text))


def find_title(lines: list[str], stop: int | None = None) -> tuple[int, str] | None:
    """The printed title: the first line (or two wrapped lines) before ``stop`` that reads as one."""
    head = [_plain(ln) for ln in lines[: min(stop or TITLE_SEARCH_LINES, TITLE_SEARCH_LINES)]]
    for i, t in enumerate(head):
        if _TITLE.search(t) and len(t) <= MAX_TITLE_CHARS:
            return i, t
        # a long title wrapped over two lines ('…人民政府2022年政府信息公开工作' / '年度报告'),
        # unless the next line is a whole title by itself
        nxt = head[i + 1] if i + 1 < len(head) else ""
        if t and nxt and not _TITLE.search(nxt) and _TITLE.search(t + nxt) and len(t + nxt) <= MAX_TITLE_CHARS:
            return i, t + nxt
    return None


def _valid_year(y: int) -> bool:
    return FIRST_YEAR <= y <= LAST_YEAR


def parse_title(title: str) -> tuple[str | None, int | None]:
    """(agency, year) named by one title; either may be None."""
    title = _plain(title)
    m = _TITLE.search(title)
    if not m:
        return None, None
    year_m = _YEAR.search(title)
    year = int(year_m.group(1)) if year_m and _valid_year(int(year_m.group(1))) else None
    agency = title[: m.start()]
    year_first = bool(re.match(r"(19|20)\d{2}年", agency))
    if agency.endswith("政府") and not agency.endswith("人民政府"):
        # '…2022年政府信息公开…', '某某局政府信息公开…': this 政府 belongs to the report's name
        if year_first or agency[:-2].endswith(_BODY_ENDINGS):
            agency = agency[:-2]
    agency = _YEAR.sub("", agency, count=1)
    agency = re.sub(r"关于$", "", agency).strip("《》“”\"' ")
    if agency == "政府":  # '政府信息公开工作年度报告' names no body
        agency = ""
    return (agency if is_agency(agency) else None), year


def is_agency(name: str) -> bool:
    return 2 <= len(name) <= 40 and not _NOT_AGENCY.search(name)


def _site_title(title: str) -> str:
    """The part of a page <title> that is the report's ('…年度报告_栏目_网站名')."""
    for part in re.split(r"[_|｜]|\s+[-–—]\s+", title):
        if _TITLE.search(_plain(part)):
            return part
    return title


def _labelled(lines: list[str], label: str) -> str | None:
    """The value printed after a label such as 发布日期, on the same line or one of the next two."""
    for i, ln in enumerate(lines):
        t = clean(ln)
        pos = t.find(label)
        if pos < 0 or (pos > 0 and label == "时间" and t[pos - 1] not in " •:："):
            continue
        rest = t[pos + len(label) :]
        if label == "时间" and not rest.lstrip().startswith((":", "：")):
            continue
        rest = rest.lstrip(":：] •").strip()
        if rest:
            return rest
        for nxt in lines[i + 1 : i + 3]:
            n = clean(nxt).lstrip("•").strip()
            if n:
                return n
    return None


def _as_date(text: str | None) -> str | None:
    m = _DATE.search(text or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def _signature(lines: list[str]) -> str | None:
    """The agency signed at the end: a name line next to a date line among the last lines."""
    tail = [_nospace(ln) for ln in lines[-8:] if clean(ln)]
    for i, t in enumerate(tail):
        if _SIGNED_DATE.match(t):
            for j in (i - 1, i + 1):
                if 0 <= j < len(tail) and _AGENCY_SUFFIX.search(tail[j]) and is_agency(tail[j]):
                    return tail[j]
    return None


def period_year(lines: list[str]) -> int | None:
    for ln in lines[:TITLE_SEARCH_LINES]:
        m = _PERIOD.search(clean(ln))
        if m:
            return int(m.group(1))
    return None


def index_no(lines: list[str]) -> str | None:
    v = _labelled(lines, "索引号")
    if not v:
        return None
    m = re.match(r"[0-9A-Za-z][0-9A-Za-z/\-_.]*", v)
    return m.group(0) if m else None


def printed_title(lines: list[str], stop: int | None = None) -> tuple[str | None, int | None]:
    """(agency, year) of the printed title; a title without its body ('2022年政府信息公开工作年度
    报告') takes the agency from the line above it."""
    found = find_title(lines, stop)
    if not found:
        return None, None
    i, title = found
    agency, year = parse_title(title)
    if not agency:
        prev = next((_plain(ln) for ln in reversed(lines[:i]) if clean(ln)), "")
        if len(prev) <= 40 and _AGENCY_SUFFIX.search(prev) and is_agency(prev):
            agency = prev
    return agency, year


# where each field may come from, in the order the sources win
AGENCY_ORDER = (
    "title",
    "html_meta_title",
    "html_title",
    "page_title_field",
    "document_properties",
    "fetch_log",
    "signature",
    "publisher",
    "file_name",
)
YEAR_ORDER = (
    "title",
    "html_meta_title",
    "html_title",
    "page_title_field",
    "document_properties",
    "statistics_period",
    "fetch_log",
    "file_name",
)
DATE_ORDER = ("page_field", "html_meta", "written_date")


def _candidates(lines: list[str], props: dict, file_name: str, hints: dict, stop: int | None):
    """Every (field, value, source) the document, its properties, the fetch log and its name state."""
    head = lines[:TITLE_SEARCH_LINES]
    meta = props.get("meta", {})
    titles = [
        ("html_meta_title", meta.get("articletitle")),
        ("html_title", _site_title(props.get("html_title") or "")),
        ("page_title_field", _labelled(head, "标题")),
        ("document_properties", props.get("Title") or props.get("title")),
        ("fetch_log", _site_title(hints.get("page_title") or "")),
        ("file_name", PurePath(file_name).stem),
    ]
    agency, year = printed_title(lines, stop)
    yield "agency", agency, "title"
    yield "year", year, "title"
    for source, title in titles:
        if title:
            agency, year = parse_title(title)
            yield "agency", agency, source
            yield "year", year, source
    yield "year", period_year(lines), "statistics_period"
    if hints.get("agency") and is_agency(str(hints["agency"])):
        yield "agency", str(hints["agency"]), "fetch_log"
    if str(hints.get("year") or "").isdigit() and _valid_year(int(hints["year"])):
        yield "year", int(hints["year"]), "fetch_log"
    yield "agency", _signature(lines), "signature"
    publishers = [_labelled(head, label) for label in AGENCY_FIELDS] + [meta.get("contentsource")]
    for v in publishers:
        if v and is_agency(_nospace(v)):
            yield "agency", _nospace(v), "publisher"
    for label in DATE_FIELDS:
        yield "published_date", _as_date(_labelled(head, label)), "page_field"
    for key in ("pubdate", "publishdate", "firstpublishedtime", "publishtime"):
        yield "published_date", _as_date(meta.get(key)), "html_meta"
    yield "published_date", _as_date(_labelled(head, "成文日期")), "written_date"


def resolve(
    lines: list[str], props: dict | None = None, file_name: str = "", hints: dict | None = None, stop: int | None = None
) -> dict:
    """agency, year, published_date and index_no; ``sources`` says where each came from and
    ``conflicts`` lists what other places said. ``stop`` is the line of the first section
    heading (the title is printed before it). ``hints``: the fetch log's agency, year, page title."""
    orders = {"agency": AGENCY_ORDER, "year": YEAR_ORDER, "published_date": DATE_ORDER}
    found: dict[str, list[Found]] = {k: [] for k in orders}
    for name, value, source in _candidates(lines, props or {}, file_name, hints or {}, stop):
        if value:
            found[name].append(Found(value, source))
    out: dict = {"sources": {}, "conflicts": {}}
    for name, order in orders.items():
        ranked = sorted(found[name], key=lambda f, order=order: order.index(f.source))
        out[name] = ranked[0].value if ranked else None
        if ranked:
            out["sources"][name] = ranked[0].source
            others = sorted({f"{f.source}: {f.value}" for f in ranked[1:] if f.value != ranked[0].value})
            if others:
                out["conflicts"][name] = others
    out["index_no"] = index_no(lines[:TITLE_SEARCH_LINES])
    return out
