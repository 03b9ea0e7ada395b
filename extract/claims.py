"""Counts stated in the narrative (一、总体情况) that the tables can be checked against (rules R11,
R12, R13, R21). Heuristic and deliberately narrow: a claim is kept only when its wording is one of
the patterns below; the sentence and its offset are kept with it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .normalize import clean

_NUM = r"(\d+)\s*件"
_CASES = r"(\d+)\s*[件起]"  # reviews and lawsuits are also counted in 起
# (claim key, pattern, value when the pattern states a count of zero)
PATTERNS: tuple[tuple[str, re.Pattern, int | None], ...] = (
    ("requests", re.compile(r"(?:收到|受理|新收|接收)[^。；;，,]{0,25}?申请[^。；;，,\d]{0,8}?" + _NUM), None),
    ("requests", re.compile(r"(\d+)\s*[件条]\s*依申请公开"), None),
    ("requests", re.compile(r"未(?:收到|受理|接到)[^。；;，,]{0,15}?申请"), 0),
    ("reviews", re.compile(r"行政复议[^。；;，,\d]{0,8}?" + _CASES), None),
    ("reviews", re.compile(r"(?:未|无|没有)(?:出现|发生|收到)?[^。；;，,]{0,20}?行政复议"), 0),
    ("lawsuits", re.compile(r"行政诉讼[^。；;，,\d]{0,8}?" + _CASES), None),
    ("lawsuits", re.compile(r"(?:未|无|没有)(?:出现|发生|收到)?[^。；;，,]{0,20}?行政诉讼"), 0),
    # 表二 (R13): claim keys name the cell, table2.<item>.<metric>
    ("table2.normative_doc.issued", re.compile(r"制发[^。；;，,\d]{0,10}?规范性文件\s*" + _NUM), None),
    ("table2.normative_doc.repealed", re.compile(r"规范性文件[^。；;]{0,16}?废止\s*" + _NUM), None),
    (
        "table2.normative_doc.repealed",
        re.compile(r"(\d+)\s*件[^。；;，,\d]{0,12}?规范性文件[^。；;，,\d]{0,4}?废止"),
        None,
    ),
    ("table2.normative_doc.in_force", re.compile(r"现行有效[^。；;，,\d]{0,12}?规范性文件\s*" + _NUM), None),
    (
        "table2.regulation.in_force",
        re.compile(r"(\d+)\s*[部件][^。；;，,\d]{0,12}?现行有效[^。；;，,\d]{0,4}?规章"),
        None,
    ),
)
_SENTENCE = re.compile(r"[^。；;!?！？]+[。；;!?！？]?")


@dataclass
class Claim:
    claim_key: str
    value: int
    section_key: str
    sentence: str
    offset: int  # character offset of the sentence in the section text, line breaks removed


def narrative_claims(sections: dict[str, dict]) -> list[dict]:
    """The first claim of each kind in 一、总体情况 (where the reports state their totals)."""
    section = sections.get("s1_overview")
    if not section:
        return []
    text = clean(section["text"].replace("\n", ""))
    found: dict[str, Claim] = {}
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0)
        for key, pattern, zero in PATTERNS:
            if key in found:
                continue
            hit = pattern.search(sentence)
            if hit:
                value = zero if zero is not None else int(hit.group(1))
                found[key] = Claim(key, value, "s1_overview", sentence.strip(), m.start())
    return [asdict(c) for c in found.values()]
