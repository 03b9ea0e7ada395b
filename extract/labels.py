"""Mapping printed label text to canonical row keys (report-format.md §4 items 4, 5 and 13)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .keys import RowSpec
from .normalize import label_key

# Rows whose keyword is also a column header or part of other labels ('其他', '总计') match only
# when the label text ends with them ('3.其他', '(七)总计').
_TAIL_ONLY = {"out_other_misc", "out_total"}
_NUMBERING = re.compile(r"^(\(?[一二三四五六七八九十\d]+[)、.．]?)+")
FUZZY_THRESHOLD = 0.6


def match_label(text: str, specs: tuple[RowSpec, ...]) -> tuple[str | None, bool]:
    """The row key a run of label text names, and whether it was found by fuzzy matching.

    The keyword ending last wins (ties: the longer keyword), because group and block labels
    ('（四）无法提供', vertical '三、本年度办理结果') are printed before the item they head."""
    k = label_key(text)
    best: tuple[int, int, str] | None = None
    for spec in specs:
        for kw in spec.keywords:
            if spec.key in _TAIL_ONLY:
                if not k.endswith(kw):
                    continue
                end = len(k)
            else:
                pos = k.rfind(kw)
                if pos < 0:
                    continue
                end = pos + len(kw)
            cand = (end, len(kw), spec.key)
            if best is None or cand[:2] > best[:2]:
                best = cand
    if best:
        return best[2], False
    # Fuzzy fallback for misprinted labels ('其他法律行政止公开'): compare the tail of the text.
    scored = []
    for spec in specs:
        target = _NUMBERING.sub("", label_key(spec.label))
        tail = k[-len(target) - 2 :]
        scored.append((SequenceMatcher(None, tail, target).ratio(), spec.key))
    ratio, key = max(scored)
    return (key, True) if ratio >= FUZZY_THRESHOLD else (None, False)


# where a printed row label begins: '（一）', '(二)', '1.', '四、'
_LABEL_START = re.compile(r"(?=[（(]\s*[一二三四五六七]\s*[）)]|(?<![\d.])\d[.．](?!\d)|[一二三四][、])")


def labels_in_order(text: str, specs: tuple[RowSpec, ...]) -> list[str]:
    """The row keys a run of label text names, in printed order, when it holds several labels
    ('1.属于国家秘密 2.其他法律行政法规禁止公开': two rows run into one line)."""
    keys: list[str] = []
    for piece in _LABEL_START.split(text):
        key, fuzzy = match_label(piece, specs) if piece.strip() else (None, False)
        if key and not fuzzy and key not in keys:
            keys.append(key)
    # '（六）其他处理' before its own items is their group's heading, not the gb2019 row
    return [k for i, k in enumerate(keys) if k != "grp_other" or not any(x.startswith("out_other_") for x in keys[i:])]
