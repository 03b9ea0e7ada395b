"""Report metadata printed in the document: agency, year, publication date, 索引号
(report-format.md §4 items 16-17)."""

from __future__ import annotations

import re
from datetime import date

from .normalize import clean

_TITLE = re.compile(r"信息公开工作的?年度?报告")
_YEAR = re.compile(r"((?:19|20)\d{2})年度?")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_PERIOD = re.compile(r"((?:19|20)\d{2})年\s*1\s*月\s*1\s*日\s*(?:起\s*)?至")
_AGENCY_SUFFIX = re.compile(
    r"(政府|办公室|办公厅|局|委员会|委|厅|院|中心|区|管委会|部|署|会|所|站|队|处|公司|街道|镇|乡)$"
)
TITLE_SEARCH_LINES = 40


def _nospace(text: str) -> str:
    return re.sub(r"\s+", "", clean(text))


def find_title(lines: list[str]) -> tuple[int, str] | None:
    head = [_nospace(ln) for ln in lines[:TITLE_SEARCH_LINES]]
    for i, t in enumerate(head):
        if _TITLE.search(t) and len(t) <= 80:
            return i, t
        # a long title wrapped over two lines ('…人民政府2022年政府信息公开工作' / '年度报告'),
        # unless the next line is a whole title by itself
        nxt = head[i + 1] if i + 1 < len(head) else ""
        if t and nxt and not _TITLE.search(nxt) and _TITLE.search(t + nxt) and len(t + nxt) <= 80:
            return i, t + nxt
    return None


def agency_and_year(lines: list[str]) -> tuple[str | None, int | None]:
    found = find_title(lines)
    if not found:
        return None, None
    i, title = found
    year_m = _YEAR.search(title)
    year = int(year_m.group(1)) if year_m else None
    agency = title[: _TITLE.search(title).start()]
    year_first = bool(re.match(r"(19|20)\d{2}年", agency))
    if agency.endswith("政府") and not agency.endswith("人民政府"):
        # '…2022年政府信息公开…': this 政府 belongs to the report's name, not the agency's
        if year_first or agency[:-2].endswith(("年", "年度")):
            agency = agency[:-2]
    agency = _YEAR.sub("", agency, count=1)
    agency = re.sub(r"关于$", "", agency)
    agency = agency.strip("《》“”\"' ")
    if not agency:
        # title split over two lines: the agency is the line before
        for j in range(i - 1, -1, -1):
            prev = _nospace(lines[j])
            if prev:
                if len(prev) <= 40 and _AGENCY_SUFFIX.search(prev):
                    agency = prev
                break
    return agency or None, year


def _labelled(lines: list[str], label: str) -> str | None:
    """The value printed after a label such as 发布日期, on the same line or one of the next two."""
    for i, ln in enumerate(lines):
        t = clean(ln)
        pos = t.find(label)
        if pos < 0:
            continue
        rest = t[pos + len(label) :].lstrip(":：] •").strip()
        if rest:
            return rest
        for nxt in lines[i + 1 : i + 3]:
            n = clean(nxt).lstrip("•").strip()
            if n:
                return n
    return None


def published_date(lines: list[str]) -> str | None:
    for label in ("发布日期", "发布时间", "成文日期"):
        v = _labelled(lines, label)
        m = _DATE.search(v or "")
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                return None
    return None


def index_no(lines: list[str]) -> str | None:
    v = _labelled(lines, "索引号")
    if not v:
        return None
    m = re.match(r"[0-9A-Za-z][0-9A-Za-z/\-_.]*", v)
    return m.group(0) if m else None


def period_year(lines: list[str]) -> int | None:
    for ln in lines[:60]:
        m = _PERIOD.search(clean(ln))
        if m:
            return int(m.group(1))
    return None
