"""Finding the six sections and the three tables in a document's token stream."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Document
from .keys import SECTIONS
from .normalize import label_key

_HEADING = re.compile(r"^(?P<num>[一二三四五六])[、.．]")
MAX_HEADING_CHARS = 40


@dataclass
class Regions:
    sections: dict[str, tuple[int, int]]  # section_key -> (first line, end line), line indexes
    table2: tuple[int, int]  # token index ranges [start, end)
    table3: tuple[int, int]
    table4: tuple[int, int]


def find_headings(doc: Document) -> dict[str, int]:
    """Line index of each section heading, in document order (a heading must follow the one
    before it). Table labels such as '三、本年度办理结果' never match: each heading needs its own
    keywords."""
    found: dict[str, int] = {}
    start = 0
    for key, num, keywords in SECTIONS:
        for i in range(start, len(doc.lines)):
            k = label_key(doc.lines[i].text)
            m = _HEADING.match(k)
            if m and m["num"] == num and len(k) <= MAX_HEADING_CHARS and any(w in k for w in keywords):
                if key == "s4_review_litigation" and "结转" in k:
                    continue
                found[key] = i
                start = i + 1
                break
    return found


def _first_token(doc: Document, start: int, needles: tuple[str, ...], end: int | None = None) -> int | None:
    end = len(doc.tokens) if end is None else end
    for i in range(start, end):
        t = doc.tokens[i]
        if t.kind == "text" and any(n in label_key(t.text) for n in needles):
            return i
    return None


def _token_at_line(doc: Document, line: int) -> int:
    for i, t in enumerate(doc.tokens):
        if t.line >= line:
            return i
    return len(doc.tokens)


def locate(doc: Document) -> Regions:
    headings = find_headings(doc)
    order = [k for k, _, _ in SECTIONS if k in headings]
    sections = {}
    for i, key in enumerate(order):
        end = headings[order[i + 1]] if i + 1 < len(order) else len(doc.lines)
        sections[key] = (headings[key], end)

    n = len(doc.tokens)

    def heading_token(key: str, default: int | None) -> int | None:
        return _token_at_line(doc, headings[key]) if key in headings else default

    s2 = heading_token("s2_proactive", 0)
    t2_start = _first_token(doc, s2, ("第二十条",)) or s2
    s3 = heading_token("s3_requests", None)
    # 表三 starts at its header (balance note / 申请人情况) or, failing that, its first row label;
    # narrative before the table in section 三 is left out.
    t3_start = _first_token(doc, s3 if s3 is not None else t2_start, ("勾稽关系", "申请人情况", "本年新收"))
    if t3_start is None:
        t3_start = s3 if s3 is not None else n
    t2_end = s3 if s3 is not None and s3 > t2_start else t3_start
    s4 = heading_token("s4_review_litigation", None)
    if s4 is None or s4 <= t3_start:
        # no usable heading: 表四 starts at the first 行政复议 after 表三's last row
        after = _first_token(doc, t3_start, ("结转下年度",))
        s4 = _first_token(doc, (after or t3_start) + 1, ("行政复议",)) or n
    t3_end = s4
    s5 = heading_token("s5_problems", n)
    t4_end = s5 if s5 > s4 else n
    return Regions(sections, (t2_start, t2_end), (t3_start, t3_end), (s4, t4_end))
