"""Text normalisation shared by every reader and matcher (report-format.md §4 item 9)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_INVISIBLE = dict.fromkeys(map(ord, "\u00a0\u3000\u200b\u200c\u200d\ufeff"), " ")
_WS = re.compile(r"\s+")
_PAGE_FURNITURE = re.compile(r"^(-\s*\d+\s*-|—\s*\d+\s*—|第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")


@lru_cache(maxsize=1 << 16)  # cells repeat a lot ('0', labels): normalising once is enough
def clean(text: str) -> str:
    """NFKC, invisible spaces to plain spaces, runs of whitespace collapsed, ends stripped."""
    text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    return _WS.sub(" ", text).strip()


@lru_cache(maxsize=1 << 14)
def label_key(text: str) -> str:
    """The form used to match labels: cleaned, all whitespace removed, parentheses unified."""
    text = _WS.sub("", clean(text))
    return text.replace("〔", "(").replace("〕", ")").replace("【", "(").replace("】", ")")


def is_page_furniture(text: str) -> bool:
    """Page numbers printed inside tables by PDF and Word exports ('- 5 -', '第 3 页')."""
    return bool(_PAGE_FURNITURE.match(clean(text)))
